#include "backend/docker/container_spec.h"

#include "backend/docker/seccomp_helper.h"

namespace clnrm::docker {

SecuritySettings security_for(const IsolationPolicy& policy) {
  SecuritySettings s;
  // ScratchOverReadOnly: the image layers are read-only and the container's
  // own layer is the writable scratch, so only ReadOnlyWithTmpfs changes HostConfig.
  s.read_only_rootfs = policy.root_fs == RootFs::ReadOnlyWithTmpfs;
  if (s.read_only_rootfs) s.tmpfs = policy.tmpfs;
  // Every level: CapDrop ALL + CapAdd the policy's list, so the set does not
  // depend on the engine's default (Docker's and Podman's differ; low's list
  // leaves out mknod, src/policy/isolation_policy.cpp says why).
  s.drop_all_caps = true;
  for (const std::string& cap : policy.capabilities) {
    std::string upper;
    for (const char ch : cap) upper += static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch);
    s.cap_add.push_back(std::move(upper));
  }
  s.no_new_privileges = policy.no_new_privs;
  const LimitsSpec& limits = policy.limits;
  if (limits.memory_mb) s.memory_bytes = static_cast<std::int64_t>(*limits.memory_mb) << 20;
  if (limits.pids) s.pids_limit = *limits.pids;
  if (limits.cpu_millicores) s.nano_cpus = static_cast<std::int64_t>(*limits.cpu_millicores) * 1'000'000;
  return s;
}

SecuritySettings security_for(SecurityLevel level, const LimitsSpec& limits) {
  return security_for(make_isolation_policy(level, limits));
}

namespace {

nlohmann::json env_array(const EnvList& env) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& [k, v] : env) a.push_back(k + "=" + v);
  return a;
}

nlohmann::json host_config(const ContainerConfig& c) {
  const SecuritySettings& s = c.security;
  nlohmann::json hc = {{"NetworkMode", c.network_mode}, {"ReadonlyRootfs", s.read_only_rootfs}};
  // An engine with --userns-remap refuses to share the host's network
  // namespace from a remapped user namespace ("cannot share the host's
  // network namespace when user namespaces are enabled"): host networking
  // (only at low, with host_network = true) runs in the host's user
  // namespace. Without a remapping engine this changes nothing.
  if (c.network_mode == "host") hc["UsernsMode"] = "host";
  if (s.memory_bytes > 0) {
    hc["Memory"] = s.memory_bytes;
    hc["MemorySwap"] = s.memory_bytes;  // no swap beyond the limit
  }
  if (s.nano_cpus > 0) hc["NanoCpus"] = s.nano_cpus;
  if (s.pids_limit > 0) hc["PidsLimit"] = s.pids_limit;
  if (!s.tmpfs.empty()) {
    nlohmann::json t = nlohmann::json::object();
    for (const auto& p : s.tmpfs) t[p] = "rw,nosuid,nodev,size=256m";
    hc["Tmpfs"] = t;
  }
  if (s.drop_all_caps) hc["CapDrop"] = {"ALL"};
  if (!s.cap_add.empty()) hc["CapAdd"] = s.cap_add;
  if (s.no_new_privileges) hc["SecurityOpt"] = {"no-new-privileges"};
  if (c.init) hc["Init"] = true;
  nlohmann::json mounts = nlohmann::json::array();
  auto bind = [&mounts](const std::string& source, const std::string& target, bool read_only) {
    mounts.push_back({{"Type", "bind"}, {"Source", source}, {"Target", target}, {"ReadOnly", read_only}});
  };
  for (const VolumeSpec& m : c.mounts) bind(m.host_path, m.container_path, m.read_only);
  for (const std::string& socket : c.covered) bind("/dev/null", socket, true);
  if (!c.seccomp_helper.empty()) bind(c.seccomp_helper, std::string(kSeccompHelperInContainer), true);
  if (!mounts.empty()) hc["Mounts"] = std::move(mounts);
  return hc;
}

}  // namespace

nlohmann::json create_body(const ContainerConfig& c) {
  nlohmann::json body = {{"Image", c.image},
                         {"Labels", c.labels},
                         {"Env", env_array(c.env)},
                         {"AttachStdin", false},
                         {"AttachStdout", false},
                         {"AttachStderr", false},
                         {"Tty", false},
                         {"OpenStdin", false},
                         {"HostConfig", host_config(c)}};
  if (c.open_stdin) {
    body["OpenStdin"] = true;
    body["StdinOnce"] = false;
    body["AttachStdin"] = true;
    body["AttachStdout"] = true;
    body["AttachStderr"] = true;
  }
  if (!c.cmd.empty()) body["Cmd"] = c.cmd;
  if (c.entrypoint) body["Entrypoint"] = *c.entrypoint;
  if (!c.workdir.empty()) body["WorkingDir"] = c.workdir;
  if (!c.hostname.empty()) body["Hostname"] = c.hostname;
  return body;
}

nlohmann::json reuse_identity(const ContainerConfig& c) {
  nlohmann::json mounts = nlohmann::json::array();
  for (const auto& m : c.mounts) mounts.push_back({m.host_path, m.container_path, m.read_only});
  nlohmann::json hc = host_config(c);
  hc.erase("NetworkMode");  // holds a pod id; reuse containers own their netns
  nlohmann::json identity = {{"format", 1},
                              {"image", c.image},
                              {"cmd", c.cmd},
                              {"entrypoint", c.entrypoint ? nlohmann::json(*c.entrypoint) : nlohmann::json()},
                              {"env", env_array(c.env)},
                              {"workdir", c.workdir},
                              {"mounts", mounts},
                              {"host_network", c.network_mode == "host"},
                              {"host_config", hc}};
  // Only when set, so units without one keep the identity they had.
  if (!c.hostname.empty()) identity["hostname"] = c.hostname;
  return identity;
}

}  // namespace clnrm::docker
