#include "backend/sandbox/pod_init.h"

#include "backend/sandbox/child_exec.h"
#include "backend/sandbox/fork_server.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

namespace clnrm::sandbox {
namespace {

void report(int fd, int error, const char* stage) noexcept {
  const PodInitReport r{error, stage};
  while (::write(fd, &r, sizeof r) < 0 && errno == EINTR) {
  }
}

int pod_init_main(void* arg) {
  const auto& cfg = *static_cast<const PodInitConfig*>(arg);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  // Wait for the parent: uid/gid maps and cgroup membership come first. EOF
  // means the parent gave up (or died before PDEATHSIG was armed).
  if (cfg.go_fd >= 0) {
    char go = 0;
    ssize_t n;
    while ((n = ::read(cfg.go_fd, &go, 1)) < 0 && errno == EINTR) {
    }
    if (n != 1) ::_exit(1);
  }

  const char* stage = "setup";
  for (int i = 0; i < cfg.cgroup_procs_count; ++i) {
    if (::write(cfg.cgroup_procs_fds[i], "0", 1) != 1) {
      report(cfg.report_fd, errno, "joining the pod's cgroups");
      ::_exit(1);
    }
  }
  if (int e = setup_pod_mounts(cfg.mounts, &stage); e != 0) {
    report(cfg.report_fd, e, stage);
    ::_exit(1);
  }
  if (int e = setup_pod_network(cfg.new_network, &stage); e != 0) {
    report(cfg.report_fd, e, stage);
    ::_exit(1);
  }
  if (cfg.control_fd >= 0) {
    // Once for every process the fork server will fork: default signal
    // dispositions (the runner may ignore some) and the level's bounding set.
    // Pod init keeps its own effective capabilities (CLONE_NEWPID needs
    // CAP_SYS_ADMIN).
    reset_signal_dispositions();
    if (int e = drop_bounding_set(*cfg.security, &stage); e != 0) {
      report(cfg.report_fd, e, stage);
      ::_exit(1);
    }
  }
  ::prctl(PR_SET_NAME, "clnrm-pod");
  // Steps run as root too; not dumpable means they cannot ptrace the pod's
  // init to borrow its capabilities.
  ::prctl(PR_SET_DUMPABLE, 0);

  // Keep only the keeper pipe (as fd 3) and /dev/null on 0-2: a pod must not
  // hold the runner's terminal, sockets or other pods' pipes open.
  const int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  const int keeper = ::fcntl(cfg.keeper_fd, F_DUPFD_CLOEXEC, 10);
  const int control = cfg.control_fd >= 0 ? ::fcntl(cfg.control_fd, F_DUPFD_CLOEXEC, 10) : -1;
  if (null_fd < 0 || keeper < 0 || (cfg.control_fd >= 0 && control < 0)) {
    report(cfg.report_fd, errno, "preparing pod init descriptors");
    ::_exit(1);
  }
  report(cfg.report_fd, 0, nullptr);
  ::dup2(null_fd, 0);
  ::dup2(null_fd, 1);
  ::dup2(null_fd, 2);
  ::dup2(keeper, 3);
  if (control >= 0) ::dup2(control, 4);
  ::close_range(control >= 0 ? 5 : 4, ~0U, 0);

  sigset_t all;
  sigfillset(&all);
  ::sigprocmask(SIG_SETMASK, &all, nullptr);
  if (control >= 0) serve_spawn_requests(3, 4, *cfg.security, *cfg.fork_server_memory);
  for (;;) {
    char byte;
    const ssize_t r = ::read(3, &byte, 1);
    if (r == 0 || (r < 0 && errno != EINTR)) ::_exit(0);  // the runner is gone
  }
}

// Process-wide state; rebuilt in a forked child (its threads did not survive
// the fork, and a mutex may have been held at that moment).
struct SpawnerState {
  pid_t owner = ::getpid();
  std::mutex mutex;
  std::condition_variable cv;
  const PodInitConfig* pending = nullptr;
  pid_t result = 0;
  bool done = false;
  int keeper_read = -1;
  int keeper_write = -1;  // never closed: EOF must mean "this process is gone"
  std::mutex serial;      // one request at a time through the single slot
};

std::atomic<SpawnerState*> g_state{nullptr};

constexpr std::size_t kStackSize = 256u << 10;

void spawner_loop(SpawnerState* s) {
  // The child runs on a copy of this stack (no CLONE_VM).
  std::unique_ptr<char[]> stack_memory(new char[kStackSize]);
  char* stack = stack_memory.get();
  std::unique_lock lock(s->mutex);
  for (;;) {
    s->cv.wait(lock, [&] { return s->pending != nullptr && !s->done; });
    const PodInitConfig* cfg = s->pending;
    const pid_t pid = ::clone(pod_init_main, stack + kStackSize, cfg->clone_flags | SIGCHLD,
                              const_cast<PodInitConfig*>(cfg));
    s->result = pid < 0 ? -errno : pid;
    s->done = true;
    s->cv.notify_all();
  }
}

SpawnerState* state() {
  SpawnerState* current = g_state.load(std::memory_order_acquire);
  if (current != nullptr && current->owner == ::getpid()) return current;
  auto* fresh = new SpawnerState;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    delete fresh;
    return nullptr;
  }
  fresh->keeper_read = fds[0];
  fresh->keeper_write = fds[1];
  if (!g_state.compare_exchange_strong(current, fresh, std::memory_order_acq_rel)) {
    ::close(fds[0]);
    ::close(fds[1]);
    delete fresh;
    return g_state.load(std::memory_order_acquire);
  }
  // Deliberately leaked and detached: it must outlive every pod of the process.
  std::thread(spawner_loop, fresh).detach();
  return fresh;
}

}  // namespace

int keeper_read_fd() {
  SpawnerState* s = state();
  return s != nullptr ? s->keeper_read : -1;
}

pid_t clone_pod_init(const PodInitConfig& config) {
  SpawnerState* s = state();
  if (s == nullptr) return -EMFILE;
  std::lock_guard serial(s->serial);
  std::unique_lock lock(s->mutex);
  s->pending = &config;
  s->done = false;
  s->cv.notify_all();
  s->cv.wait(lock, [&] { return s->done; });
  s->pending = nullptr;
  s->done = false;
  return s->result;
}

}  // namespace clnrm::sandbox
