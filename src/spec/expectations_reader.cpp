// A step's checks beyond its exit code and output regexes: `expect_file`,
// `expect_json`, `expect_http`, `expected_output_file` (docs/test-file-reference.md,
// "Steps"). A test file is untrusted input: an `expect_http` URL may only
// name the cleanroom's loopback, a golden file only a path below the test
// file's directory; anything else is an error at the value.
#include <clnrm/loopback.h>
#include <fmt/format.h>

#include <charconv>
#include <clnrm/parsed.h>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/atomic_file.h"
#include "spec/host_paths.h"
#include "spec/key_tables.h"
#include "spec/sections.h"
#include "spec/table_keys.h"

namespace clnrm::spec_detail {
namespace {

// Each entry of a key that takes one table or an array of tables.
template <typename Read>
void for_each_table(ParseContext& ctx, const toml::node& node, std::string_view key, Read read) {
  if (const toml::table* t = node.as_table()) {
    read(*t);
    return;
  }
  const toml::array* arr = node.as_array();
  if (!arr) {
    ctx.error(pos_of(node), fmt::format("'{}' must be a table or an array of tables ([[steps.{}]]), not {}",
                                        key, key, type_name(node)));
    return;
  }
  for (const toml::node& element : *arr) {
    if (const toml::table* t = element.as_table())
      read(*t);
    else
      ctx.error(pos_of(element),
                fmt::format("each entry of '{}' must be a table, not {}", key, type_name(element)));
  }
}

// A TOML value as JSON (dates and times as their TOML text).
nlohmann::json to_json(const toml::node& node) {
  if (const toml::table* t = node.as_table()) {
    nlohmann::json object = nlohmann::json::object();
    for (auto&& [k, v] : *t) object[std::string(k.str())] = to_json(v);
    return object;
  }
  if (const toml::array* a = node.as_array()) {
    nlohmann::json array = nlohmann::json::array();
    for (const toml::node& v : *a) array.push_back(to_json(v));
    return array;
  }
  if (auto s = node.value<std::string>(); s && node.is_string()) return *s;
  if (node.is_integer()) return *node.value<std::int64_t>();
  if (node.is_floating_point()) return *node.value<double>();
  if (node.is_boolean()) return *node.value<bool>();
  std::ostringstream text;  // date, time, date-time: their TOML text
  if (const auto* d = node.as_date()) text << d->get();
  if (const auto* t = node.as_time()) text << t->get();
  if (const auto* dt = node.as_date_time()) text << dt->get();
  return text.str();
}

std::optional<JsonCheck> read_json_check(ParseContext& ctx, const toml::table& t,
                                         std::string_view where) {
  check_keys(ctx, t, KeySchema{where, kExpectJsonKeys});
  JsonCheck c;
  c.pos = pos_of(t);
  bool ok = true;
  if (const toml::node* n = t.get("path")) {
    if (auto p = read_string(ctx, *n, "path")) {
      if (!p->empty() && p->front() != '/') {
        ctx.error(pos_of(*n), fmt::format("{} path \"{}\" is not a JSON pointer: write it as "
                                          "\"/{}\" (RFC 6901: \"/a/0/b\"; \"\" is the whole document)",
                                          where, *p, *p));
        ok = false;
      } else {
        try {
          (void)nlohmann::json::json_pointer(*p);
          c.pointer = std::move(*p);
        } catch (const nlohmann::json::exception& e) {
          ctx.error(pos_of(*n), fmt::format("{} path \"{}\" is not a JSON pointer: {}", where, *p,
                                            e.what()));
          ok = false;
        }
      }
    } else {
      ok = false;
    }
  } else {
    ctx.error(pos_of(t), fmt::format("{} needs a 'path' (a JSON pointer, e.g. \"/status\")", where));
    ok = false;
  }
  if (const toml::node* n = t.get("equals")) {
    c.expected_json = to_json(*n).dump();
  } else {
    ctx.error(pos_of(t), fmt::format("{} needs 'equals' (the expected value)", where));
    ok = false;
  }
  if (!ok) return std::nullopt;
  return c;
}

std::optional<std::uint32_t> read_mode(ParseContext& ctx, const toml::node& node) {
  auto text = read_string(ctx, node, "mode");
  if (!text) return std::nullopt;
  std::uint32_t mode = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), mode, 8);
  if (text->empty() || ec != std::errc() || end != text->data() + text->size() || mode > 07777) {
    ctx.error(pos_of(node), fmt::format("'mode' = \"{}\" must be octal permission bits such as "
                                        "\"0644\" or \"4755\"",
                                        *text));
    return std::nullopt;
  }
  return mode;
}

