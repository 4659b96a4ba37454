// [vars] and {{ name }} / {{ vars.name }} substitution. Upstream renders files
// with Tera; clnrm supports the part of it test files use in practice (plain
// variable references) and says so clearly for the rest (blocks, filters).
#include <fmt/format.h>

#include <cctype>
#include <vector>

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

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
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

void substitute_in(ParseContext& ctx, toml::node& node,
                   const std::map<std::string, std::string>& vars) {
  if (auto s = node.as_string()) {
    if (!has_template(s->get())) return;
    std::string error;
    if (auto expanded = expand_template(s->get(), vars, &error))
      *s = std::move(*expanded);
    else
      ctx.error(pos_of(node), error);
  } else if (auto t = node.as_table()) {
    for (auto&& [key, value] : *t) substitute_in(ctx, value, vars);
  } else if (auto a = node.as_array()) {
    for (toml::node& element : *a) substitute_in(ctx, element, vars);
  }
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
  for (auto&& [key, value] : *t) {
    if (auto text = scalar_text(value))
      vars.emplace(std::string(key.str()), std::move(*text));
    else
      ctx.error(pos_of(value),
                fmt::format("variable '{}' must be a string, number or boolean, not {}", key.str(),
                            type_name(value)));
  }
  return vars;
}

std::optional<std::string> expand_template(std::string_view text,
                                           const std::map<std::string, std::string>& vars,
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
    std::string_view expr = trim(text.substr(open + 2, close - open - 2));
    if (expr.find('|') != std::string_view::npos || expr.find('(') != std::string_view::npos) {
      *error = fmt::format(
          "template expression '{{{{ {} }}}}' uses filters or functions, which clnrm does not "
          "support; use a plain {{{{ variable }}}}",
          expr);
      return std::nullopt;
    }
    std::string_view name = expr;
    if (name.substr(0, 5) == "vars.") name.remove_prefix(5);
    if (!is_identifier(name)) {
      *error = fmt::format(
          "invalid template expression '{{{{ {} }}}}' (expected {{{{ name }}}} or {{{{ vars.name "
          "}}}})",
          expr);
      return std::nullopt;
    }
    auto it = vars.find(std::string(name));
    if (it == vars.end()) {
      std::vector<std::string_view> names;
      names.reserve(vars.size());
      for (const auto& [k, v] : vars) names.push_back(k);
      if (auto suggestion = closest_match(name, names))
        *error = fmt::format("unknown variable '{}' (did you mean '{}'?)", name, *suggestion);
      else if (vars.empty())
        *error = fmt::format("unknown variable '{}' (no [vars] table defines it)", name);
      else
        *error = fmt::format("unknown variable '{}' (defined in [vars]: {})", name,
                             fmt::join(names, ", "));
      return std::nullopt;
    }
    out.append(it->second);
    at = close + 2;
  }
  out.append(text.substr(at));
  return out;
}

void substitute_vars(ParseContext& ctx, toml::table& root,
                     const std::map<std::string, std::string>& vars) {
  for (auto&& [key, value] : root) {
    if (key.str() == "vars") continue;
    substitute_in(ctx, value, vars);
  }
}

std::optional<std::string> render_text_templates(std::string_view text, std::string* error,
                                                 std::uint32_t* error_line) {
  // Pass 1: [vars] by line scan, since the document is not TOML yet.
  std::map<std::string, std::string> vars;
  bool in_vars = false;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = trim(text.substr(start, end - start));
    start = end + 1;
    if (line.empty() || line.front() == '#') continue;
    if (line.front() == '[') {
      in_vars = line == "[vars]";
      continue;
    }
    if (!in_vars) continue;
    const std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = trim(line.substr(0, eq));
    if (key.size() >= 2 && key.front() == '"' && key.back() == '"')
      key = key.substr(1, key.size() - 2);
    std::string_view value = trim(line.substr(eq + 1));
    // This line scan does not know multi-line strings: the line may be any
    // text, so it is bounded like a whole document.
    const std::string one_value = fmt::format("v = {}", value);
    if (!scan_toml_limits(one_value).violation) {
      try {
        toml::table one = toml::parse(one_value);
        if (auto v = one.get("v"); v && scalar_text(*v)) {
          vars.emplace(std::string(key), *scalar_text(*v));
          continue;
        }
      } catch (const toml::parse_error&) {
      }
    }
    vars.emplace(std::string(key), std::string(value));
  }
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
      auto rendered = expand_template(line, vars, error);
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
