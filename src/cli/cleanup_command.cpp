// `clnrm cleanup [--all]`: removes what clnrm processes that are gone
// (SIGKILLed runners, crashed machines) left behind: the sandbox's empty
// cgroup directories and Docker containers, and the docker backend's fresh
// pool (every container no runner is claiming). --all also removes warm reuse
// containers and containers of runs still in progress.
#include <clnrm/docker.h>
#include <clnrm/error.h>
#include <clnrm/sandbox.h>

#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/project_settings.h"

namespace clnrm::cli {

void add_cleanup_command(CLI::App& app, CliContext& ctx) {
  auto* cmd = app.add_subcommand(
      "cleanup",
      "Remove what dead clnrm runs left behind: sandbox cgroup directories (and the spare groups runs keep), Docker containers, "
      "the fresh pool");
  struct Flags {
    bool all = false;
    bool quiet = false;
    std::string host;
    ConfigFlags config;
  };
  auto flags = std::make_shared<Flags>();  // owned by the callback, lives as long as the app
  cmd->add_flag("--all", flags->all, "Also remove warm reuse containers and those of runs still in progress");
  cmd->add_option("--docker-host", flags->host,
                  "Engine address (unix:///path or tcp://host:port); default DOCKER_HOST, then "
                  "CLNRM_DOCKER_SOCKET, then the usual sockets");
  cmd->add_flag("-q,--quiet", flags->quiet, "Print only errors");
  add_config_flags(*cmd, flags->config);
  cmd->callback([&ctx, flags] {
    // Nothing in cleanroom.toml changes what cleanup removes, but a broken
    // one is reported here too (exit 2), not only by the next run.
    const ProjectSettings project = load_project_settings(flags->config);
    if (!flags->quiet) std::printf("cleanup: %s\n", project.note.c_str());
    const bool all = flags->all;
    // The removal a sandbox backend does when it starts (the next `clnrm
    // run`: only groups whose runner process is gone, and empty), and the
    // empty spare groups runs leave for the next one.
    const std::vector<std::string> groups = remove_stale_sandbox_cgroups();
    if (!flags->quiet) {
      for (const auto& dir : groups) std::printf("removed %s\n", dir.c_str());
      std::printf("cleanup: removed %zu cgroup director%s of dead sandbox runs and spare groups\n", groups.size(),
                  groups.size() == 1 ? "y" : "ies");
    }
    DockerOptions options = docker_options_from_environment();
    options.host = flags->host;
    ReapReport r = reap_docker_orphans(options, all, true);
    if (!flags->quiet) {
      for (const auto& name : r.removed_names) std::printf("removed %s\n", name.c_str());
      std::printf("cleanup: removed %d container(s) (%d of the fresh pool); kept %d of live runs, %d warm reuse "
                  "container(s)%s\n",
                  r.removed, r.removed_pool, r.kept_live, r.kept_reuse,
                  (!all && r.kept_reuse) ? " (use --all to remove them)" : "");
    }
    for (const auto& e : r.errors) std::fprintf(stderr, "clnrm: cleanup: %s\n", e.c_str());
    ctx.exit_code = r.errors.empty() ? 0 : 1;
  });
}

}  // namespace clnrm::cli
