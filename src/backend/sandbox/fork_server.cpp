#include "backend/sandbox/fork_server.h"

#include "backend/sandbox/child_exec.h"
#include "backend/sandbox/pod_init.h"
#include "backend/sandbox/spawn.h"

#include <clnrm/error.h>

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace clnrm::sandbox {
namespace {

constexpr std::uint32_t kMagic = 0x636c6e72;  // "clnr"
constexpr std::size_t kMaxMessage = 200u << 10;  // below the default unix socket send buffer

struct WireHeader {
  std::uint32_t magic = kMagic;
  std::uint32_t argc = 0;
  std::uint32_t envc = 0;
  std::uint32_t candc = 0;
  std::uint32_t with_stdin = 0;
  std::uint32_t direct = 0;  // the runner allows a direct step (fork_server.h)
};

struct WireReply {
  int error = 0;   // errno of the clone in pod init; 0 = a pidfd is attached
  int direct = 0;  // 1: a direct step, which ends when its status is written
};

void append(std::vector<char>& out, const std::string& s) {
  out.insert(out.end(), s.begin(), s.end());
  out.push_back('\0');
}

// ---- pod init side (async-signal-safe from here to the end of the namespace) ----

struct Decoded {
  RawExec exec;
  bool with_stdin = false;
  bool direct = false;
};

// The direct step in progress. It lives on pod init's stack, not in a
// global: pod inits may share the runner's memory (pod_init.cpp), and with it
// each other's globals.
struct DirectStep {
  pid_t pid = -1;  // > 0 while a direct step runs
  int status_fd = -1;
  StepStatus status;
};

// Walks `count` NUL-terminated strings from `*cursor`, storing pointers into
// `slots` followed by a null. False when the message is malformed.
bool take_strings(char*& cursor, char* end, std::uint32_t count, char**& slots, char** slots_end) {
  if (static_cast<std::size_t>(slots_end - slots) < count + 1u) return false;
  for (std::uint32_t i = 0; i < count; ++i) {
    char* nul = static_cast<char*>(std::memchr(cursor, '\0', static_cast<std::size_t>(end - cursor)));
    if (nul == nullptr) return false;
    *slots++ = cursor;
    cursor = nul + 1;
  }
  *slots++ = nullptr;
  return true;
}

bool take_string(char*& cursor, char* end, const char** out) {
  char* nul = static_cast<char*>(std::memchr(cursor, '\0', static_cast<std::size_t>(end - cursor)));
  if (nul == nullptr) return false;
  *out = cursor;
  cursor = nul + 1;
  return true;
}

bool decode(char* data, std::size_t size, ForkServerMemory& memory, Decoded& out) {
  if (size < sizeof(WireHeader)) return false;
  WireHeader header;
  std::memcpy(&header, data, sizeof header);
  if (header.magic != kMagic) return false;
  char* cursor = data + sizeof header;
  char* end = data + size;
  RawExec& e = out.exec;
  if (!take_string(cursor, end, &e.workdir) || !take_string(cursor, end, &e.rootfs) ||
      !take_string(cursor, end, &e.not_found_message) || !take_string(cursor, end, &e.denied_message)) {
    return false;
  }
  char** slots = memory.pointers.get();
  char** slots_end = slots + ForkServerMemory::kPointers;
  char** argv = slots;
  if (!take_strings(cursor, end, header.argc, slots, slots_end)) return false;
  char** envp = slots;
  if (!take_strings(cursor, end, header.envc, slots, slots_end)) return false;
  char** cands = slots;
  if (!take_strings(cursor, end, header.candc, slots, slots_end)) return false;
  e.argv = argv;
  e.envp = envp;
  e.candidates = cands;
  out.with_stdin = header.with_stdin != 0;
  out.direct = header.direct != 0;
  return header.argc > 0;
}

volatile sig_atomic_t g_command_pid = 0;
constexpr int kForwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

void forward_to_command(int sig) {
  if (g_command_pid > 0) ::kill(g_command_pid, sig);
}

[[noreturn]] void step_init_fail(const char* what, int error) noexcept {
  write_failure(what, error);
  StepStatus status;
  status.wait_status = 127 << 8;
  write_all(3, reinterpret_cast<const char*>(&status), sizeof status);
  ::_exit(127);
}

int lift(int fd) noexcept { return ::fcntl(fd, F_DUPFD_CLOEXEC, 10); }

// What a step's process does before the command, nested or direct: its rootfs
// (when it has one), its workdir, the security plan (pod init already reduced
// the bounding set and reset signal dispositions). 0, or an errno with *stage
// naming what failed.
int enter_step(const RawExec& exec, const SecurityPlan& security, const char** stage) noexcept {
  if (exec.rootfs[0] != '\0') {
    *stage = "rootfs";
    const int e = ::unshare(CLONE_NEWNS) == 0 ? enter_rootfs(exec.rootfs, stage) : errno;
    if (e != 0) return e;
  }
  if (::chdir(exec.workdir) != 0) {
    *stage = "cannot change to the workdir";
    return errno;
  }
  *stage = "security";
  return apply_security_in_child(security, stage, true);
}

// PID 1 of the step's own namespace, forked by pod init. `fds` are
// stdin (or -1), stdout, stderr, status.
[[noreturn]] void step_init(const Decoded& request, const int fds[4], const SecurityPlan& security) noexcept {
  int in = fds[0] >= 0 ? lift(fds[0]) : ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const int out = lift(fds[1]);
  const int err = lift(fds[2]);
  const int status = lift(fds[3]);
  if (in < 0 || out < 0 || err < 0 || status < 0) ::_exit(127);
  if (in < 10) in = lift(in);
  if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0 || ::dup2(status, 3) < 0) ::_exit(127);
  ::fcntl(3, F_SETFD, FD_CLOEXEC);  // the command must not inherit it
  ::close_range(4, ~0U, 0);        // pod init's control socket, keeper pipe, signalfd

  const RawExec& exec = request.exec;
  const char* stage = "";
  if (const int e = enter_step(exec, security, &stage); e != 0) step_init_fail(stage, e);

  struct sigaction fwd {};
  fwd.sa_handler = forward_to_command;
  sigfillset(&fwd.sa_mask);
  fwd.sa_flags = SA_RESTART;
  for (const int sig : kForwarded) ::sigaction(sig, &fwd, nullptr);

  const pid_t child = ::vfork();
  if (child == 0) exec_command(exec, kForwarded, static_cast<int>(std::size(kForwarded)));
  if (child < 0) step_init_fail("cannot fork", errno);
  g_command_pid = child;
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);

  const StepStatus result = reap_step_tree(child);
  write_all(3, reinterpret_cast<const char*>(&result), sizeof result);
  // Exiting as PID 1: the kernel kills whatever the command left running.
  ::_exit(0);
}

