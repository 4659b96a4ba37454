// Side: runner (docs/SANDBOX.md, "Code by side"): the parent threads that
// clone pod init (whose code, pod_init_main.cpp, runs inside the pod), the
// keeper pipe, and clone_pod_init (pod_init_launcher.h).
#include "backend/sandbox/pod_init_launcher.h"

#include "backend/sandbox/child_exec.h"
#include "backend/sandbox/pod_init_main.h"
#include "backend/sandbox/sanitized_build.h"
#include "base/prefault.h"
#include "base/thread_elsewhere.h"

#include <clnrm/error.h>

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace clnrm::sandbox {
namespace {

// ---- Parent threads ----
//
// A root runner clones pod init with CLONE_VM: it shares the runner's address
// space instead of getting a copy of it. A copy is what made pods expensive:
// the runner's page tables copied per pod, every page of the runner
// write-protected (TLB shootdowns on both cores, then a copy-on-write fault
// for each page the runner touches afterwards) and unmapped again at the
// pod's end (docs/SANDBOX.md, "Where a pod's time goes"). Pod init only
// writes its own stack, its fork server's request memory (per pod) and its
// own descriptors.
//
// It is cloned like vfork() (CLONE_VM | CLONE_VFORK) by a parent thread of
// its own, which stays suspended in the kernel until pod init is gone. That
// is the vfork contract, and what makes sharing safe:
//  - pod init runs on the parent's stack memory and uses its thread-local
//    storage (errno, the stack guard), which nothing else touches meanwhile;
//  - the OOM killer never picks a vfork child whose parent shares its memory
//    (in_vfork()): the victim of a pod's memory cgroup is the step that used
//    the memory, never pod init, whose death would take every process sharing
//    its address space -- the runner -- with it;
//  - PR_SET_PDEATHSIG (which fires when the parent *thread* exits) has a
//    parent that never exits on its own.
// Parents are made as needed (as many as pods live at once) and live as long
// as the process. The pid comes back through CLONE_PARENT_SETTID, and pod
// init's first report says it is there.
//
// An unprivileged runner (user namespace) clones pod init as a copy
// (no CLONE_VM): pod init makes its address space non-dumpable, which such a
// runner cannot afford for its own. A sanitized build has pod init cloned by
// a fork()ed copy of the runner (clone_through_a_copy, sanitized_build.h).

struct SpawnerState;

// One per pod init being started, on the starting thread's stack.
struct PodInitJob {
  const PodInitConfig* config = nullptr;
  pid_t pid = 0;           // written by the kernel before pod init runs
  bool pid_known = false;  // guarded by its parent's mutex
};

class PodInitParent {
 public:
  explicit PodInitParent(SpawnerState& state) : state_(state) {}

  bool valid() const { return stack_ != nullptr; }

  // Hands `job` to the thread, which clones pod init for it.
  void start(PodInitJob& job) {
    std::lock_guard lock(mutex_);
    job_ = &job;
    wake_.notify_one();
  }

  // Called by the starting thread once pod init (or this thread) reported:
  // everything the thread read of `job` happened before, and its pid is in.
  void taken(const PodInitJob& job) {
    std::unique_lock lock(mutex_);
    pid_cv_.wait(lock, [&] { return job.pid_known; });
  }

  void run();

 private:
  static constexpr std::size_t kStackSize = 256u << 10;
  static constexpr std::size_t kStackPrefault = 32u << 10;

  // Pod init's stack (with CLONE_VM this very memory; otherwise the child's
  // copy of it), big enough for enter_rootfs and a vfork()ed step on top of
  // pod init's frames. Mapped once per parent with a guard page below it.
  static char* map_stack() {
    const auto guard = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    void* base =
        ::mmap(nullptr, guard + kStackSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (base == MAP_FAILED) return nullptr;
    ::mprotect(base, guard, PROT_NONE);
    // The top that pod init's setup writes (~24 KiB: assemble_pod_root's
    // path buffers), resident in one call rather than a fault a page on
    // pod init's way to its first mounts (base/prefault.h).
    prefault(static_cast<char*>(base) + guard + kStackSize - kStackPrefault, kStackPrefault);
    return static_cast<char*>(base) + guard;
  }

  SpawnerState& state_;
  std::mutex mutex_;
  std::condition_variable wake_;
  PodInitJob* job_ = nullptr;  // guarded by mutex_
  std::condition_variable pid_cv_;
  char* stack_ = map_stack();
};

// Process-wide state; rebuilt in a forked child (its threads did not survive
// the fork, and a mutex may have been held at that moment).
struct SpawnerState {
  pid_t owner = ::getpid();
  std::mutex mutex;
  std::vector<PodInitParent*> idle;  // parents without a pod init
  // The keeper pipe exists while pods do (KeeperHold): its write end is
  // closed only when no pod init is left to read it, so EOF means "the
  // runner is gone" to every pod init, and a process without pods keeps no
  // descriptor of the sandbox.
  int keeper_read = -1;
  int keeper_write = -1;
  int keeper_holds = 0;
};

// A sanitized build: sanitizers cannot follow a raw clone() of a
// multi-threaded process (ThreadSanitizer's runtime locks may be held by
// another thread at that moment, and the child then deadlocks in them), but
// they do follow fork(). So a fork()ed copy -- single-threaded -- clones pod
// init as a child of this thread (CLONE_PARENT), passes its pid back on a
// pipe and exits. This thread does not wait for pod init: it shares nothing
// with it. Returns the pid; 0 when the copy's clone failed (the copy
// reported that on the report pipe); -errno when there was no copy.
pid_t clone_through_a_copy(PodInitConfig* config) {
  int back[2];
  if (::pipe2(back, O_CLOEXEC) != 0) return -errno;
  const pid_t copy = ::fork();
  if (copy == 0) {
    pid_t pid = clone_in_place(config->clone_flags | CLONE_PARENT | SIGCHLD);
    if (pid == 0) pod_init_main(config);
    if (pid < 0) {
      pid = -errno;
      report_pod_init(config->report_fd, -pid, "clone");
    }
    ::_exit(::write(back[1], &pid, sizeof pid) == sizeof pid ? 0 : 1);
  }
  pid_t pid = copy < 0 ? -errno : -EIO;
  ::close(back[1]);
  if (copy > 0) {
    if (::read(back[0], &pid, sizeof pid) != sizeof pid) {
      pid = -EIO;
    } else if (pid < 0) {
      pid = 0;
    }
    while (::waitpid(copy, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  ::close(back[0]);
  return pid;
}

void PodInitParent::run() {
  // Signals go to other threads: this one spends its life suspended in
  // clone() until its pod init is gone, and a process-directed signal the
  // kernel chose it for would wait that long for its handler.
  sigset_t all;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, nullptr);
  for (;;) {
    // Everything of the job is read under the lock, which the starting
    // thread takes again once pod init reported (taken()): the job lives on
    // that thread's stack, and the kernel's ordering (clone, then pod init's
    // report) is one a thread sanitizer cannot see.
    PodInitJob* job = nullptr;
    PodInitConfig* config = nullptr;
    int flags = 0;
    int report_fd = -1;
    bool share_memory = false;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return job_ != nullptr; });
      job = std::exchange(job_, nullptr);
      config = const_cast<PodInitConfig*>(job->config);
      flags = config->clone_flags | SIGCHLD | CLONE_VFORK | CLONE_PARENT_SETTID;
      // Pod init has its network namespace made beside (pod_init_config.h).
      if (config->network_beside) flags &= ~CLONE_NEWNET;
      report_fd = config->report_fd;
      share_memory = config->share_memory;
      // The kernel writes the pid before pod init runs (CLONE_PARENT_SETTID);
      // a sanitized build learns it later, from a copy of this process.
      job->pid_known = !kSanitized;
    }
    // Returns when pod init is gone (or could not be cloned). Sharing
    // memory, pod init needs a stack of its own; a copy continues on its
    // copy of this thread's stack, like fork(), which is what sanitizers
    // can follow.
    int error = 0;
    if (kSanitized) {
      const pid_t pid = clone_through_a_copy(config);
      error = pid < 0 ? -pid : 0;
      std::lock_guard lock(mutex_);
      if (pid > 0) job->pid = pid;
      job->pid_known = true;
      pid_cv_.notify_all();
    } else if (share_memory) {
      if (::clone(pod_init_main, stack_ + kStackSize, flags | CLONE_VM, config, &job->pid) < 0) error = errno;
    } else {
      const pid_t pid = clone_in_place(flags, &job->pid);
      if (pid == 0) pod_init_main(config);
      if (pid < 0) error = errno;
    }
    // No pod init: the starting thread still waits on its report pipe.
    if (error != 0) report_pod_init(report_fd, error, "clone");
    std::lock_guard lock(state_.mutex);
    state_.idle.push_back(this);
  }
}

std::atomic<SpawnerState*> g_state{nullptr};

SpawnerState* state() {
  SpawnerState* current = g_state.load(std::memory_order_acquire);
  if (current != nullptr && current->owner == ::getpid()) return current;
  auto* fresh = new SpawnerState;
  // Deliberately leaked: it must outlive every pod of the process.
  if (!g_state.compare_exchange_strong(current, fresh, std::memory_order_acq_rel)) {
    delete fresh;
    return g_state.load(std::memory_order_acquire);
  }
  return fresh;
}

// An idle parent thread, or a new one (leaked and detached, like the state;
// `elsewhere`: started on another CPU than the caller's).
PodInitParent* acquire_parent(SpawnerState& s, bool elsewhere = false) {
  {
    std::lock_guard lock(s.mutex);
    if (!s.idle.empty()) {
      PodInitParent* p = s.idle.back();
      s.idle.pop_back();
      return p;
    }
  }
  auto* parent = new PodInitParent(s);
  if (!parent->valid()) {
    delete parent;
    return nullptr;
  }
  if (elsewhere) {
    ThreadElsewhere([parent] { parent->run(); }).detach();
  } else {
    std::thread([parent] { parent->run(); }).detach();
  }
  return parent;
}

}  // namespace

KeeperHold KeeperHold::take() {
  KeeperHold hold;
  SpawnerState* s = state();
  if (s == nullptr) return hold;
  std::lock_guard lock(s->mutex);
  if (s->keeper_holds == 0) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return hold;
    s->keeper_read = fds[0];
    s->keeper_write = fds[1];
  }
  ++s->keeper_holds;
  hold.read_fd_ = s->keeper_read;
  hold.write_fd_ = s->keeper_write;
  return hold;
}

