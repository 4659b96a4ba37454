#pragma once
// The Backend interface: what the runner needs from an isolation technology.
// A Pod is one test's cleanroom (its own network namespace, scratch space);
// services and steps of the test run inside it and reach each other on
// 127.0.0.1. Destroying a Pod (or its destructor) kills everything in it.
//
// Implementations: sandbox (Linux namespaces, the default), docker (Engine
// API; Podman's compatible API too), null (does nothing, for measuring the
// framework's own overhead).

#include <clnrm/cancel.h>
#include <clnrm/duration.h>
#include <clnrm/exec_result.h>
#include <clnrm/loopback.h>
#include <clnrm/spec.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace clnrm {

// The umask every step and service runs with, in every test. Not an
// environment variable: the backend applies it (umask(2) before each exec in
// the sandbox, src/backend/sandbox/child_exec.cpp; docker's runtime starts
// every container process and exec with 022) so created files have the same
// mode everywhere, whatever the runner's umask.
inline constexpr unsigned kDeterministicUmask = 022;
// The hostname of a test with [determinism] seed or freeze_clock
// (PodSpec::determinism): set in the pod's UTS namespace by the sandbox's pod
// init, and as the pod anchor's Hostname on docker (the pod's containers
// share its UTS namespace).
inline constexpr std::string_view kDeterministicHostname = "clnrm";

struct Capabilities {
  bool hermetic = false;         // own pid/mount/net namespaces per cleanroom
  bool runs_images = false;      // can run an OCI image by name
  bool resource_limits = false;  // memory / pids / cpu limits enforced
  bool network_isolation = false;
  // `reuse = true`: keeps a service warm after its test and shares it with
  // later tests (and runs) of the same definition.
  bool keeps_services = false;
  // False for the null backend (src/backend/null_backend.cpp): it starts no
  // process, so there is no readiness to wait for and no image to run.
  bool runs_processes = true;
};

// What to run. Used for steps (Pod::exec, ServiceInstance::exec) and for
// service main processes (Pod::start_service).
struct ProcessSpec {
  std::string name;                 // step or service name (for ids, labels, CLNRM_STEP)
  std::vector<std::string> argv;    // argv[0] looked up in PATH
  EnvList env;                      // added to the fixed base environment
  std::string workdir;              // empty: the cleanroom's workdir
  std::optional<std::string> stdin_data;  // empty: stdin is /dev/null
  std::optional<Duration> timeout;  // exec only: kill the whole tree after this
  std::string image;                // image-capable backends: run from this image
  std::string rootfs;               // sandbox: run inside this directory as /
  std::size_t output_limit = 16u << 20;  // bytes kept per stream; the rest is dropped
  bool reuse = false;               // docker start_service: adopt/keep a warm container (reuse = true)
};

struct PodSpec {
  std::string session_id;
  std::string test_name;
  std::string image;               // docker: image for the pod's pause process
  SecurityLevel level = SecurityLevel::Medium;
  LimitsSpec limits;
  bool host_network = false;       // only at SecurityLevel::Low
  // Set for a [determinism] test: the pod's hostname is then
  // kDeterministicHostname (above).
  std::optional<DeterminismSpec> determinism;
  // The caller's promise: no services and never two execs at once in this
  // pod (a test without services or concurrent scenarios). The sandbox then
  // runs each step straight under the pod's init instead of in a nested PID
  // namespace: the same cleanup guarantees, one process fewer per step.
  // Breaking the promise is safe (execs are serialised, a started service
  // turns it off), only slower.
  bool sequential_steps = false;
  // The caller's promise: the test has exactly one service and every step
  // runs inside it (`service = "..."`), none in the pod itself. Docker then
  // lets that service's container own the pod's network namespace (one
  // container instead of an anchor plus the service). Breaking the promise
  // is safe while the service runs: a step container joins its namespace.
  bool one_service_hosts_pod = false;
  // The services that steps run inside (`service = "..."`, also in
  // scenarios). Docker starts a step agent in each when it starts
  // (src/backend/docker/service_agent.h); the others get no extra process.
  std::vector<std::string> services_with_steps;
  // Host directories the pod sees read-only at the same path (the sandbox
  // shows nothing of the host beyond its allowlisted system directories
  // otherwise): e.g. a service's `rootfs`. Unix sockets inside are covered.
  std::vector<std::string> shared_host_dirs;
  // Host paths bound at their container_path for the whole pod (every step
  // and service of the test): TestSpec::cleanroom_volumes(). Host paths are
  // absolute and canonical (the parser keeps them inside the test file's
  // directory); read-only unless read_only is false. Unix sockets inside
  // are covered.
  std::vector<VolumeSpec> volumes;
  // Sandbox: (service name, image reference) of every service that runs from
  // an image (and has no `rootfs`). The pod gets an overlayfs root per
  // service when it is made; start_service of that name runs in it.
  std::vector<std::pair<std::string, std::string>> service_images;
  // The test's default image (TestSpec::image): Pod::exec of a step runs in
  // its filesystem. Sandbox: one more overlayfs root, entered by each step,
  // with no process started for it. Docker: the runner also sets `image` to
  // it, so the pod's step container is of this image. `step_image_at` says
  // where the file names it ("file:line:col"), for errors.
  std::string step_image;
  std::string step_image_at;
  // The test file's directory: an image reference naming a file
  // (`oci:dir`, `docker-archive:x.tar`) is resolved inside it, never
  // outside (a test file is untrusted input).
  std::string image_base_dir;
};

