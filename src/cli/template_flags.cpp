#include "cli/template_flags.h"

#include <clnrm/error.h>
#include <fmt/format.h>

#include <cstdlib>

namespace clnrm::cli {
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
    if (!is_environment_name(name))
      throw Error(ErrorKind::Usage,
                  fmt::format("'{}' is not an environment variable name (letters, digits, '_')", name),
                  "--allow-env");
    const char* value = std::getenv(name.c_str());
    options.allowed_env[name] = value ? std::optional<std::string>(value) : std::nullopt;
  }
}

}  // namespace clnrm::cli