void KeeperHold::release() noexcept {
  if (read_fd_ < 0) return;
  read_fd_ = -1;
  write_fd_ = -1;
  SpawnerState* s = g_state.load(std::memory_order_acquire);
  if (s == nullptr || s->owner != ::getpid()) return;  // a forked copy: not this process's pipe
  std::lock_guard lock(s->mutex);
  if (--s->keeper_holds > 0) return;
  ::close(s->keeper_read);
  ::close(s->keeper_write);
  s->keeper_read = s->keeper_write = -1;
}

void prepare_pod_init_parent() noexcept {
  try {
    SpawnerState* s = state();
    if (s == nullptr) return;
    {
      std::lock_guard lock(s->mutex);
      if (!s->idle.empty()) return;
    }
    PodInitParent* parent = acquire_parent(*s);
    if (parent == nullptr) return;
    std::lock_guard lock(s->mutex);
    s->idle.push_back(parent);
  } catch (...) {
    // No thread now (a thread limit, memory): clone_pod_init tries again
    // and reports what stops it.
  }
}

struct PodInitClone::Job {
  PodInitParent* parent = nullptr;  // null: no thread could be made
  PodInitJob job;
  bool finished = false;
};

PodInitClone::PodInitClone(const PodInitConfig& config, bool elsewhere) : job_(std::make_unique<Job>()) {
  job_->job.config = &config;
  SpawnerState* s = state();
  job_->parent = s != nullptr ? acquire_parent(*s, elsewhere) : nullptr;
  if (job_->parent != nullptr) job_->parent->start(job_->job);
}