std::optional<FileCheck> read_file_check(ParseContext& ctx, const toml::table& t) {
  check_keys(ctx, t, KeySchema{"expect_file", kExpectFileKeys});
  FileCheck c;
  c.pos = pos_of(t);
  bool ok = true;
  if (const toml::node* n = t.get("path")) {
    if (auto p = read_string(ctx, *n, "path")) {
      if (auto normal = normal_absolute_path(*p)) {
        c.path = std::move(*normal);
      } else {
        ctx.error(pos_of(*n), fmt::format("expect_file path \"{}\" must be absolute, without '.' "
                                          "or '..' (a path inside the cleanroom)",
                                          *p));
        ok = false;
      }
    } else {
      ok = false;
    }
  } else {
    ctx.error(pos_of(t), "expect_file needs a 'path' (absolute, inside the cleanroom)");
    ok = false;
  }
  if (const toml::node* n = t.get("exists"))
    if (auto b = read_bool(ctx, *n, "exists")) c.exists = *b;
  if (const toml::node* n = t.get("mode")) c.mode = read_mode(ctx, *n);
  if (const toml::node* n = t.get("content_regex"))
    c.content_regex = read_pattern(ctx, *n, "content_regex");
  if (const toml::node* n = t.get("content_regex_not"))
    c.content_regex_not = read_pattern(ctx, *n, "content_regex_not");
  if (!c.exists)
    for (std::string_view k : {"mode", "content_regex", "content_regex_not"})
      if (const toml::node* n = t.get(k)) {
        ctx.error(pos_of(*n), fmt::format("'{}' checks a file that exists; this expect_file says "
                                          "exists = false",
                                          k));
        ok = false;
      }
  if (!ok) return std::nullopt;
  return c;
}

// The parts of a loopback URL (the one rule, clnrm/loopback.h, as for
// wait_for.http) that the check can reach: it connects over IPv4 to the URL's
// own address inside the cleanroom, so [::1] is refused.
Parsed<LoopbackHttpUrl> ipv4_loopback_http_url(std::string_view url) {
  Parsed<LoopbackHttpUrl> parts = parse_loopback_http_url(url);
  if (parts && !parts->ipv4())
    return Parsed<LoopbackHttpUrl>::failure(fmt::format(
        "host \"{}\": the check connects over IPv4 (write localhost or a 127.0.0.0/8 address)", parts->host));
  return parts;
}

