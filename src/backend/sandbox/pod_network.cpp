// Hostname and network of a pod: `cleanroom` (`clnrm` for a [determinism]
// test), and in its own network namespace only loopback, brought up with one
// ioctl (no netlink, no `ip`).
//
// Side: inside the pod (docs/SANDBOX.md, "Code by side"); includes no
// runner-side header.
#include "backend/sandbox/pod_network.h"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace clnrm::sandbox {

int set_pod_hostname(const char* hostname, const char** stage) noexcept {
  if (hostname == nullptr) hostname = kPodHostname;
  if (::sethostname(hostname, std::strlen(hostname)) != 0) {
    *stage = "sethostname";
    return errno;
  }
  return 0;
}

// Raw syscalls: the child of start_network_beside shares pod init's
// thread-local storage, and glibc's wrappers of cancellation points (close,
// open) write the thread's cancellation state. errno is shared too: a
// failure of both at the same instant could swap their error numbers, never
// hide a failure.
int bring_up_loopback(const char** stage) noexcept {
  const int sock = static_cast<int>(::syscall(SYS_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (sock < 0) {
    *stage = "socket for bringing up loopback";
    return errno;
  }
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, "lo", 3);
  long rc = ::syscall(SYS_ioctl, sock, SIOCGIFFLAGS, &ifr);
  if (rc == 0) {
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP | IFF_RUNNING);
    rc = ::syscall(SYS_ioctl, sock, SIOCSIFFLAGS, &ifr);
  }
  const int e = errno;
  ::syscall(SYS_close, sock);
  if (rc != 0) {
    *stage = "bringing up loopback (SIOCSIFFLAGS)";
    return e;
  }
  return 0;
}

namespace {

// The child: a network namespace of its own, loopback up, and a descriptor
// of it in the table it shares with pod init. Returns (exits) either way;
// what failed stays in `memory`.
int make_network(void* arg) noexcept {
  auto& memory = *static_cast<NetworkBesideMemory*>(arg);
  if (::syscall(SYS_unshare, CLONE_NEWNET) != 0) {
    memory.error = errno;
    memory.stage = "making the pod's network namespace (unshare)";
    return 0;
  }
  if (int e = bring_up_loopback(&memory.stage); e != 0) {
    memory.error = e;
    return 0;
  }
  const long fd = ::syscall(SYS_openat, memory.proc_fd, "thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    memory.error = errno;
    memory.stage = "opening the pod's network namespace";
    return 0;
  }
  memory.fd = static_cast<int>(fd);
  return 0;
}

}  // namespace

int start_network_beside(NetworkBesideMemory& memory) noexcept {
  // No exit signal: pod init reaps it by pid (__WALL), whatever SIGCHLD
  // disposition it has of the runner.
  memory.proc_fd = static_cast<int>(::syscall(SYS_openat, AT_FDCWD, "/proc", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (memory.proc_fd < 0) return errno;
  const int pid = ::clone(make_network, memory.stack + sizeof memory.stack, CLONE_VM | CLONE_FILES, &memory);
  if (pid < 0) return errno;
  memory.pid = pid;
  return 0;
}

int enter_network_beside(NetworkBesideMemory& memory, const char** stage) noexcept {
  int status = 0;
  while (::waitpid(memory.pid, &status, __WALL) < 0) {
    if (errno != EINTR) {
      *stage = "waiting for the pod's network namespace";
      return errno;
    }
  }
  memory.pid = -1;
  // The child was the pod's PID 2: the next process is PID 2 again, as in a
  // pod whose clone made its network namespace (the first step's $$). The
  // write goes to the writer's PID namespace, the pod's (and needs
  // CAP_SYS_ADMIN in its user namespace, which pod init has). Where the
  // host's /proc/sys is read-only the first step is PID 3; nothing else
  // changes.
  const long last_pid = ::syscall(SYS_openat, memory.proc_fd, "sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
  if (last_pid >= 0) {
    ::syscall(SYS_write, last_pid, "1", 1);
    ::syscall(SYS_close, last_pid);
  }
  ::close(memory.proc_fd);
  memory.proc_fd = -1;
  if (memory.error != 0) {
    *stage = memory.stage;
    return memory.error;
  }
  if (!WIFEXITED(status) || memory.fd < 0) {
    *stage = "making the pod's network namespace (the child died)";
    return EIO;
  }
  const int rc = ::setns(memory.fd, CLONE_NEWNET);
  const int e = errno;
  ::close(memory.fd);
  memory.fd = -1;
  if (rc != 0) {
    *stage = "entering the pod's network namespace (setns)";
    return e;
  }
  return 0;
}

}  // namespace clnrm::sandbox
