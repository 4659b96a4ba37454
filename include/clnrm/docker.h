#pragma once
// The Docker / Podman backend (Engine API over a unix socket or tcp://).
// See docs/docker-backend.md for the pod model, labels, reuse and cleanup.

#include <clnrm/backend.h>
#include <clnrm/health_check.h>
#include <clnrm/image.h>  // ImageMap (shared with the sandbox's images)

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clnrm {

struct DockerOptions {
  std::string host;                 // "unix:///path" or "tcp://host:port"; empty: DOCKER_HOST, then default sockets
  ImageMap image_map;               // applied to every image the backend runs
  std::string session_id;           // labels clnrm.session; empty: make_session_id()
  std::string default_image = "clnrm-test/busybox";  // pod/step image when the test names none
  std::string pause_image;          // pod container image; empty: the pod's image (must have `sleep`)
  bool reuse = false;               // --reuse: every service behaves as reuse = true
  bool reap_on_start = true;        // remove containers of dead clnrm processes when the backend starts
  bool pull_missing = false;        // pull an absent image from its registry (CLNRM_DOCKER_PULL=1); off: offline by default (docs/docker-backend.md, "Images, pulls and --image-map")
  std::string lock_dir = "/run/lock";  // reuse locks: <lock_dir>/clnrm-reuse-<hash>-<slot>.lock
  int reuse_slots = 8;              // parallel runners that each get their own warm container per spec
  bool step_agent = true;           // steps via the step agent (attach) instead of engine execs; CLNRM_DOCKER_STEP_AGENT=0
  bool async_teardown = true;       // Pod::destroy returns at once; removal runs in the background (drained by the backend)
  // With async_teardown: removals run in a child process started with the
  // backend (its own session, stdio on /dev/null), which the backend does not
  // wait for when it is destroyed: it finishes what is queued, then removes
  // whatever this process's sessions left, also after a SIGKILL of this
  // process (its command pipe closes). Off: a thread, drained by the backend.
  bool detach_teardown = false;
  // The fresh pool (docs/docker-backend.md, "Fresh pool"): a pod's anchor or
  // lone service container is taken from containers made and started
  // between runs from the same create body and never used; after the run
  // the teardown process (detach_teardown) makes up to `pool` per shape
  // again, kept `pool_ttl` when nobody claims them. 0: off.
  int pool = 0;
  std::chrono::seconds pool_ttl{600};
  bool standby = true;              // keep one started anchor per (image, level, limits) ready for the next pod; CLNRM_DOCKER_STANDBY=0
  // The static clnrm-seccomp-exec helper that applies clnrm's seccomp filter
  // in containers at level high. Empty: CLNRM_SECCOMP_EXEC, then next to the
  // running executable, then ../libexec/clnrm/ from it (an install). Not found (or a tcp:// engine):
  // the engine's default profile only, and enforced_limits() says so.
  std::string seccomp_exec;
};

// Connects (negotiating the API version), reaps orphans when asked, and
// returns the backend. Throws Error(NotSupported) when no engine answers,
// with a message saying how to start one.
std::unique_ptr<Backend> make_docker_backend(DockerOptions options = {});
// DockerOptions with defaults from the environment (CLNRM_DOCKER_PULL=1,
// CLNRM_DOCKER_PAUSE_IMAGE, CLNRM_DOCKER_STEP_AGENT=0, CLNRM_DOCKER_STANDBY=0);
// used by the CLI.
DockerOptions docker_options_from_environment();

// Waits until every pod destroyed so far is removed from the engine
// (async_teardown). No-op for other backends. The backend's destructor
// waits too.
void docker_wait_teardown(Backend& backend);

// True when an engine answers /_ping within `timeout` (for --backend auto).
bool docker_engine_available(const DockerOptions& options = {},
                             std::chrono::milliseconds timeout = std::chrono::milliseconds(500));

struct ReapReport {
  int removed = 0;
  int kept_live = 0;    // owner process still running (or on another host)
  int kept_reuse = 0;   // warm reuse containers (removed only with all = true)
  int kept_pool = 0;    // unexpired fresh pool containers (removed by `clnrm cleanup`)
  int removed_pool = 0; // fresh pool containers among `removed`
  std::vector<std::string> removed_names;
  std::vector<std::string> errors;
};

// Removes containers labelled by clnrm whose owning process on this host is
// gone (pid + start time + boot id checked, so pid reuse does not fool it).
// all = true removes every clnrm container, including warm reuse containers
// and those of runs still in progress. Fresh pool containers (DockerOptions::pool)
// are removed once expired, or a claimed one whose runner is gone; with
// pool = true (`clnrm cleanup`) every one no runner is claiming right now.
ReapReport reap_docker_orphans(const DockerOptions& options, bool all = false, bool pool = false);

// The engine the resolver picks (explicit_host, else DOCKER_HOST,
// CLNRM_DOCKER_SOCKET, the usual sockets) as ImageOptions::engine, so the
// image store exports images from the same engine `clnrm run --backend
// docker` would use; empty when no engine is named and no socket exists.
ImageEngine docker_image_engine(std::string_view explicit_host = {});

// Why no engine answers on the endpoint the resolver picks (explicit_host,
// else DOCKER_HOST, CLNRM_DOCKER_SOCKET, the usual sockets), in the words
// `clnrm run` uses; empty when one answers GET /_ping within `timeout`.
std::string docker_engine_problem(std::string_view explicit_host, std::chrono::milliseconds timeout);

// `clnrm health`'s checks of this backend: does the engine the resolver picks
// answer, and which API version does it speak (src/backend/docker/engine_health.cpp).
struct DockerEngineCheckOptions {
  std::string docker_host;       // --docker-host; empty: the resolver's order
  bool engine_required = false;  // the project runs on docker: no answer is a failure
  std::chrono::milliseconds timeout{2000};
};
std::vector<HealthCheck> check_docker_engine(const DockerEngineCheckOptions& options);
// Is clnrm-seccomp-exec there for a local engine (clnrm's seccomp list in containers at high)?
std::vector<HealthCheck> check_docker_seccomp_helper(std::string_view docker_host = {});

// A service container kept warm by `reuse = true` (`clnrm services`).
struct KeptService {
  std::string service;       // the service's name in its test
  std::string reuse_name;    // "test/service"
  std::string image;
  std::string container_id;  // the first 12 characters
  std::string state;         // the engine's State, e.g. "running"
  std::string status;        // the engine's Status, e.g. "Up 3 minutes"
  long long age_seconds = 0;
  std::string owner;         // the runner holding it, or "none (warm, free for the next run)"
  std::string reuse_hash;
  std::optional<std::string> logs;  // its last log lines, when asked for
};
struct RemovedContainer {
  std::string container_id;  // the first 12 characters
  std::string role;          // service | pod
  std::string reuse_name;
};

// The kept services of one engine (src/backend/docker/kept_services.cpp).
class KeptServices {
 public:
  // Connects to the engine (empty: the resolver's order); throws Error
  // naming where it looked when none answers.
  explicit KeptServices(std::string_view docker_host);
  ~KeptServices();
  KeptServices(const KeptServices&) = delete;
  KeptServices& operator=(const KeptServices&) = delete;

  std::string engine_description() const;
  // Every kept service, or those whose name, reuse name ("test/service") or
  // container id prefix is `name`; with their last `log_lines` lines when > 0.
  std::vector<KeptService> list(const std::string& name, int log_lines);
  // Removes each service's containers (the service and the pod anchor kept with it).
  std::vector<RemovedContainer> stop(const std::vector<KeptService>& services);

 private:
  struct Engine;
  std::unique_ptr<Engine> engine_;
};

}  // namespace clnrm