PodInitClone::~PodInitClone() {
  if (job_->parent != nullptr && !job_->finished) job_->parent->taken(job_->job);
}

pid_t PodInitClone::finish(int report_read_fd) {
  if (job_->parent == nullptr) return -EAGAIN;
  // Pod init's "started", or the parent's report that the clone failed.
  const std::optional<PodInitReport> first = read_pod_init_report(report_read_fd);
  job_->parent->taken(job_->job);
  job_->finished = true;
  if (!first) return -EIO;
  if (!first->started) return -(first->error != 0 ? first->error : EIO);
  return job_->job.pid;
}

pid_t clone_pod_init(const PodInitConfig& config, int report_read_fd, const std::function<void()>& beside) {
  PodInitClone clone(config);
  std::exception_ptr failed;
  if (beside) {
    try {
      beside();
    } catch (...) {
      failed = std::current_exception();
    }
  }
  const pid_t pid = clone.finish(report_read_fd);
  if (failed) {
    if (pid > 0) kill_and_reap_pod_init(pid);
    std::rethrow_exception(failed);
  }
  return pid;
}

void kill_and_reap_pod_init(pid_t pid) noexcept {
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

PodInitChannels PodInitChannels::open() {
  PodInitChannels c;
  int control[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, control) != 0) throw_errno("sandbox: socketpair");
  c.control = UniqueFd(control[0]);
  c.control_pod_end = UniqueFd(control[1]);
  // A semaphore: each token (the go, then the end of the setup) is read on
  // its own (pod_init_config.h, late_ending).
  c.go = UniqueFd(::eventfd(0, EFD_CLOEXEC | EFD_SEMAPHORE));
  if (!c.go.valid()) throw_errno("sandbox: eventfd");
  c.report = make_pipe();
  c.keeper = KeeperHold::take();
  if (c.keeper.read_fd() < 0) throw Error(ErrorKind::Backend, "cannot create the sandbox keeper pipe", "sandbox");
  return c;
}

