#include "backend/docker/docker_pod.h"

#include <arpa/inet.h>
#include <clnrm/backend.h>
#include <clnrm/error.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "backend/docker/anchor_network.h"
#include "backend/docker/docker_service.h"
#include "backend/docker/kept_agent.h"
#include "backend/netns_connect.h"
#include "backend/docker/owner.h"
#include "backend/docker/remover.h"
#include "backend/docker/seccomp_helper.h"
#include "backend/host_sockets.h"

namespace clnrm::docker {
namespace {

// The pod anchor and step containers only need to stay alive: `sleep` from
// the image (busybox has it), with a far-away end.
const std::vector<std::string> kSleepForever{"sleep", "2147483647"};

}  // namespace

DockerPod::DockerPod(std::shared_ptr<BackendState> state, PodSpec spec)
    : state_(std::move(state)),
      spec_(std::move(spec)),
      policy_(make_isolation_policy(spec_.level, spec_.limits, spec_.host_network)) {
  if (state_->seccomp_helper.available()) {
    seccomp_prefix_ = seccomp_exec_prefix(policy_);
    exec_prefix_ = reaping_exec_prefix(policy_);
  }
  // Unix sockets inside the volumes are covered in every container, as the
  // sandbox does (find_unix_sockets is the one walker of both backends).
  for (const VolumeSpec& v : spec_.volumes) {
    std::error_code ec;
    if (!std::filesystem::is_directory(v.host_path, ec)) continue;
    for (const std::string& socket : find_unix_sockets(v.host_path))
      covered_.push_back(v.container_path + socket.substr(v.host_path.size()));
  }
  static std::atomic<unsigned> pods{0};
  name_ = fmt::format("clnrm-{}-{}-{}", container_name_part(spec_.session_id, 16), container_name_part(spec_.test_name),
                      pods.fetch_add(1));
}

DockerPod::~DockerPod() {
  try {
    destroy();
  } catch (...) {
    // Destructors never throw; the reaper removes whatever is left.
  }
}

bool DockerPod::host_mode() const { return policy_.network == NetworkMode::Host; }

std::string DockerPod::pod_hostname() const {
  if (!spec_.determinism || host_mode()) return {};
  return std::string(kDeterministicHostname);
}

std::vector<EnforcedLimit> DockerPod::enforced_limits() const {
  // What the engine is asked for in every step and service container's
  // HostConfig (container_spec.cpp); the engine's cgroups enforce limits.
  const SecuritySettings s = security_for(policy_);
  std::vector<EnforcedLimit> e;
  e.push_back({"security level", "docker", std::string(to_string(policy_.level))});
  std::vector<std::string> caps;
  for (const std::string& cap : s.cap_add) {
    std::string lower;
    for (const char ch : cap) lower += static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
    caps.push_back(std::move(lower));
  }
  e.push_back({"capabilities", "docker HostConfig CapDrop=ALL + CapAdd (the level's list)",
               caps.empty() ? "none" : fmt::format("{}", fmt::join(caps, ","))});
  e.push_back({"no_new_privs", "docker SecurityOpt no-new-privileges", s.no_new_privileges ? "on" : "off"});
  if (!policy_.seccomp) {
    e.push_back({"seccomp", "docker default seccomp profile (engine)", "on"});
  } else if (!seccomp_prefix_.empty()) {
    e.push_back({"seccomp",
                 fmt::format("docker default seccomp profile (engine) + clnrm's filter stacked on it by {} (libseccomp; "
                             "bind-mounted read-only from {}) around every step, exec and service command",
                             kSeccompHelperInContainer, state_->seccomp_helper.host_path),
                 fmt::format("on: engine profile + deny {}{}", fmt::join(policy_.denied_syscalls, ","),
                             policy_.deny_new_user_namespaces ? "; new user namespaces" : "")});
  } else {
    e.push_back({"seccomp",
                 fmt::format("docker default seccomp profile (engine) only; clnrm's filter is NOT loaded: {}",
                             state_->seccomp_helper.why_not),
                 "engine profile only (clnrm's deny list not applied)"});
  }
  if (state_->options.step_agent) {
    e.push_back({"step processes",
                 exec_prefix_.empty()
                     ? "step agent (PID 1) kills every other process of the step container after each step "
                       "(kill -9 -1); NOT for steps run by engine exec (inside a service, next to a concurrent "
                       "step): no clnrm-seccomp-exec --reap without the helper"
                     : "step agent (PID 1) kills every other process of the step container after each step "
                       "(kill -9 -1); steps inside a service (through a step agent started with the service's "
                       "container or as one engine exec, or by engine exec next to a concurrent step) run under "
                       "clnrm-seccomp-exec --reap (PR_SET_CHILD_SUBREAPER)",
                 exec_prefix_.empty() ? "agent steps only" : "killed at step end"});
  } else {
    e.push_back({"step processes",
                 exec_prefix_.empty()
                     ? "engine execs; kill -9 -1 by an exec after each step when no other step runs (step "
                       "container only; NOT for steps inside a service: no clnrm-seccomp-exec --reap without the helper)"
                     : "engine execs under clnrm-seccomp-exec --reap (PR_SET_CHILD_SUBREAPER)",
                 exec_prefix_.empty() ? "step containers only" : "killed at step end"});
  }
  e.push_back({"network", host_mode() ? "docker NetworkMode host" : "docker NetworkMode none / container:<pod anchor>",
               std::string(to_string(policy_.network))});
  e.push_back({"root fs", s.read_only_rootfs ? "docker ReadonlyRootfs + Tmpfs" : "container's writable layer over image",
               std::string(to_string(policy_.root_fs))});
  if (s.memory_bytes > 0) {
    e.push_back({"memory", fmt::format("docker cgroup (Memory={}, MemorySwap={})", s.memory_bytes, s.memory_bytes),
                 fmt::format("{} MiB", s.memory_bytes >> 20)});
  }
  if (s.pids_limit > 0) {
    e.push_back({"pids", fmt::format("docker cgroup (PidsLimit={})", s.pids_limit), std::to_string(s.pids_limit)});
  }
  if (s.nano_cpus > 0) {
    e.push_back({"cpu", fmt::format("docker cgroup (NanoCpus={})", s.nano_cpus),
                 fmt::format("{}m", s.nano_cpus / 1'000'000)});
  }
  // Root in the container vs root on the host (user_namespace.h).
  const bool remapped = state_->userns_remap.valid() && state_->userns_remap.get();
  if (!remapped) {
    e.push_back({"user namespace",
                 "none: the engine does not remap (no dockerd --userns-remap), so a container's root is the host's "
                 "uid 0, held in by capabilities, seccomp and the container's mounts",
                 "off"});
  } else if (host_mode()) {
    e.push_back({"user namespace",
                 "none: host networking runs in the host's user namespace (HostConfig UsernsMode=host, needed with "
                 "dockerd --userns-remap), so a container's root is the host's uid 0",
                 "off"});
  } else {
    e.push_back({"user namespace",
                 "docker engine --userns-remap (GET /info SecurityOptions name=userns): a container's root is an "
                 "unprivileged subordinate uid of the host",
                 "on"});
  }
  for (const std::string& warning : policy_.warnings) e.push_back({policy_.host_network_ignored ? "host_network" : "warning", warning, "ignored"});
  return e;
}

std::map<std::string, std::string> DockerPod::labels(const std::string& role, const std::string& service) const {
  auto l = owner_labels(spec_.session_id);
  l[kLabelTest] = spec_.test_name;
  l[kLabelRole] = role;
  if (!service.empty()) l[kLabelService] = service;
  return l;
}

std::string DockerPod::next_name(const std::string& role) { return fmt::format("{}-{}{}", name_, role, counter_++); }

std::string DockerPod::default_image() const {
  return spec_.image.empty() ? state_->options.default_image : spec_.image;
}

std::string DockerPod::create_and_start(const ContainerConfig& config, const std::string& name,
                                        const std::function<void(const std::string&)>& before_start) {
  const std::string id = state_->client->container_create(create_body(config), name);
  // Recorded before start: a failed start still leaves a container to remove.
  owned_.push_back(id);
  if (before_start) before_start(id);
  state_->client->container_start(id);
  return id;
}

ContainerConfig DockerPod::step_config(const std::string& image) const {
  ContainerConfig c;
  c.image = image;
  c.entrypoint = std::vector<std::string>{};
  if (state_->options.step_agent) {
    c.cmd = {"sh", "-c", kStepAgentScript};
    c.open_stdin = true;
  } else {
    c.cmd = kSleepForever;
  }
  c.security = security_for(policy_);
  c.mounts = spec_.volumes;
  c.covered = covered_;
  wrap_with_seccomp_helper(c);
  return c;
}

void DockerPod::wrap_with_seccomp_helper(ContainerConfig& c, bool agent_beside) const {
  // Mounted at every level: engine-exec steps run under its --reap.
  if (state_->seccomp_helper.available()) c.seccomp_helper = state_->seccomp_helper.host_path;
  const std::vector<std::string> prefix = agent_beside ? beside_agent_prefix(exec_prefix_) : seccomp_prefix_;
  if (prefix.empty()) return;
  // Spell out what the engine would run (Entrypoint + Cmd, each from the
  // image when not given) behind the helper, which becomes the Entrypoint.
  // A non-empty Entrypoint makes the engine ignore the image's Cmd, so it is
  // filled in here too.
  const BackendState::ImageCommand image = state_->image_command(c.image);
  std::vector<std::string> command = c.entrypoint ? *c.entrypoint : image.entrypoint;
  const bool image_cmd = c.cmd.empty() && (!c.entrypoint || c.entrypoint->empty());
  for (const std::string& arg : image_cmd ? image.cmd : c.cmd) command.push_back(arg);
  c.entrypoint = prefix;
  c.cmd = std::move(command);
}

std::shared_ptr<DockerPod::StepContainer> DockerPod::make_step_container_locked(const std::string& requested,
                                                                                 bool as_anchor) {
  ContainerConfig c = step_config(state_->resolve_image(requested).first);
  const bool agent = c.open_stdin;
  c.labels = labels(as_anchor ? "pod" : "step");
  c.network_mode = as_anchor ? (host_mode() ? "host" : "none") : network_mode_locked();
  if (as_anchor) c.hostname = pod_hostname();
  auto sc = std::make_shared<StepContainer>();
  sc->is_anchor = as_anchor;
  sc->id = create_and_start(c, as_anchor ? name_ : next_name("step"), [&](const std::string& id) {
    // Attach before start so the agent's first output cannot be missed.
    if (agent) sc->agent = std::make_unique<StepAgent>(*state_->client, id);
  });
  step_containers_[requested] = sc;
  return sc;
}

bool DockerPod::take_standby_anchor_locked() {
  if (!state_->options.standby || host_mode() || !state_->options.step_agent) return false;
  const std::string requested = default_image();
  ContainerConfig c = step_config(state_->resolve_image(requested).first);
  c.network_mode = "none";
  c.hostname = pod_hostname();  // part of the standby's key
  c.labels = owner_labels(spec_.session_id);
  c.labels[kLabelRole] = "pod";
  c.labels[kLabelTest] = "(standby)";
  const std::string key = reuse_hash(reuse_identity(c));
  auto state = state_;
  // Named like every container of the session (clnrm-<session>-...), so
  // `docker ps` shows whose it is; the taking pod keeps the name.
  static std::atomic<unsigned> standbys{0};
  const std::string name =
      fmt::format("clnrm-{}-standby-{}", container_name_part(spec_.session_id, 16), standbys.fetch_add(1));
  auto standby = state_->standby.take(key, [state, c, name] {
    auto& client = *state->client;
    StandbyContainer s;
    s.id = client.container_create(create_body(c), name);
    try {
      s.agent = std::make_unique<StepAgent>(client, s.id);
      client.container_start(s.id);
    } catch (...) {
      client.container_remove(s.id, true);
      throw;
    }
    return s;
  });
  if (!standby) return false;
  auto sc = std::make_shared<StepContainer>();
  sc->id = standby->id;
  sc->is_anchor = true;
  sc->agent = std::move(standby->agent);
  owned_.push_back(sc->id);
  step_containers_[requested] = sc;
  anchor_ = sc->id;
  return true;
}

std::string DockerPod::claim_pooled_locked(const ContainerConfig& c, const std::string& image_id,
                                           const std::string& role, const std::string& name,
                                           const std::vector<std::string>& agent_prefix) {
  const DockerOptions& o = state_->options;
  if (o.pool <= 0 || !c.mounts.empty() || !c.covered.empty()) return {};
  nlohmann::json body = create_body(c);
  body.erase("Labels");
  PoolShape shape;
  shape.key = pool_key(body, image_id);
  shape.role = role;
  shape.body = std::move(body);
  shape.size = o.pool;
  shape.ttl_seconds = o.pool_ttl.count();
  shape.lock_dir = o.lock_dir;
  shape.session_id = spec_.session_id;
  shape.agent_prefix = agent_prefix;
  if (state_->remover) state_->remover->pool_shape(shape);
  std::optional<PoolClaim> claim;
  try {
    claim = claim_pool_entry(*state_->client, o.lock_dir, shape.key, name);
  } catch (const Error&) {
    return {};  // a lock directory we cannot use, an engine refusing: make one as usual
  }
  if (!claim) return {};
  if (state_->remover) state_->remover->pool_claimed(claim->id);
  owned_.push_back(claim->id);
  pool_claims_.push_back(std::move(*claim));
  return pool_claims_.back().id;
}

bool DockerPod::take_pooled_anchor_locked() {
  if (host_mode() || state_->options.pool <= 0) return false;
  // The body make_step_container_locked(default_image(), true) would send.
  const auto [image, image_id] = state_->resolve_image(default_image());
  ContainerConfig c = step_config(image);
  c.network_mode = "none";
  c.hostname = pod_hostname();
  const std::string id = claim_pooled_locked(c, image_id, "pod", name_);
  if (id.empty()) return false;
  auto sc = std::make_shared<StepContainer>();
  sc->id = id;
  sc->is_anchor = true;
  if (c.open_stdin) {
    try {
      // A first attach to the running agent: it has read nothing yet.
      sc->agent = std::make_unique<StepAgent>(*state_->client, id);
    } catch (const Error&) {
      // Engine execs instead.
    }
  }
  step_containers_[default_image()] = sc;
  anchor_ = id;
  return true;
}

std::string DockerPod::ensure_anchor_locked() {
  if (destroyed_) throw Error(ErrorKind::Internal, "pod used after destroy()", name_);
  if (!anchor_.empty()) return anchor_;
  if (state_->options.pause_image.empty()) {
    // The anchor doubles as the step container for the pod's image: one
    // from the fresh pool, else a standby, else a new one.
    if (take_pooled_anchor_locked()) return anchor_;
    if (take_standby_anchor_locked()) return anchor_;
    anchor_ = make_step_container_locked(default_image(), true)->id;
    return anchor_;
  }
  ContainerConfig c;
  c.image = state_->resolve_image(state_->options.pause_image).first;
  c.labels = labels("pod");
  c.network_mode = "none";
  c.hostname = pod_hostname();
  // A pause container only sleeps: the tightest settings whatever the level.
  c.security = security_for(SecurityLevel::High, {});
  c.security.memory_bytes = 32ll << 20;
  c.security.pids_limit = 16;
  anchor_ = create_and_start(c, name_);
  return anchor_;
}

std::string DockerPod::network_mode_locked() {
  if (host_mode()) return "host";
  return "container:" + ensure_anchor_locked();
}

std::string DockerPod::anchor_id() {
  std::lock_guard lock(mutex_);
  return anchor_;
}

std::shared_ptr<DockerPod::StepContainer> DockerPod::step_container_for(const std::string& image_request) {
  std::lock_guard lock(mutex_);
  if (destroyed_) throw Error(ErrorKind::Internal, "pod used after destroy()", name_);
  const std::string requested = image_request.empty() ? default_image() : image_request;
  if (auto it = step_containers_.find(requested); it != step_containers_.end()) return it->second;
  if (anchor_.empty() && !host_mode() && requested == default_image() && state_->options.pause_image.empty()) {
    ensure_anchor_locked();
    return step_containers_.at(requested);
  }
  if (host_mode() && requested == default_image() && state_->options.pause_image.empty() && anchor_.empty()) {
    auto sc = make_step_container_locked(requested, true);
    anchor_ = sc->id;
    return sc;
  }
  return make_step_container_locked(requested, false);
}

void DockerPod::forget_step_container(const std::string& id) {
  std::lock_guard lock(mutex_);
  for (auto it = step_containers_.begin(); it != step_containers_.end(); ++it) {
    if (it->second->id == id) {
      step_containers_.erase(it);
      break;
    }
  }
}

ExecResult DockerPod::exec(const ProcessSpec& spec, const CancelToken& cancel) {
  auto sc = step_container_for(spec.image);
  // Entered before `busy` is taken and left after it is released, so that
  // when the last running step leaves, nobody holds `busy` and the sweep
  // can use the agent.
  StepGate::Step step(sc->gate);
  ExecResult r = run_step(*sc, step, spec, cancel);
  step.finish([&] {
    if (sc->agent && !sc->agent->broken()) {
      // The agent is PID 1: kill -9 -1 there reaches every process steps
      // left, whatever they did to leave their session (step_agent.h).
      std::lock_guard busy(sc->busy);
      try {
        sc->agent->sweep();
      } catch (const Error&) {
        // The agent is gone (and with it the container's processes).
      }
      if (sc->agent->broken() && !sc->is_anchor) forget_step_container(sc->id);
    } else if (!sc->agent) {
      sweep_after_exec_step(*sc, r);
    }
  });
  return r;
}

ExecResult DockerPod::run_step(StepContainer& sc, StepGate::Step& step, const ProcessSpec& spec,
                               const CancelToken& cancel) {
  ExecResult r;
  {
    std::unique_lock busy(sc.busy, std::try_to_lock);
    if (sc.agent && busy.owns_lock() && !sc.agent->broken()) {
      StepAgent& agent = *sc.agent;
      r = agent.run(spec, cancel, [&] {
        // Timed out or cancelled: everything in the container when no other
        // step runs there, else the step's session (the sweep follows when
        // the last of them ends).
        step.decide([&] { agent.interrupt(true); }, [&] { agent.interrupt(false); });
      });
      if (agent.broken() && !sc.is_anchor) {
        // The agent could not be brought back (a step killed it): later steps
        // get a new container.
        forget_step_container(sc.id);
      }
    } else {
      // Engine exec: no agent, or a concurrent step is using it. With the
      // helper the step runs under clnrm-seccomp-exec --reap, a subreaper
      // that kills what the step left when it ends; a timeout kills the
      // reaper's process tree from the host, which holds every orphan of
      // the step (they are reparented to the reaper).
      r = run_exec(
          *state_->client, sc.id, spec, cancel,
          [&](const std::string& exec_id) {
            try {
              kill_host_process_tree(state_->client->exec_inspect(exec_id).value("Pid", 0L));
            } catch (const Error&) {
            }
          },
          exec_prefix_);
    }
  }
  if (r.exit_code == 137 && !r.timed_out) {
    if (auto j = state_->client->container_inspect(sc.id)) r.oom_killed = (*j)["State"].value("OOMKilled", false);
    // State.OOMKilled covers only the container's main process. A step's own
    // process killed by the OOM killer shows in the container's memory cgroup
    // (v1 memory.oom_control, v2 memory.events): a count that grew since we
    // last looked means this SIGKILL was the OOM killer's.
    if (!r.oom_killed) {
      try {
        ProcessSpec probe;
        probe.name = "oom-probe";
        probe.argv = {"sh", "-c",
                      "cat /sys/fs/cgroup/memory/memory.oom_control /sys/fs/cgroup/memory.events 2>/dev/null | "
                      "grep '^oom_kill ' | head -n 1"};
        probe.timeout = Duration(10'000);
        CancelToken never;
        const ExecResult p = run_exec(*state_->client, sc.id, probe, never, {});
        long count = 0;
        if (p.exit_code == 0 && std::sscanf(p.stdout_data.c_str(), "oom_kill %ld", &count) == 1) {
          r.oom_killed = count > sc.oom_kills.exchange(count);
        }
      } catch (const Error&) {
        // The container is gone: nothing more to learn.
      }
    }
  }
  return r;
}

void DockerPod::sweep_after_exec_step(StepContainer& sc, const ExecResult& last) {
  // A step container without the agent runs `sleep` as PID 1. Its steps run
  // under the reaper; only a reaper killed by its own step (exit 137) or no
  // reaper at all (no helper: remote engine) can leave processes behind. No
  // step runs here now, so an exec's kill -9 -1 (every process but PID 1
  // and the caller) removes them. Costs one exec, hence only then.
  if (!exec_prefix_.empty() && last.exit_code != 128 + SIGKILL) return;
  ProcessSpec sweep;
  sweep.name = "sweep";
  sweep.argv = {"sh", "-c", "kill -9 -1 2>/dev/null; true"};
  sweep.timeout = Duration(10'000);
  CancelToken never;
  try {
    run_exec(*state_->client, sc.id, sweep, never, [](const std::string&) {});
  } catch (const Error&) {
    // The container is gone: so are its processes.
  }
}

bool DockerPod::service_step_agent(const std::string& service) const {
  // Its steps run behind the reaper (exec_prefix_), which only a local
  // engine's containers have; ServiceAgent::start checks the rest.
  const auto& with_steps = spec_.services_with_steps;
  return state_->options.step_agent && !exec_prefix_.empty() &&
         std::find(with_steps.begin(), with_steps.end(), service) != with_steps.end();
}

std::unique_ptr<ServiceInstance> DockerPod::start_service(const ProcessSpec& spec) {
  const std::string requested = spec.image.empty() ? state_->options.default_image : spec.image;
  auto [image, image_id] = state_->resolve_image(requested);
  ContainerConfig c;
  c.image = image;
  c.cmd = spec.argv;
  c.env = spec.env;
  c.workdir = spec.workdir;
  c.security = security_for(policy_);
  // One cleanroom: every container of the pod sees all of the test's
  // volumes, as every process of a sandbox pod does.
  c.mounts = spec_.volumes;
  c.covered = covered_;
  // docker-init ships with Docker; Podman's equivalent (catatonit) is an
  // optional package, so Podman services run their command as PID 1.
  c.init = !state_->client->info().podman;
  // The service's command starts its step agent's server beside it, a
  // child of docker-init (kept_agent.h): no engine exec for the agent.
  const bool agent = service_step_agent(spec.name);
  const bool beside = agent && c.init && kept_agents_usable(*state_->client);
  wrap_with_seccomp_helper(c, beside);
  const KeptAgent fresh = beside ? KeptAgent::beside : KeptAgent::none;
  std::lock_guard lock(mutex_);
  if (destroyed_) throw Error(ErrorKind::Internal, "pod used after destroy()", name_);
  const bool reuse = spec.reuse || state_->options.reuse;
  // A warm container owns its own netns, so it can only be adopted as the
  // pod's anchor (before anything else joined) or in host mode.
  if (reuse && (anchor_.empty() || host_mode())) return start_reused(std::move(c), image_id, spec, beside);
  c.labels = labels("service", spec.name);
  const std::string name = next_name("svc-" + container_name_part(spec.name, 20) + "-");
  if (anchor_.empty() && !host_mode() && spec_.one_service_hosts_pod && state_->options.pause_image.empty()) {
    // The test's one service, and no step runs in the pod itself: the
    // service's container owns the pod's network namespace (loopback only,
    // the pod's hostname), so the pod is one container, not an anchor plus
    // the service. A step in the pod after all (a readiness probe) gets a
    // step container that joins it.
    c.network_mode = "none";
    c.hostname = pod_hostname();
    // Its entries get a kept step agent when made (kept_agent.h), so its
    // first step needs no engine exec.
    anchor_ = claim_pooled_locked(c, image_id, "service", name, agent ? exec_prefix_ : std::vector<std::string>{});
    const bool pooled = !anchor_.empty();
    if (!pooled) anchor_ = create_and_start(c, name);
    auto service = std::make_unique<DockerService>(state_, anchor_, spec.name, nullptr, false, exec_prefix_, agent,
                                                   pooled ? KeptAgent::if_running : fresh);
    if (pooled) service->mark_pooled();
    return service;
  }
  c.network_mode = network_mode_locked();
  const std::string id = create_and_start(c, name);
  return std::make_unique<DockerService>(state_, id, spec.name, nullptr, false, exec_prefix_, agent, fresh);
}

// The reuse unit is the service container plus (unless in host mode) the
// pod anchor whose network namespace it lives in; the anchor is also the step
// container, so a test that adopts a warm unit creates no container at all.
std::unique_ptr<ServiceInstance> DockerPod::start_reused(ContainerConfig c, const std::string& image_id,
                                                         const ProcessSpec& spec, bool agent_beside) {
  auto& client = *state_->client;
  const bool with_anchor = !host_mode();
  const bool agent_anchor = with_anchor && state_->options.pause_image.empty();
  // The anchor's create spec, without its labels (filled in below).
  ContainerConfig anchor;
  std::string anchor_image_id;
  if (with_anchor) {
    const std::string requested = agent_anchor ? default_image() : state_->options.pause_image;
    std::string image;
    std::tie(image, anchor_image_id) = state_->resolve_image(requested);
    if (agent_anchor) {
      anchor = step_config(image);
    } else {
      anchor.image = image;
      anchor.security = security_for(SecurityLevel::High, {});
    }
    anchor.network_mode = "none";
    anchor.hostname = pod_hostname();  // part of the unit's identity
  }
  c.network_mode = with_anchor ? "container:" : "host";  // the target id is filled in per unit
  nlohmann::json identity = {{"service", reuse_identity(c)}, {"service_image_id", image_id}};
  if (with_anchor) identity["pod"] = {{"spec", reuse_identity(anchor)}, {"image_id", anchor_image_id}};
  const std::string hash = reuse_hash(identity);
  const std::string reuse_name = spec_.test_name + "/" + spec.name;
  auto reuse_labels = [&](const std::string& role, int slot) {
    auto l = labels(role, role == "service" ? spec.name : std::string());
    l[kLabelReuseHash] = hash;
    l[kLabelReuseSlot] = std::to_string(slot);
    l[kLabelReuseName] = reuse_name;
    return l;
  };

  for (int slot = 0; slot < std::max(1, state_->options.reuse_slots); ++slot) {
    auto lock = std::make_shared<FileLock>(reuse_lock(state_->options.lock_dir, hash, slot));
    if (!lock->held()) continue;  // another runner is using this slot's unit
    std::string service_id, anchor_id;
    bool complete = true;
    std::vector<std::string> found_ids;
    // One list of every warm unit on the engine (listed under the slot's
    // lock, so nobody changes this slot's unit meanwhile) serves both this
    // slot's unit and the sweep of stale units below: one request, not two.
    const auto units = client.container_list({kLabelReuseHash});
    for (const auto& found : units) {
      const auto& l = found["Labels"];
      if (l.value(kLabelReuseHash, "") != hash || l.value(kLabelReuseSlot, "") != std::to_string(slot)) continue;
      found_ids.push_back(found.value("Id", ""));
      const bool running = found.value("State", "") == "running";
      const std::string role = l.value(kLabelRole, "");
      if (!running) complete = false;
      if (role == "service") service_id = found.value("Id", "");
      if (role == "pod") anchor_id = found.value("Id", "");
    }
    if (service_id.empty() || (with_anchor && anchor_id.empty())) complete = false;
    std::shared_ptr<StepContainer> sc;
    if (complete && agent_anchor) {
      // A fresh attach to the running agent; its stdin stayed open.
      try {
        sc = std::make_shared<StepContainer>();
        sc->id = anchor_id;
        sc->is_anchor = true;
        if (anchor.open_stdin) sc->agent = std::make_unique<StepAgent>(client, anchor_id);
      } catch (const Error&) {
        complete = false;
      }
    }
    const bool adopted = complete;
    if (!complete) {
      // Start the unit from scratch: whatever is left of it is unusable.
      for (const auto& id : found_ids) client.container_remove(id, true);
      const std::string base = fmt::format("clnrm-reuse-{}-{}", hash.substr(0, 16), slot);
      if (with_anchor) {
        client.container_remove(base + "-pod", true);  // a leftover of a crash between create and start
        anchor.labels = reuse_labels("pod", slot);
        anchor_id = client.container_create(create_body(anchor), base + "-pod");
        try {
          if (agent_anchor) {
            sc = std::make_shared<StepContainer>();
            sc->id = anchor_id;
            sc->is_anchor = true;
            if (anchor.open_stdin) sc->agent = std::make_unique<StepAgent>(client, anchor_id);
          }
          client.container_start(anchor_id);
        } catch (...) {
          client.container_remove(anchor_id, true);
          throw;
        }
      }
      client.container_remove(base, true);
      c.labels = reuse_labels("service", slot);
      c.network_mode = with_anchor ? "container:" + anchor_id : "host";
      try {
        service_id = client.container_create(create_body(c), base);
        client.container_start(service_id);
      } catch (...) {
        remove_containers(client, {service_id}, anchor_id);
        throw;
      }
    }
    // Units of an older spec of this service are stale: remove those no
    // runner holds right now.
    for (const auto& old : units) {
      const auto& l = old["Labels"];
      const std::string old_hash = l.value(kLabelReuseHash, "");
      if (old_hash == hash || l.value(kLabelReuseName, "") != reuse_name) continue;
      int old_slot = 0;
      try {
        old_slot = std::stoi(l.value(kLabelReuseSlot, "0"));
      } catch (...) {
      }
      FileLock old_lock = reuse_lock(state_->options.lock_dir, old_hash, old_slot);
      if (old_lock.held()) client.container_remove(old.value("Id", ""), true);
    }
    if (with_anchor) {
      anchor_ = anchor_id;
      anchor_reused_ = true;
      anchor_lock_ = lock;
      if (sc) step_containers_[default_image()] = sc;
    }
    // The unit keeps its step agent between runs (kept_agent.h).
    return std::make_unique<DockerService>(state_, service_id, spec.name, lock, adopted, exec_prefix_,
                                           service_step_agent(spec.name), KeptAgent::start);
  }
  // Every slot is busy: run a private, throw-away service instead.
  c.labels = labels("service", spec.name);
  c.network_mode = network_mode_locked();
  const std::string id = create_and_start(c, next_name("svc-" + container_name_part(spec.name, 20) + "-"));
  return std::make_unique<DockerService>(state_, id, spec.name, nullptr, false, exec_prefix_,
                                         service_step_agent(spec.name),
                                         agent_beside ? KeptAgent::beside : KeptAgent::none);
}

std::optional<int> DockerPod::connect_tcp(LoopbackIpv4 address, std::uint16_t port) {
  // Ports are never published. A host-network pod is reached directly; any
  // other from inside the anchor's network namespace, when the engine is
  // local (anchor_network.h); else nullopt, and readiness probes exec in the pod.
  int netns = -1;
  if (!host_mode()) {
    std::lock_guard lock(mutex_);
    if (destroyed_ || anchor_.empty()) return std::nullopt;
    if (!anchor_netns_.valid()) anchor_netns_ = open_container_netns(*state_->client, anchor_);
    if (!anchor_netns_.valid()) return std::nullopt;
    netns = anchor_netns_.get();
  }
  return connect_tcp_in(netns, address, port, std::chrono::milliseconds(1000));
}

void DockerPod::destroy() {
  std::vector<std::string> members;
  std::string anchor;
  std::vector<PoolClaim> claims;
  {
    std::lock_guard lock(mutex_);
    if (destroyed_) return;
    destroyed_ = true;
    for (const auto& id : owned_)
      if (id != anchor_) members.push_back(id);
    if (!anchor_reused_) anchor = anchor_;
    owned_.clear();
    step_containers_.clear();  // closes the agents' attach connections
    anchor_lock_.reset();
    claims.swap(pool_claims_);
  }
  // Once their removal is under way (or done), nobody claims them: the
  // claims end with this scope.
  struct Release {
    std::vector<PoolClaim>& claims;
    ~Release() {
      for (PoolClaim& c : claims) release_pool_claim(c);
    }
  } release{claims};
  if (members.empty() && anchor.empty()) return;
  if (state_->options.async_teardown && state_->remover) {
    state_->remover->enqueue(std::move(members), std::move(anchor));
    return;
  }
  auto errors = remove_containers(*state_->client, members, anchor);
  if (!errors.empty())
    throw Error(ErrorKind::Backend, fmt::format("tearing down pod {}: {}", name_, errors.front()), name_);
}

}  // namespace clnrm::docker
