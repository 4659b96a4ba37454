#pragma once
// Checks an OTLP/JSON ExportTraceServiceRequest against the field names and
// JSON mapping of opentelemetry-proto (collector/trace/v1/trace_service.proto,
// trace/v1/trace.proto, common/v1/common.proto, resource/v1/resource.proto):
// only known lowerCamelCase keys per message, hex ids of the right length,
// 64-bit integers as decimal strings, enums as integers in range.
// Returns the problems found; empty means valid.

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace clnrm::testing {

class OtlpSchemaChecker {
 public:
  std::vector<std::string> check(const nlohmann::json& request) {
    errors_.clear();
    message(request, "ExportTraceServiceRequest", {"resourceSpans"});
    for_array(
        request, "resourceSpans", "ExportTraceServiceRequest",
        [&](const nlohmann::json& rs, const std::string& p) {
          message(rs, p, {"resource", "scopeSpans", "schemaUrl"});
          if (rs.contains("resource")) {
            message(rs["resource"], p + ".resource",
                    {"attributes", "droppedAttributesCount", "entityRefs"});
            attributes(rs["resource"], p + ".resource");
          }
          string_field(rs, "schemaUrl", p);
          for_array(rs, "scopeSpans", p, [&](const nlohmann::json& ss, const std::string& sp) {
            message(ss, sp, {"scope", "spans", "schemaUrl"});
            if (ss.contains("scope")) {
              message(ss["scope"], sp + ".scope",
                      {"name", "version", "attributes", "droppedAttributesCount"});
              string_field(ss["scope"], "name", sp + ".scope");
              string_field(ss["scope"], "version", sp + ".scope");
              attributes(ss["scope"], sp + ".scope");
            }
            for_array(ss, "spans", sp,
                      [&](const nlohmann::json& s, const std::string& path) { span(s, path); });
          });
        });
    return errors_;
  }

 private:
  void error(const std::string& path, const std::string& what) {
    errors_.push_back(path + ": " + what);
  }

  void message(const nlohmann::json& j, const std::string& path,
               const std::set<std::string>& allowed) {
    if (!j.is_object()) {
      error(path, "is not an object");
      return;
    }
    for (const auto& [key, value] : j.items()) {
      if (!allowed.count(key)) error(path, "unknown field \"" + key + "\"");
    }
  }

  template <typename F>
  void for_array(const nlohmann::json& j, const std::string& key, const std::string& path,
                 F&& each) {
    if (!j.is_object() || !j.contains(key)) return;
    const auto& a = j[key];
    if (!a.is_array()) {
      error(path + "." + key, "is not an array");
      return;
    }
    for (std::size_t i = 0; i < a.size(); ++i)
      each(a[i], path + "." + key + "[" + std::to_string(i) + "]");
  }

  void string_field(const nlohmann::json& j, const std::string& key, const std::string& path) {
    if (j.is_object() && j.contains(key) && !j[key].is_string())
      error(path + "." + key, "is not a string");
  }

  void uint64_string(const nlohmann::json& j, const std::string& key, const std::string& path,
                     bool required) {
    if (!j.contains(key)) {
      if (required) error(path, "missing " + key);
      return;
    }
    const auto& v = j[key];
    // proto3 JSON: (u)int64 as a decimal string (numbers are accepted by parsers, but not by all).
    if (!v.is_string() || v.get<std::string>().empty() ||
        v.get<std::string>().find_first_not_of("0123456789") != std::string::npos) {
      error(path + "." + key, "is not a decimal string");
    }
  }

  void hex_id(const nlohmann::json& j, const std::string& key, const std::string& path,
              std::size_t len, bool required) {
    if (!j.contains(key)) {
      if (required) error(path, "missing " + key);
      return;
    }
    if (!j[key].is_string()) {
      error(path + "." + key, "is not a string");
      return;
    }
    const auto s = j[key].get<std::string>();
    if (s.size() != len || s.find_first_not_of("0123456789abcdef") != std::string::npos) {
      error(path + "." + key, "is not " + std::to_string(len) + " lowercase hex characters: " + s);
    } else if (s.find_first_not_of('0') == std::string::npos) {
      error(path + "." + key, "is all zeroes (invalid id)");
    }
  }

  void any_value(const nlohmann::json& v, const std::string& path) {
    static const std::set<std::string> kKinds = {"stringValue", "boolValue",  "intValue",
                                                 "doubleValue", "arrayValue", "kvlistValue",
                                                 "bytesValue"};
    message(v, path, kKinds);
    if (!v.is_object()) return;
    if (v.size() != 1) error(path, "AnyValue must hold exactly one of its oneof fields");
    if (v.contains("stringValue") && !v["stringValue"].is_string())
      error(path, "stringValue is not a string");
    if (v.contains("boolValue") && !v["boolValue"].is_boolean())
      error(path, "boolValue is not a bool");
    if (v.contains("doubleValue") && !v["doubleValue"].is_number())
      error(path, "doubleValue is not a number");
    if (v.contains("intValue")) {
      const auto& i = v["intValue"];
      const bool ok = i.is_string() && !i.get<std::string>().empty() &&
                      i.get<std::string>().find_first_not_of("-0123456789") == std::string::npos;
      if (!ok) error(path, "intValue is not a decimal string");
    }
  }

  void attributes(const nlohmann::json& j, const std::string& path) {
    for_array(j, "attributes", path, [&](const nlohmann::json& kv, const std::string& p) {
      message(kv, p, {"key", "value"});
      if (!kv.contains("key") || !kv["key"].is_string() || kv["key"].get<std::string>().empty())
        error(p, "bad key");
      if (kv.contains("value")) any_value(kv["value"], p + ".value");
    });
  }

  void span(const nlohmann::json& s, const std::string& path) {
    message(s, path,
            {"traceId", "spanId", "traceState", "parentSpanId", "flags", "name", "kind",
             "startTimeUnixNano", "endTimeUnixNano", "attributes", "droppedAttributesCount",
             "events", "droppedEventsCount", "links", "droppedLinksCount", "status"});
    if (!s.is_object()) return;
    hex_id(s, "traceId", path, 32, true);
    hex_id(s, "spanId", path, 16, true);
    hex_id(s, "parentSpanId", path, 16, false);
    if (!s.contains("name") || !s["name"].is_string() || s["name"].get<std::string>().empty())
      error(path, "missing name");
    if (s.contains("kind") && !(s["kind"].is_number_integer() && s["kind"].get<int>() >= 0 &&
                                s["kind"].get<int>() <= 5)) {
      error(path + ".kind", "is not a SpanKind integer 0..5");
    }
    uint64_string(s, "startTimeUnixNano", path, true);
    uint64_string(s, "endTimeUnixNano", path, true);
    attributes(s, path);
    if (s.contains("status")) {
      const auto& st = s["status"];
      message(st, path + ".status", {"message", "code"});
      if (st.is_object() && st.contains("code") &&
          !(st["code"].is_number_integer() && st["code"].get<int>() >= 0 &&
            st["code"].get<int>() <= 2)) {
        error(path + ".status.code", "is not a StatusCode integer 0..2");
      }
      string_field(st, "message", path + ".status");
    }
  }

  std::vector<std::string> errors_;
};

// Flattened view of the spans for structure checks.
struct FlatSpan {
  std::string trace_id, span_id, parent, name;
  unsigned long long start = 0, end = 0;
  int status = 0;
  std::map<std::string, nlohmann::json> attributes;  // key -> AnyValue
};

inline std::vector<FlatSpan> flatten_spans(const nlohmann::json& request) {
  std::vector<FlatSpan> out;
  for (const auto& rs : request.at("resourceSpans")) {
    for (const auto& ss : rs.at("scopeSpans")) {
      for (const auto& s : ss.at("spans")) {
        FlatSpan f;
        f.trace_id = s.at("traceId");
        f.span_id = s.at("spanId");
        f.parent = s.value("parentSpanId", "");
        f.name = s.at("name");
        f.start = std::stoull(s.at("startTimeUnixNano").get<std::string>());
        f.end = std::stoull(s.at("endTimeUnixNano").get<std::string>());
        if (s.contains("status")) f.status = s["status"].value("code", 0);
        for (const auto& kv : s.value("attributes", nlohmann::json::array()))
          f.attributes[kv.at("key")] = kv.at("value");
        out.push_back(std::move(f));
      }
    }
  }
  return out;
}

}  // namespace clnrm::testing