void PodInitChannels::describe(PodInitConfig& config, int clone_flags, bool share_memory, bool needs_go,
                               bool network_beside) const {
  config.clone_flags = clone_flags;
  config.share_memory = share_memory;
  // Only sharing memory: the child's memory must outlive it (the runner's
  // does), and a copy of the runner would cost more than it saves.
  if (network_beside && share_memory && (clone_flags & CLONE_NEWNET) != 0)
    config.network_beside = std::make_unique_for_overwrite<NetworkBesideMemory>();
  // The handshake costs a round trip; only uid/gid maps must be in place
  // before pod init starts setting up.
  config.go_fd = needs_go ? go.get() : -1;
  config.report_fd = report.write.get();
  config.keeper_fd = keeper.read_fd();
  config.keeper_write_fd = keeper.write_fd();
  config.control_fd = control_pod_end.get();
}

void PodInitChannels::give_token(const char* what) const {
  const std::uint64_t one = 1;
  if (::write(go.get(), &one, sizeof one) != static_cast<ssize_t>(sizeof one)) throw_errno(what);
}

std::optional<PodInitReport> read_pod_init_report(int fd) {
  PodInitReport report;
  ssize_t n;
  while ((n = ::read(fd, &report, sizeof report)) < 0 && errno == EINTR) {
  }
  if (n != static_cast<ssize_t>(sizeof report)) return std::nullopt;
  return report;
}

}  // namespace clnrm::sandbox
