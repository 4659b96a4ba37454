// `clnrm services status|logs SERVICE|stop [SERVICE|--all]`: the warm
// service containers that `reuse = true` keeps between runs, queried from the
// real engine by their labels (KeptServices in include/clnrm/docker.h).
// The sandbox backend keeps nothing across runs: its services die with their
// test's pod, so there is nothing to list and the command says so.
#include <clnrm/docker.h>
#include <clnrm/error.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/project_settings.h"

namespace clnrm::cli {
namespace {

using nlohmann::json;

constexpr const char* kSandboxNote =
    "sandbox backend: reuse = true keeps nothing across runs (a service lives only as long as its test's pod); "
    "there are no kept services to show. Kept services exist only with --backend docker.";

struct Flags {
  std::string backend;  // not given: cleanroom.toml's backend (auto: docker), else docker
  std::string host;
  std::string format = "human";
  std::string service;
  bool all = false;
  int tail = 20;
  ConfigFlags config;
};

// --backend, else the project's backend (kept services live only in an
// engine, so auto means docker), else docker.
Flags with_project_settings(Flags f) {
  const ProjectSettings project = load_project_settings(f.config);
  if (f.backend.empty() && project.config && !project.config->backend.empty())
    f.backend = project.config->backend == "sandbox" ? "sandbox" : "docker";
  if (f.backend.empty()) f.backend = "docker";
  return f;
}

std::string format_age(long long seconds) {
  if (seconds < 120) return fmt::format("{}s", seconds);
  if (seconds < 7200) return fmt::format("{}m", seconds / 60);
  if (seconds < 172800) return fmt::format("{}h", seconds / 3600);
  return fmt::format("{}d", seconds / 86400);
}

// One kept service as the commands show it (JSON keys as in --format json).
json describe(const KeptService& s) {
  json j = {{"service", s.service},
            {"reuse_name", s.reuse_name},
            {"image", s.image},
            {"container_id", s.container_id},
            {"state", s.state},
            {"status", s.status},
            {"age_seconds", s.age_seconds},
            {"owner", s.owner},
            {"reuse_hash", s.reuse_hash}};
  if (s.logs) j["logs"] = *s.logs;
  return j;
}

bool sandbox_note(const Flags& f, CliContext& ctx) {
  if (f.backend == "docker") return false;
  if (f.format == "json") {
    std::printf("%s\n", json({{"backend", f.backend}, {"services", json::array()}, {"note", kSandboxNote}}).dump(2).c_str());
  } else {
    std::printf("%s\n", kSandboxNote);
  }
  ctx.exit_code = 0;
  return true;
}

void status(const Flags& f, CliContext& ctx) {
  if (sandbox_note(f, ctx)) return;
  KeptServices engine(f.host);
  json list = json::array();
  for (const KeptService& s : engine.list(f.service, 3)) list.push_back(describe(s));
  if (f.format == "json") {
    std::printf("%s\n", json({{"backend", "docker"}, {"services", list}}).dump(2).c_str());
  } else if (list.empty()) {
    std::printf("no kept services (reuse = true) on %s\n", engine.engine_description().c_str());
  } else {
    std::printf("%-24s %-28s %-12s %-9s %-6s %s\n", "SERVICE", "IMAGE", "CONTAINER", "STATE", "AGE", "OWNER");
    for (const json& s : list) {
      std::printf("%-24s %-28s %-12s %-9s %-6s %s\n", s["reuse_name"].get<std::string>().c_str(),
                  s["image"].get<std::string>().c_str(), s["container_id"].get<std::string>().c_str(),
                  s["state"].get<std::string>().c_str(), format_age(s["age_seconds"].get<long long>()).c_str(),
                  s["owner"].get<std::string>().c_str());
      const std::string logs = s.value("logs", "");
      std::size_t start = 0;
      while (start < logs.size()) {
        std::size_t end = logs.find('\n', start);
        if (end == std::string::npos) end = logs.size();
        std::printf("    | %s\n", logs.substr(start, end - start).c_str());
        start = end + 1;
      }
    }
  }
  ctx.exit_code = 0;
}

void logs(const Flags& f, CliContext& ctx) {
  if (sandbox_note(f, ctx)) return;
  KeptServices engine(f.host);
  const std::vector<KeptService> found = engine.list(f.service, f.tail);
  if (found.empty()) {
    std::fprintf(stderr, "clnrm: services logs: no kept service named '%s' (see clnrm services status)\n",
                 f.service.c_str());
    ctx.exit_code = 1;
    return;
  }
  json out = json::array();
  for (const KeptService& s : found) out.push_back(describe(s));
  if (f.format == "json") {
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    for (const json& s : out) {
      if (out.size() > 1) std::printf("==> %s (%s) <==\n", s["reuse_name"].get<std::string>().c_str(),
                                      s["container_id"].get<std::string>().c_str());
      std::fputs(s["logs"].get<std::string>().c_str(), stdout);
    }
  }
  ctx.exit_code = 0;
}

void stop(const Flags& f, CliContext& ctx) {
  if (sandbox_note(f, ctx)) return;
  if (f.service.empty() && !f.all) {
    std::fprintf(stderr, "clnrm: services stop: name a SERVICE or pass --all\n");
    ctx.exit_code = 2;
    return;
  }
  KeptServices engine(f.host);
  const std::vector<KeptService> found = engine.list(f.all ? std::string() : f.service, 0);
  if (found.empty() && !f.all) {
    std::fprintf(stderr, "clnrm: services stop: no kept service named '%s'\n", f.service.c_str());
    ctx.exit_code = 1;
    return;
  }
  json removed = json::array();
  for (const RemovedContainer& r : engine.stop(found))
    removed.push_back({{"container_id", r.container_id}, {"role", r.role}, {"reuse_name", r.reuse_name}});
  if (f.format == "json") {
    std::printf("%s\n", json({{"removed", removed}}).dump(2).c_str());
  } else {
    for (const json& r : removed)
      std::printf("removed %s %s (%s)\n", r["role"].get<std::string>().c_str(),
                  r["reuse_name"].get<std::string>().c_str(), r["container_id"].get<std::string>().c_str());
    std::printf("services stop: removed %zu container(s)\n", removed.size());
  }
  ctx.exit_code = 0;
}

}  // namespace

void add_services_command(CLI::App& app, CliContext& ctx) {
  auto* cmd = app.add_subcommand("services", "Show, tail or stop services kept warm by reuse = true");
  cmd->require_subcommand(1);
  auto flags = std::make_shared<Flags>();
  auto common = [flags](CLI::App* sub) {
    sub->add_option("--backend", flags->backend,
                    "docker (kept services live in the engine) or sandbox; default: [defaults] "
                    "backend of cleanroom.toml (auto: docker), else docker")
        ->check(CLI::IsMember({"docker", "sandbox"}));
    sub->add_option("--docker-host", flags->host,
                    "Engine address; default DOCKER_HOST, then CLNRM_DOCKER_SOCKET, then the usual "
                    "sockets");
    add_config_flags(*sub, flags->config);
    sub->add_option("--format", flags->format, "human or json")->check(CLI::IsMember({"human", "json"}));
  };
  auto* st = cmd->add_subcommand("status", "List kept services: name, image, container, state, age, owner, last logs");
  common(st);
  st->add_option("SERVICE", flags->service, "Only this service");
  st->callback([&ctx, flags] { status(with_project_settings(*flags), ctx); });
  auto* lg = cmd->add_subcommand("logs", "Print a kept service's last log lines");
  common(lg);
  lg->add_option("SERVICE", flags->service, "Service name, test/service, or container id prefix")->required();
  lg->add_option("-n,--tail", flags->tail, "Number of lines (0: all)");
  lg->callback([&ctx, flags] { logs(with_project_settings(*flags), ctx); });
  auto* sp = cmd->add_subcommand("stop", "Remove kept services (and their pod anchors)");
  common(sp);
  sp->add_option("SERVICE", flags->service, "Service name, test/service, or container id prefix");
  sp->add_flag("--all", flags->all, "Every kept service");
  sp->callback([&ctx, flags] { stop(with_project_settings(*flags), ctx); });
}

}  // namespace clnrm::cli
