#include "cli/template_flags.h"

#include <clnrm/error.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace clnrm::cli {
namespace {

bool is_word(std::string_view s, bool dashes) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s.front()))) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && !(dashes && c == '-')) return false;
  return true;
}

// "db.host" or "port": the names [vars] flattens to (src/spec/vars.cpp).
bool is_variable_name(std::string_view name) {
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = name.find('.', start);
    const std::string_view part = name.substr(start, dot == std::string_view::npos ? dot : dot - start);
    const bool index = !part.empty() && std::all_of(part.begin(), part.end(), [](char c) {
      return std::isdigit(static_cast<unsigned char>(c));
    });
    if (!(start > 0 && index) && !is_word(part, true)) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

}  // namespace

void add_template_flags(CLI::App& command, TemplateFlags& flags) {
  command.add_option("--var", flags.vars,
                     "Set a variable for {{ NAME }} / {{ vars.NAME }} in test files (NAME=VALUE, "
                     "repeatable; db.host=x sets a table's key); wins over the file's and "
                     "cleanroom.toml's [vars]")
      ->type_name("NAME=VALUE")
      ->allow_extra_args(false);
  command.add_option("--allow-env", flags.allow_env,
                     "Let test files read this runner environment variable as {{ env.NAME }} "
                     "(repeatable); no other is readable, since a test file is untrusted input")
      ->type_name("NAME")
      ->allow_extra_args(false);
}

void apply_template_flags(const TemplateFlags& flags, ParseOptions& options) {
  for (const std::string& v : flags.vars) {
    const std::size_t eq = v.find('=');
    const std::string name = v.substr(0, eq);
    if (eq == std::string::npos || !is_variable_name(name))
      throw Error(ErrorKind::Usage,
                  fmt::format("'{}' is not NAME=VALUE with NAME made of letters, digits, '_', '-' "
                              "and dots (db.host=x)",
                              v),
                  "--var");
    options.cli_vars[name] = v.substr(eq + 1);
  }
  for (const std::string& name : flags.allow_env) {
    if (!is_word(name, false))
      throw Error(ErrorKind::Usage,
                  fmt::format("'{}' is not an environment variable name (letters, digits, '_')", name),
                  "--allow-env");
    const char* value = std::getenv(name.c_str());
    options.allowed_env[name] = value ? std::optional<std::string>(value) : std::nullopt;
  }
}

}  // namespace clnrm::cli
