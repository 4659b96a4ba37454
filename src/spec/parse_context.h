#pragma once
// Internal to src/spec: the state one parse carries (file name, collected
// diagnostics) and typed readers that report wrong types at the value's
// position instead of throwing. Collecting instead of throwing lets one run of
// `clnrm validate` show every problem of a file at once.

#include <clnrm/spec.h>
#include <toml++/toml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spec/key_tables.h"

namespace clnrm::spec_detail {

SourcePos pos_of(const toml::source_region& region) noexcept;
inline SourcePos pos_of(const toml::node& node) noexcept { return pos_of(node.source()); }
inline SourcePos pos_of(const toml::key& key) noexcept { return pos_of(key.source()); }

// "string", "integer", "array", ... for messages.
std::string_view type_name(const toml::node& node) noexcept;

// What a key clnrm does not act on gets. A key upstream clnrm knows (the
// upstream_only lists) is a warning naming it; any other unknown key is an
// error, unless the user asks for upstream clnrm's leniency (`--upstream`):
// upstream's parser ignores keys it does not know, so then they warn too.
enum class UnactedKeys {
  WarnUpstream,  // default
  WarnAll,       // --upstream
};

class ParseContext {
 public:
  ParseContext(const std::string& file, std::vector<Diagnostic>& out,
               UnactedKeys unacted = UnactedKeys::WarnUpstream, bool keep_patterns = true)
      : file_(file), out_(out), unacted_(unacted), keep_patterns_(keep_patterns) {}

  void error(SourcePos pos, std::string message, DiagnosticKind kind = DiagnosticKind::Other);
  void warning(SourcePos pos, std::string message, DiagnosticKind kind = DiagnosticKind::Other);
  bool has_errors() const noexcept { return errors_ > 0; }
  const std::string& file() const noexcept { return file_; }
  UnactedKeys unacted_keys() const noexcept { return unacted_; }
  // ParseOptions::keep_patterns: read_pattern keeps the compiled regex.
  bool keep_patterns() const noexcept { return keep_patterns_; }
  // A key clnrm does not act on: an error, or under --upstream a warning
  // saying it is ignored. `message` describes the key ("unknown key 'x' in
  // [[steps]] (did you mean 'y'?)"); `upstream_only` says upstream clnrm has
  // the key. Any other key is DiagnosticKind::UnknownKey.
  void unacted_key(SourcePos pos, const std::string& message, bool upstream_only);

 private:
  const std::string& file_;
  std::vector<Diagnostic>& out_;
  UnactedKeys unacted_;
  bool keep_patterns_;
  int errors_ = 0;
};

// The keys valid in one table, plus the keys upstream clnrm accepts there that
// clnrm ignores (each gets a warning naming it instead of an error).
// `known` is a table of spec/key_tables.h (the JSON Schema is written from it).
struct KeySchema {
  std::string_view where;  // "[[steps]]", "[services.db]" for messages
  KeyList known;
  NameList upstream_only = {};
};

// Reports every key of `table` that the schema does not know.
void check_keys(ParseContext& ctx, const toml::table& table, const KeySchema& schema);

// Typed readers. Each returns nullopt (and reports an error naming `key`)
// when the node has the wrong type or an invalid value.
std::optional<std::string> read_string(ParseContext& ctx, const toml::node& node,
                                       std::string_view key);
std::optional<bool> read_bool(ParseContext& ctx, const toml::node& node, std::string_view key);
std::optional<std::int64_t> read_int(ParseContext& ctx, const toml::node& node,
                                     std::string_view key, std::int64_t min, std::int64_t max);
// A list of strings; a single string is accepted as a one-element list.
std::optional<std::vector<std::string>> read_string_list(ParseContext& ctx, const toml::node& node,
                                                         std::string_view key);
// A command: an array of strings (non-empty), or a string run as ["sh", "-c", s].
std::optional<std::vector<std::string>> read_command(ParseContext& ctx, const toml::node& node,
                                                     std::string_view key);
// A table of scalars (strings, numbers, booleans), sorted by key.
std::optional<EnvList> read_env(ParseContext& ctx, const toml::node& node, std::string_view key);
// A duration string ("500ms", "2s"); an integer counts `integer_unit_ms` milliseconds
// each (upstream writes some timeouts as integer seconds or milliseconds).
std::optional<Duration> read_duration(ParseContext& ctx, const toml::node& node,
                                      std::string_view key, std::int64_t integer_unit_ms);
// A regex compiled with RE2; a bad pattern is an error carrying RE2's reason.
// Without ctx.keep_patterns() the compiled regex is dropped (Pattern::re
// null), and a pattern is_plain_pattern (spec/plain_pattern.h) accepts is not
// compiled.
std::optional<Pattern> read_pattern(ParseContext& ctx, const toml::node& node,
                                    std::string_view key);

}  // namespace clnrm::spec_detail