// A long-running process (sandbox) or container (docker) inside a pod.
class ServiceInstance {
 public:
  virtual ~ServiceInstance() = default;
  virtual const std::string& id() const = 0;
  virtual bool running() = 0;
  // Exit code once it stopped by itself; nullopt while running.
  virtual std::optional<int> exit_code() = 0;
  // Combined stdout+stderr collected so far, at most the last `tail_bytes`.
  virtual std::string logs(std::size_t tail_bytes = 64u << 10) = 0;
  // Runs a command inside the service (steps with `service = "x"`).
  virtual ExecResult exec(const ProcessSpec& spec, const CancelToken& cancel) = 0;
  // SIGTERM, then SIGKILL after `grace`. Idempotent.
  virtual void stop(Duration grace) = 0;
  // One line for readiness-failure messages, e.g. "running" or
  // "exited (exit code 1, OOMKilled)"; "" when the backend cannot tell.
  virtual std::string describe_state() { return {}; }
  // True when this instance was not started now but adopted: a warm
  // `reuse = true` service an earlier test or run left running (docker). The
  // reports' "reused" and clnrm_containers_reused_total count these.
  virtual bool reused() const { return false; }
  // True when this instance is a never-used container another run's
  // teardown made for the fresh pool (docker `--pool`), not started now.
  // Fresh state, unlike reused(); the reports' "pooled".
  virtual bool pooled() const { return false; }
  // The ports whose readiness the service's own definition implies (a
  // sandbox image's ExposedPorts): the runner waits on them when the test
  // gives the service no wait_for, health_check or ports. Empty: none.
  virtual std::vector<std::uint16_t> default_ready_ports() const { return {}; }
};

class Pod {
 public:
  virtual ~Pod() = default;
  virtual const std::string& id() const = 0;
  // Runs a step to completion in a fresh process tree inside the pod. Never
  // throws for a failing command (that is an ExecResult); throws Error when
  // the backend itself fails. Returns early (killed, timed_out=false) when
  // `cancel` is set.
  virtual ExecResult exec(const ProcessSpec& spec, const CancelToken& cancel) = 0;
  virtual std::unique_ptr<ServiceInstance> start_service(const ProcessSpec& spec) = 0;
  // A TCP connection to address:port (127.0.0.1 by default, any of
  // 127.0.0.0/8) inside the pod's network, made from the runner (fd >= 0), -1
  // when nothing listens, or nullopt when this backend cannot connect from
  // outside (then readiness probes use exec instead).
  virtual std::optional<int> connect_tcp(LoopbackIpv4 address, std::uint16_t port) = 0;
  // Kills every process of the pod and frees its resources. Idempotent; the
  // destructor calls it.
  virtual void destroy() = 0;
  // What enforces the pod's security level and limits. Empty when the backend
  // enforces nothing (null backend).
  virtual std::vector<EnforcedLimit> enforced_limits() const { return {}; }
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string_view name() const = 0;
  virtual Capabilities capabilities() const = 0;
  virtual std::unique_ptr<Pod> create_pod(const PodSpec& spec) = 0;
  // A hint: the next create_pod will ask for a pod of `spec`'s kind. A
  // backend may start making it now, so its making overlaps what the runner
  // does before the test (the sandbox does, on its standby thread). Nothing
  // changes for the caller; create_pod is right without it.
  virtual void expect_pod(const PodSpec& /*spec*/) {}
};

// Returns success for everything without running anything.
std::unique_ptr<Backend> make_null_backend();

// The id of this session, which backends label what they create with: a
// short unique id, 12 lowercase hex chars from pid, time and a counter.
std::string make_session_id();

}  // namespace clnrm
