// Compose interpolation -> clnrm templates (src/compose/interpolation.h).
#include "compose/interpolation.h"

#include <fmt/format.h>

namespace clnrm::compose {
namespace {

bool name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }

// One `$...` at `at` (value[at] == '$'): its end, and the use or a problem.
struct Reference {
  std::size_t end = 0;
  bool literal_dollar = false;  // `$$`, or a `$` not followed by a name
  VariableUse use;
  std::string problem;
};

Reference read_reference(std::string_view value, std::size_t at) {
  Reference r;
  const std::size_t next = at + 1;
  if (next < value.size() && value[next] == '$') {
    r.literal_dollar = true;
    r.end = next + 1;
    return r;
  }
  if (next < value.size() && name_start(value[next])) {
    std::size_t e = next;
    while (e < value.size() && name_char(value[e])) ++e;
    r.use.name = std::string(value.substr(next, e - next));
    r.end = e;
    return r;
  }
  if (next >= value.size() || value[next] != '{') {
    r.literal_dollar = true;  // compose keeps a lone '$'
    r.end = next;
    return r;
  }
  const std::size_t close = value.find('}', next);
  if (close == std::string_view::npos) {
    r.problem = fmt::format("'{}' has an unterminated '${{'", value);
    return r;
  }
  const std::string_view body = value.substr(next + 1, close - next - 1);
  std::size_t e = 0;
  while (e < body.size() && name_char(body[e])) ++e;
  if (e == 0 || !name_start(body[0])) {
    r.problem = fmt::format("'${{{}}}' is not a variable name", body);
    return r;
  }
  r.use.name = std::string(body.substr(0, e));
  r.end = close + 1;
  const std::string_view rest = body.substr(e);
  if (rest.empty()) return r;
  if (rest.find('$') != std::string_view::npos) {
    r.problem = fmt::format("'${{{}}}' nests a variable in another, which clnrm's templates cannot express", body);
    return r;
  }
  if (rest.starts_with(":-")) {
    r.use.default_value = std::string(rest.substr(2));
  } else if (rest.starts_with("-")) {
    r.use.default_value = std::string(rest.substr(1));
  } else if (rest.starts_with(":?") || rest.starts_with("?")) {
    // required: no default
  } else {
    r.problem = fmt::format("'${{{}}}' uses a form clnrm's templates cannot express (only ${{NAME}}, "
                            "${{NAME:-default}}, ${{NAME-default}} and ${{NAME:?message}})",
                            body);
  }
  return r;
}

}  // namespace

Interpolated interpolate(std::string_view value) {
  Interpolated out;
  if (value.find("{{") != std::string_view::npos || value.find("{%") != std::string_view::npos) {
    out.problem = fmt::format("'{}' contains '{{{{' or '{{%', which clnrm would read as a template", value);
    return out;
  }
  std::size_t at = 0;
  while (at < value.size()) {
    const std::size_t dollar = value.find('$', at);
    if (dollar == std::string_view::npos) {
      out.text.append(value.substr(at));
      break;
    }
    out.text.append(value.substr(at, dollar - at));
    Reference r = read_reference(value, dollar);
    if (!r.problem.empty()) {
      out.problem = std::move(r.problem);
      return out;
    }
    if (r.literal_dollar) {
      out.text += '$';
    } else {
      out.text += "{{ vars." + r.use.name + " }}";
      out.uses.push_back(std::move(r.use));
    }
    at = r.end;
  }
  return out;
}

std::optional<std::string> with_defaults(std::string_view value, std::string* problem) {
  std::string text;
  std::size_t at = 0;
  while (at < value.size()) {
    const std::size_t dollar = value.find('$', at);
    if (dollar == std::string_view::npos) {
      text.append(value.substr(at));
      break;
    }
    text.append(value.substr(at, dollar - at));
    Reference r = read_reference(value, dollar);
    if (!r.problem.empty()) {
      *problem = std::move(r.problem);
      return std::nullopt;
    }
    if (r.literal_dollar) {
      text += '$';
    } else if (r.use.default_value) {
      text += *r.use.default_value;
    } else {
      *problem = fmt::format("'{}' needs ${{{}}}, which has no default here, and the host environment is not read",
                             value, r.use.name);
      return std::nullopt;
    }
    at = r.end;
  }
  return text;
}

}  // namespace clnrm::compose
