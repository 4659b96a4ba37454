// User namespace mapping for an unprivileged runner: uid/gid 0 inside the pod
// is the runner's own uid/gid outside, nothing else is mapped. setgroups must
// be denied before an unprivileged process may write gid_map.
#include "backend/sandbox/pod_init.h"
#include "backend/sandbox/unique_fd.h"

#include <clnrm/error.h>

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

void write_user_namespace_maps(pid_t pid) {
  write_proc_file(pid, "setgroups", "deny");
  write_proc_file(pid, "uid_map", fmt::format("0 {} 1\n", ::geteuid()));
  write_proc_file(pid, "gid_map", fmt::format("0 {} 1\n", ::getegid()));
}

}  // namespace clnrm::sandbox
