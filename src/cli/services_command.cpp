// `clnrm services status|logs SERVICE|stop [SERVICE|--all]`: the warm
// service containers that `reuse = true` keeps between runs, queried from the
// real engine by their labels (clnrm.reuse-*; see src/backend/docker/reuse.h).
// The sandbox backend keeps nothing across runs: its services die with their
// test's pod, so there is nothing to list and the command says so.
#include <clnrm/error.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "backend/docker/docker_client.h"
#include "backend/docker/endpoint.h"
#include "backend/docker/owner.h"
#include "commands.h"
#include "project_settings.h"

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

std::string label(const json& c, const char* key) {
  if (auto it = c.find("Labels"); it != c.end() && it->is_object()) return it->value(key, "");
  return {};
}

std::map<std::string, std::string> labels_of(const json& c) {
  std::map<std::string, std::string> out;
  if (auto it = c.find("Labels"); it != c.end() && it->is_object())
    for (const auto& [k, v] : it->items())
      if (v.is_string()) out[k] = v.get<std::string>();
  return out;
}

std::string format_age(long long seconds) {
  if (seconds < 120) return fmt::format("{}s", seconds);
  if (seconds < 7200) return fmt::format("{}m", seconds / 60);
  if (seconds < 172800) return fmt::format("{}h", seconds / 3600);
  return fmt::format("{}d", seconds / 86400);
}

std::unique_ptr<docker::DockerClient> connect(const Flags& f) {
  return docker::connect_engine(
      f.host, "Start one with scripts/start-docker.sh or point DOCKER_HOST / --docker-host at it");
}

// One kept service as the commands show it.
json describe(docker::DockerClient& client, const json& c, int log_lines) {
  using namespace docker;
  const auto l = labels_of(c);
  const long long created = c.value("Created", 0LL);
  const long long now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::string owner = "none (warm, free for the next run)";
  const std::string pid = l.count(kLabelPid) ? l.at(kLabelPid) : "";
  const OwnerState state = owner_state(l);
  if (!pid.empty()) {
    // The labels name the runner that created it; once that runner exits
    // the container stays warm for the next run that asks for the same spec.
    owner = fmt::format("{} pid {} on {} (session {})",
                        state == OwnerState::Alive  ? "runner"
                        : state == OwnerState::Dead ? "warm; created by exited runner"
                                                    : "runner (state unknown)",
                        pid, l.count(kLabelHost) ? l.at(kLabelHost) : "?",
                        l.count(kLabelSession) ? l.at(kLabelSession) : "?");
  }
  const std::string id = c.value("Id", "");
  json j = {{"service", l.count(kLabelService) ? l.at(kLabelService) : ""},
            {"reuse_name", l.count(kLabelReuseName) ? l.at(kLabelReuseName) : ""},
            {"image", c.value("Image", "")},
            {"container_id", id.substr(0, 12)},
            {"state", c.value("State", "")},
            {"status", c.value("Status", "")},
            {"age_seconds", created > 0 ? now - created : 0},
            {"owner", owner},
            {"reuse_hash", l.count(kLabelReuseHash) ? l.at(kLabelReuseHash) : ""}};
  if (log_lines > 0) {
    std::string logs;
    try {
      logs = client.container_logs(id, log_lines);
    } catch (const Error& e) {
      logs = fmt::format("(logs unavailable: {})", e.what());
    }
    j["logs"] = logs;
  }
  return j;
}

// Kept service containers (role service), optionally only those named `name`
// (the service's name, its reuse name "test/service", or a container id prefix).
std::vector<json> kept_services(docker::DockerClient& client, const std::string& name) {
  std::vector<json> out;
  for (const json& c : client.container_list({docker::kLabelReuseHash, std::string(docker::kLabelRole) + "=service"})) {
    const std::string id = c.value("Id", "");
    if (!name.empty() && label(c, docker::kLabelService) != name && label(c, docker::kLabelReuseName) != name &&
        id.rfind(name, 0) != 0)
      continue;
    out.push_back(c);
  }
  return out;
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
  auto client = connect(f);
  json list = json::array();
  for (const json& c : kept_services(*client, f.service)) list.push_back(describe(*client, c, 3));
  if (f.format == "json") {
    std::printf("%s\n", json({{"backend", "docker"}, {"services", list}}).dump(2).c_str());
  } else if (list.empty()) {
    std::printf("no kept services (reuse = true) on %s\n", client->endpoint().describe().c_str());
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
  auto client = connect(f);
  auto found = kept_services(*client, f.service);
  if (found.empty()) {
    std::fprintf(stderr, "clnrm: services logs: no kept service named '%s' (see clnrm services status)\n",
                 f.service.c_str());
    ctx.exit_code = 1;
    return;
  }
  json out = json::array();
  for (const json& c : found) out.push_back(describe(*client, c, f.tail));
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
  auto client = connect(f);
  auto found = kept_services(*client, f.all ? std::string() : f.service);
  if (found.empty() && !f.all) {
    std::fprintf(stderr, "clnrm: services stop: no kept service named '%s'\n", f.service.c_str());
    ctx.exit_code = 1;
    return;
  }
  json removed = json::array();
  for (const json& c : found) {
    // The service and the pod anchor kept with it share the reuse hash.
    const std::string hash = label(c, docker::kLabelReuseHash);
    for (const json& unit : client->container_list({std::string(docker::kLabelReuseHash) + "=" + hash})) {
      client->container_remove(unit.value("Id", ""), true);
      removed.push_back({{"container_id", unit.value("Id", "").substr(0, 12)},
                         {"role", label(unit, docker::kLabelRole)},
                         {"reuse_name", label(unit, docker::kLabelReuseName)}});
    }
  }
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
