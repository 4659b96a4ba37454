// The pod's filesystem, built inside its fresh mount namespace (a private copy
// of the host's mount table). No pivot_root and no second copy of the tree:
// one recursive mount_setattr makes the copy read-only and private, then
// tmpfs and proc are mounted over it. Nothing of this is visible on the host,
// and it all disappears with the namespace, even after SIGKILL.
#include "backend/sandbox/pod_init.h"

#include <fcntl.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <initializer_list>
#include <string>

namespace clnrm::sandbox {
namespace {

// The parts one after another into `out`, without allocating (cut to fit).
const char* join(char* out, std::size_t size, std::initializer_list<const char*> parts) noexcept {
  std::size_t n = 0;
  for (const char* part : parts) {
    for (const char* p = part; *p != '\0' && n + 1 < size; ++p) out[n++] = *p;
  }
  out[n] = '\0';
  return out;
}

}  // namespace

std::string scratch_options(std::uint64_t scratch_mb, std::optional<std::uint64_t> memory_limit_mb) {
  constexpr std::uint64_t kMiB = 1024 * 1024;
  std::uint64_t bytes = 1024 * kMiB;
  if (scratch_mb > 0) {
    bytes = scratch_mb * kMiB;
  } else if (memory_limit_mb && *memory_limit_mb > 0) {
    bytes = std::max<std::uint64_t>(*memory_limit_mb * kMiB / 2, kMiB);
  }
  return "size=" + std::to_string(bytes);
}

int setup_pod_mounts(const MountPlan& plan, const char** stage) noexcept {
  // Read-only and private in one step: nothing we mount propagates back to
  // the host, nothing the host mounts later shows up in here.
  mount_attr attr{};
  attr.attr_set = MOUNT_ATTR_RDONLY | (plan.nosuid ? MOUNT_ATTR_NOSUID : 0);
  attr.propagation = MS_PRIVATE;
  if (::syscall(SYS_mount_setattr, AT_FDCWD, "/", AT_RECURSIVE, &attr, sizeof attr) != 0) {
    *stage = "mount_setattr(/, read-only + private, recursive) (needs Linux 5.12+)";
    return errno;
  }
  const unsigned long scratch = MS_NOSUID | MS_NODEV;
  const char* size = plan.scratch_size.c_str();
  const char* comma = *size != '\0' ? "," : "";
  char options[2][96];
  const char* sticky = join(options[0], sizeof options[0], {"mode=1777", comma, size});
  const char* plain = join(options[1], sizeof options[1], {"mode=0755", comma, size});
  if (::mount("tmpfs", "/tmp", "tmpfs", scratch, sticky) != 0) {
    *stage = "mount tmpfs on /tmp";
    return errno;
  }
  if (::mkdir(plan.workdir.c_str(), 0755) != 0 && errno != EEXIST) {
    *stage = "mkdir of the workdir (it must be inside /tmp)";
    return errno;
  }
  if (::mount("tmpfs", plan.workdir.c_str(), "tmpfs", scratch, plain) != 0) {
    *stage = "mount tmpfs on the workdir";
    return errno;
  }
  // POSIX shared memory must work (Python multiprocessing, PostgreSQL...).
  if (::mount("tmpfs", "/dev/shm", "tmpfs", scratch, sticky) != 0 && errno != ENOENT) {
    *stage = "mount tmpfs on /dev/shm";
    return errno;
  }
  if (::mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
    *stage = "mount a private /proc";
    return errno;
  }
  return 0;
}


int enter_rootfs(const char* rootfs, const char** stage) noexcept {
  char path[4096];
  if (::mount(rootfs, rootfs, nullptr, MS_BIND | MS_REC, nullptr) != 0) {
    *stage = "bind-mounting the rootfs";
    return errno;
  }
  mount_attr attr{};
  attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID;
  attr.propagation = MS_PRIVATE;
  if (::syscall(SYS_mount_setattr, AT_FDCWD, rootfs, AT_RECURSIVE, &attr, sizeof attr) != 0) {
    *stage = "making the rootfs read-only";
    return errno;
  }
  // The pod's scratch space (with the workdir tmpfs inside), processes and devices.
  if (::mount("/tmp", join(path, sizeof path, {rootfs, "/tmp"}), nullptr, MS_BIND | MS_REC, nullptr) != 0) {
    *stage = "binding the pod's /tmp into the rootfs";
    return errno;
  }
  if (::mount("/proc", join(path, sizeof path, {rootfs, "/proc"}), nullptr, MS_BIND | MS_REC, nullptr) != 0) {
    *stage = "binding the pod's /proc into the rootfs";
    return errno;
  }
  struct stat st {};
  if (::stat(join(path, sizeof path, {rootfs, "/dev"}), &st) == 0 && S_ISDIR(st.st_mode) &&
      ::mount("/dev", path, nullptr, MS_BIND | MS_REC, nullptr) != 0) {
    *stage = "binding /dev into the rootfs";
    return errno;
  }
  if (::chdir(rootfs) != 0 || ::syscall(SYS_pivot_root, ".", ".") != 0) {
    *stage = "pivot_root into the rootfs";
    return errno;
  }
  // The old root now sits under the new one at "/": detach it.
  if (::umount2(".", MNT_DETACH) != 0 || ::chdir("/") != 0) {
    *stage = "detaching the old root";
    return errno;
  }
  return 0;
}

}  // namespace clnrm::sandbox
