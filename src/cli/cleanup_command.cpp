// `clnrm cleanup [--all]`: removes containers left by clnrm processes that
// are gone (SIGKILLed runners, crashed machines). --all also removes warm
// reuse containers and containers of runs still in progress.
#include <clnrm/docker.h>
#include <clnrm/error.h>

#include <cstdio>
#include <memory>

#include "commands.h"

namespace clnrm::cli {

void add_cleanup_command(CLI::App& app, CliContext& ctx) {
  auto* cmd = app.add_subcommand("cleanup", "Remove Docker containers left behind by dead clnrm runs");
  struct Flags {
    bool all = false;
    bool quiet = false;
    std::string host;
  };
  auto flags = std::make_shared<Flags>();  // owned by the callback, lives as long as the app
  cmd->add_flag("--all", flags->all, "Also remove warm reuse containers and those of runs still in progress");
  cmd->add_option("--docker-host", flags->host,
                  "Engine address (unix:///path or tcp://host:port); default DOCKER_HOST, then the usual sockets");
  cmd->add_flag("-q,--quiet", flags->quiet, "Print only errors");
  cmd->callback([&ctx, flags] {
    const bool all = flags->all;
    DockerOptions options = docker_options_from_environment();
    options.host = flags->host;
    ReapReport r = reap_docker_orphans(options, all);
    if (!flags->quiet) {
      for (const auto& name : r.removed_names) std::printf("removed %s\n", name.c_str());
      std::printf("cleanup: removed %d container(s); kept %d of live runs, %d warm reuse container(s)%s\n", r.removed,
                  r.kept_live, r.kept_reuse, (!all && r.kept_reuse) ? " (use --all to remove them)" : "");
    }
    for (const auto& e : r.errors) std::fprintf(stderr, "clnrm: cleanup: %s\n", e.c_str());
    ctx.exit_code = r.errors.empty() ? 0 : 1;
  });
}

}  // namespace clnrm::cli