// The command of a direct step, in a vfork() child of pod init: it shares pod
// init's memory until execve, so only syscalls on this stack. `fds` are
// stdin (or -1), stdout, stderr, status; pod init's own 0-2 are /dev/null, so
// the received descriptors are all above 2 and dup2 cannot clobber one.
[[noreturn]] void direct_command(const Decoded& request, const int fds[4], const SecurityPlan& security) noexcept {
  const int in = fds[0] >= 0 ? fds[0] : ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (in < 0 || ::dup2(in, 0) < 0 || ::dup2(fds[1], 1) < 0 || ::dup2(fds[2], 2) < 0) ::_exit(127);
  ::close_range(3, ~0U, 0);  // status pipe, keeper, control socket, signalfd
  const char* stage = "";
  if (const int e = enter_step(request.exec, security, &stage); e != 0) {
    write_failure(stage, e);
    ::_exit(127);
  }
  // Pod init's dispositions are already the defaults; only the mask is not.
  static constexpr int kNone[1] = {0};
  exec_command(request.exec, kNone, 0);
}

// The direct step's command exited with `wait_status`: kill what it left in
// the pod (nothing else runs there, the runner guarantees it), reap it all,
// then report, so the pod is empty again before the next step starts.
void finish_direct_step(DirectStep& direct, int wait_status) noexcept {
  direct.status.wait_status = wait_status;
  ::kill(-1, SIGKILL);
  for (;;) {
    int st = 0;
    rusage ru{};
    const pid_t w = ::wait4(-1, &st, 0, &ru);
    if (w > 0) {
      add_usage(direct.status, ru);
    } else if (errno != EINTR) {
      break;  // ECHILD: every process of the pod is gone
    }
  }
  write_all(direct.status_fd, reinterpret_cast<const char*>(&direct.status), sizeof direct.status);
  ::close(direct.status_fd);
  direct = DirectStep{};
}

