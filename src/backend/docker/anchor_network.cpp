// See anchor_network.h. /proc/PID is opened once as a directory, and both
// the cgroup check and the namespace are read through that descriptor, so
// they are of one process even if the PID is reused meanwhile (reads through
// a dead process's directory fail).
#include "backend/docker/anchor_network.h"

#include <fcntl.h>
#include <unistd.h>

#include <string>

namespace clnrm::docker {

UniqueFd open_container_netns(DockerClient& client, const std::string& container) {
  if (client.endpoint().unix_socket.empty() || container.empty()) return UniqueFd();
  const std::optional<nlohmann::json> inspect = client.container_inspect(container);
  if (!inspect) return UniqueFd();
  const nlohmann::json& state = (*inspect)["State"];
  if (!state.is_object() || !state.value("Running", false)) return UniqueFd();
  const long pid = state.value("Pid", 0L);
  const std::string id = inspect->value("Id", std::string());
  if (pid <= 0 || id.size() < 12) return UniqueFd();

  UniqueFd proc(::open(("/proc/" + std::to_string(pid)).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!proc.valid()) return UniqueFd();
  UniqueFd cgroup_fd(::openat(proc.get(), "cgroup", O_RDONLY | O_CLOEXEC));
  if (!cgroup_fd.valid()) return UniqueFd();
  std::string cgroup;
  char buf[4096];
  for (ssize_t n; (n = ::read(cgroup_fd.get(), buf, sizeof buf)) > 0 && cgroup.size() < (1u << 16);)
    cgroup.append(buf, static_cast<std::size_t>(n));
  if (cgroup.find(id) == std::string::npos) return UniqueFd();
  return UniqueFd(::openat(proc.get(), "ns/net", O_RDONLY | O_CLOEXEC));
}

}  // namespace clnrm::docker
