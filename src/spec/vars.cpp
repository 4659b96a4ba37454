// [vars] and {{ name }} / {{ vars.name }} / {{ env.NAME }} substitution.
// Upstream renders files with Tera; clnrm supports the part of it test files
// use in practice (plain references, also into tables and arrays:
// {{ vars.db.host }}, {{ vars.hosts[0] }}) and says so clearly for the rest
// (blocks, filters).
#include <clnrm/parser.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cctype>
#include <vector>

#include "base/trim.h"
#include "spec/sections.h"
#include "spec/suggest.h"
#include "spec/toml_limits.h"

namespace clnrm::spec_detail {
namespace {

std::optional<std::string> scalar_text(const toml::node& node) {
  if (auto s = node.as_string()) return s->get();
  if (auto i = node.as_integer()) return std::to_string(i->get());
  if (auto b = node.as_boolean()) return std::string(b->get() ? "true" : "false");
  if (auto f = node.as_floating_point()) return fmt::format("{}", f->get());
  return std::nullopt;
}

bool is_identifier(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  return true;
}

bool has_template(std::string_view s) {
  return s.find("{{") != std::string_view::npos || s.find("{%") != std::string_view::npos;
}

void substitute_in(ParseContext& ctx, toml::node& node, const TemplateScope& scope) {
  if (auto s = node.as_string()) {
    if (!has_template(s->get())) return;
    std::string error;
    if (auto expanded = expand_template(s->get(), scope, &error))
      *s = std::move(*expanded);
    else
      ctx.error(pos_of(node), error);
  } else if (auto t = node.as_table()) {
    for (auto&& [key, value] : *t) substitute_in(ctx, value, scope);
  } else if (auto a = node.as_array()) {
    for (toml::node& element : *a) substitute_in(ctx, element, scope);
  }
}

}  // namespace

namespace {

// One [vars] value into `out` under `name`: a scalar as text, a table's keys
// as name.key, an array's elements as name.N.
void flatten_var(ParseContext& ctx, const std::string& name, const toml::node& value,
                 std::map<std::string, std::string>& out) {
  if (auto text = scalar_text(value)) {
    out[name] = std::move(*text);
  } else if (auto t = value.as_table()) {
    for (auto&& [key, element] : *t) {
      if (!is_identifier(key.str())) {
        ctx.error(pos_of(element),
                  fmt::format("variable key '{}.{}' must be letters, digits, '_' or '-'", name,
                              key.str()));
        continue;
      }
      flatten_var(ctx, name + "." + std::string(key.str()), element, out);
    }
  } else if (auto a = value.as_array()) {
    for (std::size_t i = 0; i < a->size(); ++i)
      flatten_var(ctx, fmt::format("{}.{}", name, i), *a->get(i), out);
  } else {
    ctx.error(pos_of(value), fmt::format("variable '{}' must be a string, number, boolean, table "
                                         "or array, not {}",
                                         name, type_name(value)));
  }
}

// "hosts[0]" -> "hosts.0", so both spellings Tera accepts name one element.
std::string dotted(std::string_view expr) {
  std::string out;
  out.reserve(expr.size());
  for (char c : expr) {
    if (c == '[')
      out.push_back('.');
    else if (c != ']')
      out.push_back(c);
  }
  return out;
}

bool is_dotted_name(std::string_view name) {
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = name.find('.', start);
    if (!is_identifier(name.substr(start, dot == std::string_view::npos ? dot : dot - start)))
      return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// Names below `name` (its keys or elements), for "is a table" messages.
std::vector<std::string_view> members_of(const std::map<std::string, std::string>& vars,
                                         const std::string& name) {
  std::vector<std::string_view> found;
  const std::string prefix = name + ".";
  for (auto it = vars.lower_bound(prefix); it != vars.end() && it->first.starts_with(prefix); ++it)
    found.push_back(it->first);
  return found;
}

std::string unknown_variable(std::string_view name, const std::map<std::string, std::string>& vars) {
  if (const auto members = members_of(vars, std::string(name)); !members.empty())
    return fmt::format("variable '{}' is a table or array; name one of its values: {}", name,
                       fmt::join(members, ", "));
  std::vector<std::string_view> names;
  names.reserve(vars.size());
  for (const auto& [k, v] : vars) names.push_back(k);
  if (auto suggestion = closest_match(name, names))
    return fmt::format("unknown variable '{}' (did you mean '{}'?)", name, *suggestion);
  if (vars.empty()) return fmt::format("unknown variable '{}' (no [vars] table defines it)", name);
  return fmt::format("unknown variable '{}' (defined: {})", name, fmt::join(names, ", "));
}

std::optional<std::string> environment_value(std::string_view name, const TemplateScope& scope,
                                             std::string* error) {
  const auto it = scope.env.find(std::string(name));
  if (it == scope.env.end()) {
    *error = fmt::format(
        "{{{{ env.{} }}}} reads the runner's environment, which a test file may not do unless "
        "the runner allows that variable: clnrm run --allow-env {}",
        name, name);
    return std::nullopt;
  }
  if (!it->second) {
    *error = fmt::format("{{{{ env.{} }}}}: {} is allowed (--allow-env) but not set", name, name);
    return std::nullopt;
  }
  return *it->second;
}

}  // namespace

std::map<std::string, std::string> read_vars(ParseContext& ctx, const toml::table& root) {
  std::map<std::string, std::string> vars;
  const toml::node* node = root.get("vars");
  if (!node) return vars;
  const toml::table* t = node->as_table();
  if (!t) {
    ctx.error(pos_of(*node),
              fmt::format("'vars' must be a table ([vars]), not {}", type_name(*node)));
    return vars;
  }
  for (auto&& [key, value] : *t) flatten_var(ctx, std::string(key.str()), value, vars);
  return vars;
}

TemplateScope template_scope(const ParseOptions& options,
                             const std::map<std::string, std::string>& file_vars) {
  TemplateScope scope;
  scope.vars = options.project_vars;
  for (const auto& [name, value] : file_vars) scope.vars[name] = value;
  for (const auto& [name, value] : options.cli_vars) scope.vars[name] = value;
  scope.env = options.allowed_env;
  return scope;
}

std::optional<std::string> expand_template(std::string_view text, const TemplateScope& scope,
                                           std::string* error) {
  if (text.find("{%") != std::string_view::npos) {
    *error =
        "template blocks ({% ... %}) are not supported by clnrm; use plain {{ variable }} "
        "references";
    return std::nullopt;
  }
  std::string out;
  out.reserve(text.size());
  std::size_t at = 0;
  while (true) {
    const std::size_t open = text.find("{{", at);
    if (open == std::string_view::npos) break;
    const std::size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      *error = "unterminated '{{' in template (missing '}}')";
      return std::nullopt;
    }
    out.append(text.substr(at, open - at));
    std::string_view expr = trim_space(text.substr(open + 2, close - open - 2));
    if (expr.find('|') != std::string_view::npos || expr.find('(') != std::string_view::npos) {
      *error = fmt::format(
          "template expression '{{{{ {} }}}}' uses filters or functions, which clnrm does not "
          "support; use a plain {{{{ variable }}}}",
          expr);
      return std::nullopt;
    }
    if (expr.starts_with("env.")) {
      const std::string_view name = expr.substr(4);
      if (!is_environment_name(name)) {
        *error = fmt::format("invalid template expression '{{{{ {} }}}}' (expected {{{{ env.NAME }}}})",
                             expr);
        return std::nullopt;
      }
      auto value = environment_value(name, scope, error);
      if (!value) return std::nullopt;
      out.append(*value);
      at = close + 2;
      continue;
    }
    std::string name = dotted(expr);
    if (name.starts_with("vars.")) name.erase(0, 5);
    if (!is_dotted_name(name)) {
      *error = fmt::format(
          "invalid template expression '{{{{ {} }}}}' (expected {{{{ name }}}}, {{{{ vars.name }}}}, "
          "{{{{ vars.table.key }}}}, {{{{ vars.array[0] }}}} or {{{{ env.NAME }}}})",
          expr);
      return std::nullopt;
    }
    auto it = scope.vars.find(name);
    if (it == scope.vars.end()) {
      *error = unknown_variable(name, scope.vars);
      return std::nullopt;
    }
    out.append(it->second);
    at = close + 2;
  }
  out.append(text.substr(at));
  return out;
}

bool may_hold_templates(std::string_view text) {
  // Raw "{{" or "{%" anywhere (also in a key or comment: the walk then finds
  // nothing, which is only slower).
  for (std::size_t at = text.find('{'); at != std::string_view::npos; at = text.find('{', at + 1))
    if (at + 1 < text.size() && (text[at + 1] == '{' || text[at + 1] == '%')) return true;
  // A string's value differs from its text only by escapes. Those that make a
  // character of their own (\u007B, \U0000007B, \x7B) can make '{' or '%';
  // a backslash ending a line in a multi-line string deletes the line break
  // and the blanks after it, which can join '{' to a '{' on the next line.
  // Every other escape makes a character that is neither.
  for (std::size_t at = text.find('\\'); at != std::string_view::npos;
       at = text.find('\\', at + 1)) {
    std::size_t next = at + 1;
    if (next < text.size() && (text[next] == 'u' || text[next] == 'U' || text[next] == 'x'))
      return true;
    while (next < text.size() && (text[next] == ' ' || text[next] == '\t')) ++next;
    if (next < text.size() && (text[next] == '\n' || text[next] == '\r')) return true;
  }
  return false;
}

void substitute_vars(ParseContext& ctx, toml::table& root, const TemplateScope& scope) {
  for (auto&& [key, value] : root) {
    if (key.str() == "vars") continue;
    substitute_in(ctx, value, scope);
  }
}

std::optional<std::string> render_text_templates(std::string_view text, const ParseOptions& options,
                                                 std::string* error, std::uint32_t* error_line) {
  // Pass 1: [vars] by line scan, since the document is not TOML yet.
  std::map<std::string, std::string> vars;
  bool in_vars = false;
  std::string prefix;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = trim_space(text.substr(start, end - start));
    start = end + 1;
    if (line.empty() || line.front() == '#') continue;
    if (line.front() == '[') {
      // [vars] and its sub-tables [vars.db] (keys flattened to db.KEY).
      in_vars = line == "[vars]" || (line.starts_with("[vars.") && line.back() == ']');
      prefix = in_vars && line != "[vars]" ? std::string(line.substr(6, line.size() - 7)) + "." : "";
      continue;
    }
    if (!in_vars) continue;
    const std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = trim_space(line.substr(0, eq));
    if (key.size() >= 2 && key.front() == '"' && key.back() == '"')
      key = key.substr(1, key.size() - 2);
    std::string_view value = trim_space(line.substr(eq + 1));
    // This line scan does not know multi-line strings: the line may be any
    // text, so it is bounded like a whole document.
    const std::string one_value = fmt::format("v = {}", value);
    if (!scan_toml_limits(one_value).violation) {
      try {
        toml::table one = toml::parse(one_value);
        if (auto v = one.get("v"); v && scalar_text(*v)) {
          vars.emplace(prefix + std::string(key), *scalar_text(*v));
          continue;
        }
      } catch (const toml::parse_error&) {
      }
    }
    vars.emplace(prefix + std::string(key), std::string(value));
  }
  const TemplateScope scope = template_scope(options, vars);
  // Pass 2: render line by line so errors keep their line number.
  std::string out;
  out.reserve(text.size());
  std::uint32_t line_no = 0;
  start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    const bool last = end == std::string_view::npos;
    if (last) end = text.size();
    ++line_no;
    std::string_view line = text.substr(start, end - start);
    if (has_template(line)) {
      auto rendered = expand_template(line, scope, error);
      if (!rendered) {
        *error_line = line_no;
        return std::nullopt;
      }
      out.append(*rendered);
    } else {
      out.append(line);
    }
    if (last) break;
    out.push_back('\n');
    start = end + 1;
  }
  return out;
}

}  // namespace clnrm::spec_detail

namespace clnrm {

bool is_variable_name(std::string_view name) { return spec_detail::is_dotted_name(name); }

// POSIX's portable names: what a shell can export and a runner can set.
bool is_environment_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

}  // namespace clnrm
