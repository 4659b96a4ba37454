#include "spec/parse_context.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "spec/plain_pattern.h"
#include "spec/suggest.h"

namespace clnrm::spec_detail {

SourcePos pos_of(const toml::source_region& region) noexcept {
  return SourcePos{static_cast<std::uint32_t>(region.begin.line),
                   static_cast<std::uint32_t>(region.begin.column)};
}

std::string_view type_name(const toml::node& node) noexcept {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

void ParseContext::error(SourcePos pos, std::string message, DiagnosticKind kind) {
  ++errors_;
  out_.push_back(Diagnostic{Diagnostic::Severity::Error, file_, pos, std::move(message), kind});
}

void ParseContext::warning(SourcePos pos, std::string message, DiagnosticKind kind) {
  out_.push_back(Diagnostic{Diagnostic::Severity::Warning, file_, pos, std::move(message), kind});
}

void ParseContext::unacted_key(SourcePos pos, const std::string& message, bool upstream_only) {
  if (upstream_only)
    warning(pos, fmt::format("{}; it is ignored", message));
  else if (unacted_ == UnactedKeys::WarnAll)
    warning(pos,
            fmt::format("{}; it is ignored (--upstream: upstream clnrm ignores keys it does "
                        "not know)",
                        message),
            DiagnosticKind::UnknownKey);
  else
    error(pos, message, DiagnosticKind::UnknownKey);
}

namespace {

// Spellings from older upstream formats and other tools, with the key meant.
// Used only when the meant key is valid at that place.
struct Rename {
  std::string_view from, to;
};
constexpr Rename kRenames[] = {
    {"exec", "command"},
    {"cmd", "command"},
    {"run", "command"},
    {"container", "service"},
    {"containers", "services"},
    {"environment", "env"},
    {"exit_code", "expected_exit_code"},
    {"expected_output", "expected_output_regex"},
    {"stdout_regex", "expected_output_regex"},
    {"stderr_regex", "expected_stderr_regex"},
    {"depends", "depends_on"},
    {"healthcheck", "health_check"},
    {"wait", "wait_for"},
    {"working_dir", "workdir"},
    {"cwd", "workdir"},
    {"assert", "expected_output_regex"},
    {"scenarios", "scenario"},
    {"step", "steps"},
    {"variables", "vars"},
    {"metadata", "meta"},
};

bool is_section_name(std::string_view name) {
  for (std::string_view section : {"services", "service", "steps", "scenario", "assertions",
                                   "policy", "limits", "determinism", "report", "vars", "meta"})
    if (name == section) return true;
  return false;
}

std::optional<std::string_view> rename_of(std::string_view name, const KeySchema& schema) {
  for (const Rename& r : kRenames)
    if (r.from == name && has_key(schema.known, r.to))
      return r.to;
  return std::nullopt;
}

}  // namespace

void check_keys(ParseContext& ctx, const toml::table& table, const KeySchema& schema) {
  for (auto&& [key, value] : table) {
    const std::string_view name = key.str();
    if (has_key(schema.known, name)) continue;
    if (std::find(schema.upstream_only.begin(), schema.upstream_only.end(), name) !=
        schema.upstream_only.end()) {
      ctx.unacted_key(pos_of(key),
                      fmt::format("key '{}' in {} is an upstream clnrm feature that clnrm does not "
                                  "implement yet",
                                  name, schema.where),
                      true);
      continue;
    }
    if (auto renamed = rename_of(name, schema))
      ctx.unacted_key(
          pos_of(key),
          fmt::format("unknown key '{}' in {} (did you mean '{}'?)", name, schema.where, *renamed),
          false);
    else if (auto suggestion = closest_match(name, key_names(schema.known)))
      ctx.unacted_key(pos_of(key),
                      fmt::format("unknown key '{}' in {} (did you mean '{}'?)", name, schema.where,
                                  *suggestion),
                      false);
    else if (is_section_name(name) && schema.where.front() == '[')
      // A classic TOML trap: `policy = ...` written after [test.metadata] lands in that table.
      ctx.unacted_key(
          pos_of(key),
          fmt::format("unknown key '{}' in {}: keys after a [table] header belong to "
                      "that table; move '{}' above the first header or into its own [{}]",
                      name, schema.where, name, name),
          false);
    else
      ctx.unacted_key(pos_of(key),
                      fmt::format("unknown key '{}' in {} (valid keys: {})", name, schema.where,
                                  fmt::join(key_names(schema.known), ", ")),
                      false);
  }
}

namespace {

void wrong_type(ParseContext& ctx, const toml::node& node, std::string_view key,
                std::string_view expected) {
  ctx.error(pos_of(node), fmt::format("'{}' must be {}, not {}", key, expected, type_name(node)));
}

std::optional<std::string> scalar_to_string(const toml::node& node) {
  if (auto s = node.as_string()) return s->get();
  if (auto i = node.as_integer()) return std::to_string(i->get());
  if (auto b = node.as_boolean()) return std::string(b->get() ? "true" : "false");
  if (auto f = node.as_floating_point()) return fmt::format("{}", f->get());
  return std::nullopt;
}

}  // namespace

std::optional<std::string> read_string(ParseContext& ctx, const toml::node& node,
                                       std::string_view key) {
  if (auto s = node.as_string()) return s->get();
  wrong_type(ctx, node, key, "a string");
  return std::nullopt;
}

std::optional<bool> read_bool(ParseContext& ctx, const toml::node& node, std::string_view key) {
  if (auto b = node.as_boolean()) return b->get();
  wrong_type(ctx, node, key, "a boolean (true or false)");
  return std::nullopt;
}

std::optional<std::int64_t> read_int(ParseContext& ctx, const toml::node& node,
                                     std::string_view key, std::int64_t min, std::int64_t max) {
  auto i = node.as_integer();
  if (!i) {
    wrong_type(ctx, node, key, "an integer");
    return std::nullopt;
  }
  if (i->get() < min || i->get() > max) {
    ctx.error(pos_of(node),
              fmt::format("'{}' = {} is out of range ({}..{})", key, i->get(), min, max));
    return std::nullopt;
  }
  return i->get();
}

std::optional<std::vector<std::string>> read_string_list(ParseContext& ctx, const toml::node& node,
                                                         std::string_view key) {
  if (auto s = node.as_string()) return std::vector<std::string>{s->get()};
  auto arr = node.as_array();
  if (!arr) {
    wrong_type(ctx, node, key, "an array of strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  out.reserve(arr->size());
  bool ok = true;
  for (const toml::node& element : *arr) {
    if (auto s = element.as_string()) {
      out.push_back(s->get());
    } else {
      ctx.error(pos_of(element),
                fmt::format("'{}' must contain only strings, not {}", key, type_name(element)));
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::vector<std::string>> read_command(ParseContext& ctx, const toml::node& node,
                                                     std::string_view key) {
  if (auto s = node.as_string()) {
    if (s->get().find_first_not_of(" \t\r\n") == std::string::npos) {
      ctx.error(pos_of(node), fmt::format("'{}' is empty", key));
      return std::nullopt;
    }
    return std::vector<std::string>{"sh", "-c", s->get()};
  }
  if (!node.is_array()) {
    wrong_type(ctx, node, key, "an array of strings or a shell command string");
    return std::nullopt;
  }
  auto list = read_string_list(ctx, node, key);
  if (!list) return std::nullopt;
  if (list->empty() || (*list)[0].empty()) {
    ctx.error(
        pos_of(node),
        fmt::format("'{}' is empty (give the program and its arguments, e.g. [\"echo\", \"hi\"])",
                    key));
    return std::nullopt;
  }
  return list;
}

std::optional<EnvList> read_env(ParseContext& ctx, const toml::node& node, std::string_view key) {
  auto table = node.as_table();
  if (!table) {
    wrong_type(ctx, node, key, "a table of NAME = \"value\"");
    return std::nullopt;
  }
  EnvList env;
  env.reserve(table->size());
  bool ok = true;
  for (auto&& [name, value] : *table) {
    if (name.str().empty() || name.str().find('=') != std::string_view::npos) {
      ctx.error(pos_of(name),
                fmt::format("invalid environment variable name '{}' in '{}'", name.str(), key));
      ok = false;
      continue;
    }
    if (auto text = scalar_to_string(value)) {
      env.emplace_back(std::string(name.str()), std::move(*text));
    } else {
      ctx.error(pos_of(value),
                fmt::format("'{}.{}' must be a string, not {}", key, name.str(), type_name(value)));
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  std::sort(env.begin(), env.end());
  return env;
}

std::optional<Duration> read_duration(ParseContext& ctx, const toml::node& node,
                                      std::string_view key, std::int64_t integer_unit_ms) {
  if (auto i = node.as_integer()) {
    const std::int64_t max_units =
        (30LL * 24 * 3600 * 1000) / integer_unit_ms;  // parse_duration's 30-day cap
    if (i->get() < 0) {
      ctx.error(pos_of(node), fmt::format("'{}' must not be negative (got {})", key, i->get()));
      return std::nullopt;
    }
    if (i->get() > max_units) {
      ctx.error(pos_of(node),
                fmt::format("'{}' = {} is too long (more than 30 days)", key, i->get()));
      return std::nullopt;
    }
    return Duration(i->get() * integer_unit_ms);
  }
  if (auto s = node.as_string()) {
    const auto d = parse_duration(s->get());
    if (d) return *d;
    ctx.error(pos_of(node), fmt::format("'{}': {}", key, d.error()));
    return std::nullopt;
  }
  wrong_type(ctx, node, key, "a duration string such as \"500ms\", \"5s\" or \"1m\"");
  return std::nullopt;
}

std::optional<Pattern> read_pattern(ParseContext& ctx, const toml::node& node,
                                    std::string_view key) {
  auto s = node.as_string();
  if (!s) {
    wrong_type(ctx, node, key, "a regular expression string");
    return std::nullopt;
  }
  // Nothing to compile for a check when RE2 is known to accept the pattern.
  if (!ctx.keep_patterns() && is_plain_pattern(s->get())) return Pattern{s->get(), nullptr};
  RE2::Options options;
  options.set_log_errors(false);  // the reason goes into our diagnostic, not stderr
  auto re = std::make_shared<const re2::RE2>(s->get(), options);
  if (!re->ok()) {
    ctx.error(pos_of(node), fmt::format("'{}': invalid regular expression \"{}\": {}", key,
                                        s->get(), re->error()));
    return std::nullopt;
  }
  if (!ctx.keep_patterns()) re.reset();
  return Pattern{s->get(), std::move(re)};
}

}  // namespace clnrm::spec_detail
