// clnrm schema: the JSON Schema of *.clnrm.toml files, for editors (taplo,
// Even Better TOML); written from the parser's key tables (docs/editor-support.md).
#include <clnrm/key_tables.h>

#include <cstdio>

#include "cli/commands.h"

namespace clnrm::cli {

void add_schema_command(CLI::App& app, CliContext& ctx) {
  auto* cmd = app.add_subcommand(
      "schema", "Print the JSON Schema (draft-07) of *.clnrm.toml files, for TOML editors");
  cmd->callback([&ctx] {
    const std::string schema = test_file_json_schema();
    std::fwrite(schema.data(), 1, schema.size(), stdout);
    ctx.exit_code = 0;
  });
}

}  // namespace clnrm::cli
