#pragma once
// The create body of a container (POST /containers/create), including the
// limits and security settings that the test's security level implies.

#include <clnrm/policy.h>
#include <clnrm/spec.h>

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace clnrm::docker {

struct SecuritySettings {
  bool read_only_rootfs = false;
  std::vector<std::string> tmpfs;  // mount points, e.g. "/tmp"
  bool drop_all_caps = false;
  std::vector<std::string> cap_add;
  bool no_new_privileges = false;
  std::int64_t memory_bytes = 0;  // 0: unlimited
  std::int64_t nano_cpus = 0;
  std::int64_t pids_limit = 0;
};

// The IsolationPolicy (include/clnrm/policy.h) mapped onto HostConfig fields.
// Seccomp: Docker's default profile applies at every level (it denies mount,
// kexec, bpf, module loading, new user namespaces without CAP_SYS_ADMIN...);
// at high clnrm's own filter is stacked on it (seccomp_helper.h).
SecuritySettings security_for(const IsolationPolicy& policy);
// Shorthand: security_for(make_isolation_policy(level, limits)).
SecuritySettings security_for(SecurityLevel level, const LimitsSpec& limits);

struct ContainerConfig {
  std::string image;
  std::vector<std::string> cmd;         // empty: the image's CMD
  std::optional<std::vector<std::string>> entrypoint;  // set (possibly empty) to override the image's
  EnvList env;
  std::string workdir;
  std::map<std::string, std::string> labels;
  std::string network_mode = "none";    // none | container:<id> | host (never a bridge)
  SecuritySettings security;
  // The test's volumes (PodSpec::volumes), bound with HostConfig.Mounts (a
  // missing source is an error there; Binds would create a directory).
  std::vector<VolumeSpec> mounts;
  // Paths in the container covered by a read-only bind of /dev/null: the
  // unix sockets inside `mounts` (a socket is a door to the host).
  std::vector<std::string> covered;
  bool init = false;  // docker-init as PID 1: forwards SIGTERM, reaps zombies
  bool open_stdin = false;  // keep stdin open for an attach (the step agent)
  // Empty: the engine's (the container id). Only for a container with a UTS
  // namespace of its own: those joining container:<id> share that one's.
  std::string hostname;
  // Host path of clnrm-seccomp-exec, mounted read-only at
  // kSeccompHelperInContainer (HostConfig.Mounts: a missing source is an
  // error, where Binds would silently create a directory). Empty: none.
  std::string seccomp_helper;
};

nlohmann::json create_body(const ContainerConfig& config);

// The part of a service's create spec that identifies it for reuse (no
// labels, no network target id, no credentials).
nlohmann::json reuse_identity(const ContainerConfig& config);

}  // namespace clnrm::docker