std::optional<HttpCheck> read_http_check(ParseContext& ctx, const toml::table& t) {
  check_keys(ctx, t, KeySchema{"expect_http", kExpectHttpKeys});
  HttpCheck c;
  c.pos = pos_of(t);
  bool ok = true;
  if (const toml::node* n = t.get("url")) {
    if (auto url = read_string(ctx, *n, "url")) {
      const Parsed<LoopbackHttpUrl> parts = ipv4_loopback_http_url(*url);
      if (parts) {
        c.address = *parts->ipv4();
        c.port = parts->port;
        c.url = std::move(*url);
      } else {
        ctx.error(pos_of(*n), fmt::format("expect_http url \"{}\": {} (the request is made inside "
                                          "the cleanroom's network)",
                                          *url, parts.error()));
        ok = false;
      }
    } else {
      ok = false;
    }
  } else {
    ctx.error(pos_of(t), "expect_http needs a 'url' (http://127.0.0.1:PORT/path)");
    ok = false;
  }
  if (const toml::node* n = t.get("method")) {
    if (auto m = read_string(ctx, *n, "method")) {
      const bool token = !m->empty() && m->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") ==
                                            std::string::npos;
      if (token)
        c.method = std::move(*m);
      else
        ctx.error(pos_of(*n), fmt::format("'method' = \"{}\" must be an upper-case HTTP method "
                                          "such as GET or POST",
                                          *m));
    }
  }
  if (const toml::node* n = t.get("body"))
    if (auto b = read_string(ctx, *n, "body")) c.body = std::move(*b);
  if (const toml::node* n = t.get("request_headers")) {
    if (auto h = read_env(ctx, *n, "request_headers")) {
      for (auto& [name, value] : *h) {
        if (name.find_first_of(":\r\n ") != std::string::npos ||
            value.find_first_of("\r\n") != std::string::npos) {
          ctx.error(pos_of(*n), fmt::format("request header '{}' has a ':', space or line break in "
                                            "its name or a line break in its value",
                                            name));
          continue;
        }
        c.request_headers.push_back(fmt::format("{}: {}", name, value));
      }
    }
  }
  if (const toml::node* n = t.get("status"))
    if (auto s = read_int(ctx, *n, "status", 100, 599)) c.status = static_cast<int>(*s);
  if (const toml::node* n = t.get("headers")) {
    if (const toml::table* h = n->as_table()) {
      for (auto&& [name, value] : *h) {
        const std::string key = fmt::format("headers.{}", name.str());
        if (auto p = read_pattern(ctx, value, key)) c.headers.emplace_back(std::string(name.str()), std::move(*p));
      }
    } else {
      ctx.error(pos_of(*n), fmt::format("'headers' must be a table of header name = regex, not {}",
                                        type_name(*n)));
    }
  }
  if (const toml::node* n = t.get("body_regex")) c.body_regex = read_pattern(ctx, *n, "body_regex");
  if (const toml::node* n = t.get("body_regex_not"))
    c.body_regex_not = read_pattern(ctx, *n, "body_regex_not");
  if (const toml::node* n = t.get("json"))
    for_each_table(ctx, *n, "json", [&](const toml::table& jt) {
      if (auto j = read_json_check(ctx, jt, "expect_http json")) c.json.push_back(std::move(*j));
    });
  if (const toml::node* n = t.get("timeout")) {
    c.timeout = read_duration(ctx, *n, "timeout", 1000);
    if (c.timeout && c.timeout->count() == 0)
      ctx.error(pos_of(*n), "expect_http 'timeout' must be greater than 0");
  }
  if (!ok) return std::nullopt;
  return c;
}

std::optional<GoldenFile> read_golden(ParseContext& ctx, const toml::node& node) {
  auto relative = read_string(ctx, node, "expected_output_file");
  if (!relative) return std::nullopt;
  if (auto why = why_not_beneath(*relative)) {
    ctx.error(pos_of(node),
              fmt::format("expected_output_file \"{}\" {}: give a path inside the test file's "
                          "directory, relative to it and without '..'",
                          *relative, *why));
    return std::nullopt;
  }
  auto dir = test_file_dir(ctx, pos_of(node));
  if (!dir) return std::nullopt;
  return GoldenFile{std::move(*dir), std::move(*relative), pos_of(node)};
}

}  // namespace

void read_step_expectations(ParseContext& ctx, const TableKeys& keys, StepSpec& step) {
  if (const toml::node* n = keys.get("expect_file"))
    for_each_table(ctx, *n, "expect_file", [&](const toml::table& ft) {
      if (auto c = read_file_check(ctx, ft)) step.expect_file.push_back(std::move(*c));
    });
  if (const toml::node* n = keys.get("expect_json"))
    for_each_table(ctx, *n, "expect_json", [&](const toml::table& jt) {
      if (auto c = read_json_check(ctx, jt, "expect_json")) step.expect_json.push_back(std::move(*c));
    });
  if (const toml::node* n = keys.get("expect_http"))
    for_each_table(ctx, *n, "expect_http", [&](const toml::table& ht) {
      if (auto c = read_http_check(ctx, ht)) step.expect_http.push_back(std::move(*c));
    });
  if (const toml::node* n = keys.get("expected_output_file"))
    step.expected_output_file = read_golden(ctx, *n);
}

}  // namespace clnrm::spec_detail
