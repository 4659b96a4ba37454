#include <clnrm/error.h>
#include <clnrm/signals.h>
#include <clnrm/version.h>

#include <cstdio>
#include <exception>

#include "cli/commands.h"

int main(int argc, char** argv) {
  using namespace clnrm::cli;
  clnrm::exit_130_on_early_signals();
  CLI::App app{"clnrm: hermetic integration tests from *.clnrm.toml files", "clnrm"};
  app.set_version_flag("--version", std::string("clnrm ") + clnrm::kVersion);
  app.require_subcommand(1);
  CliContext ctx;
  add_version_command(app, ctx);
  add_validate_command(app, ctx);
  add_init_command(app, ctx);
  add_plugins_command(app, ctx);
  add_history_command(app, ctx);
  add_bench_command(app, ctx);
  add_health_command(app, ctx);
  add_cleanup_command(app, ctx);
  add_services_command(app, ctx);
  add_image_command(app, ctx);
  add_run_command(app, ctx);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  } catch (const clnrm::Error& e) {
    std::fprintf(stderr, "clnrm: error: %s\n", e.describe().c_str());
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "clnrm: internal error: %s\n", e.what());
    return 1;
  }
  return ctx.exit_code;
}
