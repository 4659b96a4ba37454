// User namespace maps. A root runner (medium and high pods): uid/gid 0..65535
// inside the pod are an unprivileged host range (rootless Podman's layout),
// so nothing that trusts host root -- root-only files, sockets, the root
// user's keyrings -- trusts a test. An unprivileged runner may only map
// itself: uid/gid 0 inside is the runner's own, and setgroups must be denied
// before such a process may write gid_map.
//
// Side: runner (docs/SANDBOX.md, "Code by side").
#include "backend/sandbox/pod_init_launcher.h"
#include "base/unique_fd.h"

#include <clnrm/error.h>
#include <clnrm/sandbox.h>

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

namespace clnrm::sandbox {
namespace {

void write_proc_file(pid_t pid, const char* name, const std::string& value) {
  const std::string path = fmt::format("/proc/{}/{}", pid, name);
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid() || ::write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size())) {
    throw_errno("sandbox: writing " + path + " for the pod's user namespace");
  }
}

}  // namespace

void write_user_namespace_maps(pid_t pid, std::uint32_t host_base) {
  if (::geteuid() == 0) {
    const std::string range = fmt::format("0 {} {}\n", host_base, kPodIdCount);
    write_proc_file(pid, "uid_map", range);
    write_proc_file(pid, "gid_map", range);
    return;
  }
  write_proc_file(pid, "setgroups", "deny");
  write_proc_file(pid, "uid_map", fmt::format("0 {} 1\n", ::geteuid()));
  write_proc_file(pid, "gid_map", fmt::format("0 {} 1\n", ::getegid()));
}

}  // namespace clnrm::sandbox
