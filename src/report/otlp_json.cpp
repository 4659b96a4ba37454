// OTLP/JSON by hand rather than through nlohmann::json: a 1,000-test run has
// ~15,000 spans and building a DOM for them costs more than the budget
// (50 ms for the whole export). The tests parse the output with nlohmann and
// check every key against the OTLP message definitions.
#include <clnrm/otlp.h>
#include <clnrm/version.h>
#include <fmt/format.h>

namespace clnrm {
namespace {

bool plain(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

// Appends `s` as a JSON string. Invalid UTF-8 (captured output can hold any
// bytes) becomes U+FFFD so the document always parses.
void append_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t i = 0;
  while (i < s.size()) {
    // Copy runs of characters that need no escaping in one append.
    std::size_t run = i;
    while (run < s.size() && plain(static_cast<unsigned char>(s[run]))) ++run;
    if (run > i) {
      out.append(s.data() + i, run - i);
      i = run;
      if (i == s.size()) break;
    }
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          if (c < 0x20) {
            out += "\\u00";
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xf]);
          } else {
            out.push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    std::size_t len = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c <= 0xdf ? 2 : 0;
    bool ok = len != 0 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k)
      ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
    if (ok && len == 3) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      ok = !(c == 0xe0 && c1 < 0xa0) && !(c == 0xed && c1 >= 0xa0);  // overlong, surrogates
    }
    if (ok && len == 4) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      ok = !(c == 0xf0 && c1 < 0x90) && !(c == 0xf4 && c1 >= 0x90);
    }
    if (ok) {
      out.append(s.data() + i, len);
      i += len;
    } else {
      out += "\xef\xbf\xbd";
      ++i;
    }
  }
  out.push_back('"');
}

void append_attribute(std::string& out, const SpanAttribute& a) {
  out += "{\"key\":";
  append_string(out, a.key);
  out += ",\"value\":{";
  switch (a.type) {
    case SpanAttribute::Type::String:
      out += "\"stringValue\":";
      append_string(out, a.string_value);
      break;
    case SpanAttribute::Type::Int:
      // int64 is a JSON string in the protobuf JSON mapping.
      fmt::format_to(std::back_inserter(out), "\"intValue\":\"{}\"", a.int_value);
      break;
    case SpanAttribute::Type::Double:
      fmt::format_to(std::back_inserter(out), "\"doubleValue\":{}", a.double_value);
      break;
    case SpanAttribute::Type::Bool:
      out += a.bool_value ? "\"boolValue\":true" : "\"boolValue\":false";
      break;
  }
  out += "}}";
}

void append_attributes(std::string& out, const std::vector<SpanAttribute>& attrs) {
  out += "\"attributes\":[";
  for (std::size_t i = 0; i < attrs.size(); ++i) {
    if (i) out.push_back(',');
    append_attribute(out, attrs[i]);
  }
  out.push_back(']');
}

}  // namespace

std::string otlp_json(const std::vector<Span>& spans, const RunResult& run) {
  std::string out;
  out.reserve(256 + spans.size() * 900);
  out += "{\"resourceSpans\":[{\"resource\":{";
  SpanAttribute service_name{"service.name", SpanAttribute::Type::String, "clnrm", 0, 0, false};
  SpanAttribute service_version{
      "service.version", SpanAttribute::Type::String, kVersion, 0, 0, false};
  SpanAttribute session{
      "clnrm.session_id", SpanAttribute::Type::String, run.session_id, 0, 0, false};
  append_attributes(out, {service_name, service_version, session});
  out += "},\"scopeSpans\":[{\"scope\":{\"name\":\"clnrm\",\"version\":";
  append_string(out, kVersion);
  out += "},\"spans\":[";
  for (std::size_t i = 0; i < spans.size(); ++i) {
    const Span& s = spans[i];
    if (i) out.push_back(',');
    out += "{\"traceId\":\"";
    out += s.trace_id.hex();  // the ids' hex form is otlp_spans.cpp's
    out += "\",\"spanId\":\"";
    out += span_id_hex(s.span_id);
    if (s.parent_span_id != 0) {
      out += "\",\"parentSpanId\":\"";
      out += span_id_hex(s.parent_span_id);
    }
    out += "\",\"name\":";
    append_string(out, s.name);
    // SPAN_KIND_INTERNAL: clnrm's own operations, no remote peer.
    fmt::format_to(std::back_inserter(out),
                   ",\"kind\":1,\"startTimeUnixNano\":\"{}\",\"endTimeUnixNano\":\"{}\",",
                   s.start_unix_nano, s.end_unix_nano);
    append_attributes(out, s.attributes);
    fmt::format_to(std::back_inserter(out), ",\"status\":{{\"code\":{}",
                   static_cast<int>(s.status));
    if (!s.status_message.empty()) {
      out += ",\"message\":";
      append_string(out, s.status_message);
    }
    out += "}}";
  }
  out += "]}]}]}";
  return out;
}

std::string trace_json(const RunResult& run) {
  SpanIdGenerator ids;
  return otlp_json(build_spans(run, ids), run);
}

}  // namespace clnrm
