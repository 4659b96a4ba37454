#include <clnrm/error.h>
#include <clnrm/sandbox.h>
#include <clnrm/signals.h>
#include <clnrm/version.h>

#include <malloc.h>

#include <cstdio>
#include <exception>
#include <string_view>

#include "base/prefault.h"
#include "cli/commands.h"
#include "cli/prebuilt_seccomp.h"

namespace {

// Every command, by the name its add_* function gives it, in --help's order.
struct Command {
  std::string_view name;
  void (*add)(CLI::App&, clnrm::cli::CliContext&);
};
constexpr Command kCommands[] = {
    {"version", &clnrm::cli::add_version_command}, {"validate", &clnrm::cli::add_validate_command},
    {"init", &clnrm::cli::add_init_command},       {"plugins", &clnrm::cli::add_plugins_command},
    {"history", &clnrm::cli::add_history_command}, {"bench", &clnrm::cli::add_bench_command},
    {"health", &clnrm::cli::add_health_command},   {"cleanup", &clnrm::cli::add_cleanup_command},
    {"services", &clnrm::cli::add_services_command}, {"image", &clnrm::cli::add_image_command},
    {"import", &clnrm::cli::add_import_command},   {"schema", &clnrm::cli::add_schema_command},
    {"completion", &clnrm::cli::add_completion_command}, {"man", &clnrm::cli::add_man_command},
    {"run", &clnrm::cli::add_run_command},
};

// About the heap a one-test `clnrm run` grows to (its break at exit less
// its start, bench/peers/one_step.clnrm.toml, before the prefault: 396 KiB).
constexpr std::size_t kRunHeapPrefault = 400 << 10;

// Commands written from every command's definition: they build all.
bool needs_every_command(std::string_view name) { return name == "completion" || name == "man"; }

// Which commands to build. Building every command's options costs more than
// a short command's own work (issue 17: 40 % of `clnrm --version` once the
// shared libraries were cut), so a command line naming a command builds that
// one (its --help and errors are complete; the others are not reachable
// from it) and `--version` alone builds none. Anything else (`--help`, no
// command, a typo) builds all, so the command list and the errors are what
// they always were.
bool wanted(const Command& c, int argc, char** argv) {
  if (argc < 2) return true;
  const std::string_view first = argv[1];
  if (first == "--version" && argc == 2) return false;
  if (needs_every_command(first)) return true;
  for (const Command& known : kCommands)
    if (known.name == first) return &known == &c;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace clnrm::cli;
  clnrm::exit_130_on_early_signals();
  // No fastbins: freeing any chunk over 64 KiB (a growing vector's old
  // buffer) makes glibc consolidate every fastbin chunk, so a parse whose
  // containers keep doubling paid O(n log n) in malloc_consolidate: 100k
  // steps took 11-12x the time of 10k (bench/peers/parse_scaling.sh). Small
  // blocks still go through the per-thread cache.
  mallopt(M_MXFAST, 0);
  const bool run = argc >= 2 && std::string_view(argv[1]) == "run";
  // A run's heap (~400 KiB for one test) faulted in at once, not a page at
  // a time on its way to the first step (base/prefault.h).
  if (run) clnrm::prefault_heap(kRunHeapPrefault);
  // The pods' seccomp programs, compiled when this executable was built.
  clnrm::use_prebuilt_seccomp_programs(clnrm::cli::prebuilt_seccomp_programs());
  // A run's first pod: its namespaces are made on another CPU while this
  // thread reads the command line and the test files (include/clnrm/sandbox.h).
  // Killed at the end when the run made no pod of its kind.
  const clnrm::EarlyPodInitHold early_pod =
      run ? clnrm::start_early_pod_init() : clnrm::EarlyPodInitHold{};
  // Never destroyed: taking apart every option, validator and callback of the
  // commands costs ~0.1 ms at exit, a tenth of what a one-test run spends
  // after its report (issue 17; bench/peers/run_phases.sh, "exited"). It owns
  // nothing but memory, and stays reachable, so leak checkers do not count it.
  static CLI::App& app = *new CLI::App{"clnrm: hermetic integration tests from *.clnrm.toml files", "clnrm"};
  app.set_version_flag("--version", std::string("clnrm ") + clnrm::kVersion);
  app.require_subcommand(1);
  CliContext ctx;
  for (const Command& c : kCommands)
    if (wanted(c, argc, argv)) c.add(app, ctx);

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
