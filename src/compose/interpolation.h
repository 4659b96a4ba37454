#pragma once
// Compose's variable interpolation (`$VAR`, `${VAR}`, `${VAR:-default}`,
// `${VAR-default}`, `${VAR:?message}`, `$$`), turned into clnrm templates
// instead of being read from the host's environment: a compose file is
// untrusted input like a test file (docs/security.md), so `${DB_PASSWORD}`
// must not copy a runner's secret into the test. Each use becomes
// `{{ vars.NAME }}`; its default, when the file gives one, becomes the
// `[vars]` default (src/compose/compose_import.cpp writes it).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clnrm::compose {

struct VariableUse {
  std::string name;
  std::optional<std::string> default_value;  // `${NAME:-x}` / `${NAME-x}`; none for `${NAME}`, `${NAME:?m}`
};

struct Interpolated {
  std::string text;                 // with {{ vars.NAME }} for each use, `$$` as `$`
  std::vector<VariableUse> uses;    // in order
  std::string problem;              // non-empty: cannot be translated, and why
};

// `value` as a clnrm template string. A problem: a form clnrm has no
// equivalent for (`${A:+x}`, a nested `${A:-${B}}`), an unterminated `${`,
// or text clnrm would itself read as a template (`{{`, `{%`).
Interpolated interpolate(std::string_view value);

// `value` with each variable replaced by its default, for places a template
// cannot go (a port number, a duration): nullopt and `problem` set when a
// variable has no default or the form is not supported.
std::optional<std::string> with_defaults(std::string_view value, std::string* problem);

}  // namespace clnrm::compose