void reap_children(DirectStep& direct) noexcept {
  for (;;) {
    int st = 0;
    rusage ru{};
    const pid_t w = ::wait4(-1, &st, WNOHANG, &ru);
    if (w <= 0) return;
    if (direct.pid <= 0) continue;
    add_usage(direct.status, ru);
    if (w == direct.pid) finish_direct_step(direct, st);
  }
}

bool has_children() noexcept {
  siginfo_t info{};
  return ::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) == 0;
}

void reply(int control_fd, int error, int pidfd, bool direct = false) noexcept {
  WireReply r{error, direct ? 1 : 0};
  iovec iov{&r, sizeof r};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  if (pidfd >= 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &pidfd, sizeof(int));
  }
  while (::sendmsg(control_fd, &msg, MSG_NOSIGNAL) < 0 && errno == EINTR) {
  }
}

void handle_request(int control_fd, const SecurityPlan& security, ForkServerMemory& memory,
                    DirectStep& direct) noexcept {
  iovec iov{memory.bytes.get(), ForkServerMemory::kBytes};
  alignas(cmsghdr) char control[CMSG_SPACE(4 * sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  while ((n = ::recvmsg(control_fd, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {
  }
  if (n <= 0) ::_exit(0);  // the runner closed the pod: nothing left to serve

  int received[4] = {-1, -1, -1, -1};
  int count = 0;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    const int in_msg = static_cast<int>((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
    for (int i = 0; i < in_msg; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      if (count < 4) {
        received[count++] = fd;
      } else {
        ::close(fd);
      }
    }
  }
  Decoded request;
  const bool ok = (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) == 0 &&
                  decode(memory.bytes.get(), static_cast<std::size_t>(n), memory, request) &&
                  count == (request.with_stdin ? 4 : 3);
  if (!ok) {
    for (int i = 0; i < count; ++i) ::close(received[i]);
    reply(control_fd, EBADMSG, -1);
    return;
  }
  int fds[4] = {-1, -1, -1, -1};
  const int base = request.with_stdin ? 0 : 1;
  for (int i = 0; i < count; ++i) fds[base + i] = received[i];

  if (request.direct && direct.pid <= 0 && !has_children()) {
    const pid_t pid = ::vfork();
    if (pid == 0) direct_command(request, fds, security);
    int error = pid < 0 ? errno : 0;
    int pidfd = pid > 0 ? static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)) : -1;
    if (pid > 0 && pidfd < 0) {
      error = errno;
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
    const int status_fd = fds[3];
    for (int i = 0; i < count; ++i) {
      if (received[i] != status_fd || error != 0) ::close(received[i]);
    }
    if (error == 0) {
      direct.pid = pid;
      direct.status_fd = status_fd;
    }
    reply(control_fd, error, pidfd, error == 0);
    if (pidfd >= 0) ::close(pidfd);
    return;
  }

  int pidfd = -1;
  const pid_t pid = clone_in_place(CLONE_NEWPID | CLONE_PIDFD | SIGCHLD, &pidfd);
  if (pid == 0) step_init(request, fds, security);
  const int error = pid < 0 ? errno : 0;
  for (int i = 0; i < count; ++i) ::close(received[i]);
  reply(control_fd, error, pid < 0 ? -1 : pidfd);
  if (pidfd >= 0) ::close(pidfd);
}

}  // namespace

std::optional<std::vector<char>> encode_spawn_request(const ExecPlan& plan, bool with_stdin, bool direct) {
  WireHeader header;
  header.argc = static_cast<std::uint32_t>(plan.argv_storage.size());
  header.envc = static_cast<std::uint32_t>(plan.env_storage.size());
  header.candc = static_cast<std::uint32_t>(plan.candidates.size());
  header.with_stdin = with_stdin ? 1 : 0;
  header.direct = direct ? 1 : 0;
  if (header.argc + header.envc + header.candc + 3 > ForkServerMemory::kPointers) return std::nullopt;
  std::vector<char> out(sizeof header);
  std::memcpy(out.data(), &header, sizeof header);
  append(out, plan.workdir);
  append(out, plan.rootfs);
  append(out, plan.not_found_message);
  append(out, plan.denied_message);
  for (const auto& s : plan.argv_storage) append(out, s);
  for (const auto& s : plan.env_storage) append(out, s);
  for (const auto& s : plan.candidates) append(out, s);
  if (out.size() > kMaxMessage || out.size() > ForkServerMemory::kBytes) return std::nullopt;
  return out;
}

SpawnReply request_spawn(int control_fd, const std::vector<char>& request, int stdin_fd, int stdout_fd,
                         int stderr_fd, int status_fd) {
  int fds[4];
  int count = 0;
  if (stdin_fd >= 0) fds[count++] = stdin_fd;
  fds[count++] = stdout_fd;
  fds[count++] = stderr_fd;
  fds[count++] = status_fd;
  iovec iov{const_cast<char*>(request.data()), request.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(4 * sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = CMSG_SPACE(count * sizeof(int));
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(count * sizeof(int));
  std::memcpy(CMSG_DATA(c), fds, count * sizeof(int));
  ssize_t sent;
  while ((sent = ::sendmsg(control_fd, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR) {
  }
  if (sent < 0) {
    throw Error(ErrorKind::Backend, fmt::format("the pod's fork server is gone: {}", std::strerror(errno)),
                "sandbox spawn");
  }

  WireReply r;
  iovec riov{&r, sizeof r};
  alignas(cmsghdr) char rcontrol[CMSG_SPACE(sizeof(int))] = {};
  msghdr rmsg{};
  rmsg.msg_iov = &riov;
  rmsg.msg_iovlen = 1;
  rmsg.msg_control = rcontrol;
  rmsg.msg_controllen = sizeof rcontrol;
  ssize_t got;
  while ((got = ::recvmsg(control_fd, &rmsg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {
  }
  if (got != static_cast<ssize_t>(sizeof r)) {
    throw Error(ErrorKind::Backend, "the pod's fork server did not answer (was the pod destroyed?)", "sandbox spawn");
  }
  UniqueFd pidfd;
  for (cmsghdr* rc = CMSG_FIRSTHDR(&rmsg); rc != nullptr; rc = CMSG_NXTHDR(&rmsg, rc)) {
    if (rc->cmsg_level == SOL_SOCKET && rc->cmsg_type == SCM_RIGHTS) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(rc), sizeof fd);
      pidfd.reset(fd);
    }
  }
  if (r.error != 0 || !pidfd.valid()) {
    throw Error(ErrorKind::Backend,
                fmt::format("the pod's fork server could not start the process: {}", std::strerror(r.error)),
                "sandbox spawn");
  }
  return SpawnReply{std::move(pidfd), r.direct != 0};
}

void serve_spawn_requests(int keeper_fd, int control_fd, const SecurityPlan& security,
                          ForkServerMemory& memory) noexcept {

  // SIGCHLD is blocked (pod init blocks everything); a signalfd tells when to reap.
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  const int sfd = ::signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  DirectStep direct;
  for (;;) {
    pollfd fds[3] = {{keeper_fd, POLLIN, 0}, {control_fd, POLLIN, 0}, {sfd, POLLIN, 0}};
    const int ready = ::poll(fds, sfd >= 0 ? 3 : 2, sfd >= 0 ? -1 : 100);
    if (ready < 0 && errno != EINTR) ::_exit(1);
    if (fds[0].revents != 0) ::_exit(0);  // keeper EOF: the runner process is gone
    if (sfd >= 0 && (fds[2].revents & POLLIN)) {
      signalfd_siginfo info;
      while (::read(sfd, &info, sizeof info) > 0) {
      }
    }
    reap_children(direct);
    if (fds[1].revents & POLLIN) {
      handle_request(control_fd, security, memory, direct);
    } else if (fds[1].revents & (POLLHUP | POLLERR)) {
      ::_exit(0);
    }
  }
}

}  // namespace clnrm::sandbox
