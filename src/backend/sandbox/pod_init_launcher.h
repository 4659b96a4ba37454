#pragma once
// Side: runner (docs/SANDBOX.md, "Code by side"). How the runner starts pod
// init (pod_init_main.h) and keeps it tied to the runner's life: parent
// threads that clone it, the keeper pipe, the user namespace's maps.

#include "backend/sandbox/pipe.h"
#include "backend/sandbox/pod_init_config.h"

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <utility>

namespace clnrm::sandbox {

// A clone of pod init under way: a parent thread of its own
// (pod_init_launcher.cpp) clones it from `config` while the caller goes on.
// finish() waits for pod init's first report; until then (and after) pod
// init reads `config`, which must stay where it is.
class PodInitClone {
 public:
  // `elsewhere`: a new parent thread starts on another CPU than the
  // caller's (base/thread_elsewhere.h), for a caller that goes on working;
  // otherwise on the caller's, which is about to wait for the clone.
  explicit PodInitClone(const PodInitConfig& config, bool elsewhere = false);
  PodInitClone(const PodInitClone&) = delete;
  PodInitClone& operator=(const PodInitClone&) = delete;
  // Waits for the parent thread to have read what it needs (finish() does).
  ~PodInitClone();

  // Reads pod init's first report on `report_read_fd` (the read end of
  // config.report_fd, whose write end the caller keeps open until this
  // returns). The pid, or -errno when it could not be cloned. Pod init's
  // second report, after its setup, follows on the same pipe. Once.
  pid_t finish(int report_read_fd);

 private:
  struct Job;
  std::unique_ptr<Job> job_;
};

// A PodInitClone finished at once. `beside`, when given, runs on the
// calling thread while the parent thread clones (the kernel's half
// millisecond of making namespaces): work pod init needs only after the
// clone. When it throws, pod init (if cloned) is killed and reaped, and the
// exception goes on.
pid_t clone_pod_init(const PodInitConfig& config, int report_read_fd, const std::function<void()>& beside = {});

// SIGKILLs pod init `pid` and reaps it (one that will not be set going).
void kill_and_reap_pod_init(pid_t pid) noexcept;

// The next report of pod init on `fd` (the read end of its report pipe),
// when one came whole; nullopt on EOF (pod init gone) or a short read.
std::optional<PodInitReport> read_pod_init_report(int fd);

// Makes an idle parent thread now when there is none, so that the next
// clone_pod_init does not start one on its way to the clone (~0.035 ms of
// the first pod, bench/peers/run_phases.sh). For a thread that waits anyway
// (the standby worker, before its first pod is asked for).
void prepare_pod_init_parent() noexcept;

// A pod's hold on this process's keeper pipe, whose read end every pod init
// keeps: the write end lives while any hold does, so pod inits see EOF
// exactly when the runner is gone. A pod takes it before cloning pod init
// and drops it (by destruction) only after pod init was reaped; a process
// without pods keeps no descriptor of the sandbox.
class KeeperHold {
 public:
  KeeperHold() = default;
  static KeeperHold take();  // read_fd() < 0 when no pipe could be made
  KeeperHold(KeeperHold&& other) noexcept
      : read_fd_(std::exchange(other.read_fd_, -1)), write_fd_(std::exchange(other.write_fd_, -1)) {}
  KeeperHold& operator=(KeeperHold&& other) noexcept {
    if (this != &other) {
      release();
      read_fd_ = std::exchange(other.read_fd_, -1);
      write_fd_ = std::exchange(other.write_fd_, -1);
    }
    return *this;
  }
  KeeperHold(const KeeperHold&) = delete;
  KeeperHold& operator=(const KeeperHold&) = delete;
  ~KeeperHold() { release(); }

  int read_fd() const { return read_fd_; }
  // The runner's end, open while any hold is: a pod init cloned without
  // sharing the runner's descriptor table has a copy of it, which it closes
  // first thing (pod_init_config.h, keeper_write_fd).
  int write_fd() const { return write_fd_; }

 private:
  void release() noexcept;
  int read_fd_ = -1;
  int write_fd_ = -1;
};

// What the runner and a pod init talk through, made before the clone: the
// control socket (the fork server's requests, and the groups sent after
// the clone), the go eventfd, the report pipe, a hold on the keeper pipe.
struct PodInitChannels {
  UniqueFd control;           // the runner's end
  UniqueFd control_pod_end;   // pod init's end: closed once it is cloned
  UniqueFd go;
  Pipe report;                // report.write: closed once pod init is cloned
  KeeperHold keeper;

  // Throws Error when one cannot be made.
  static PodInitChannels open();
  // The fields of `config` pod init reads from its clone on (pod_init_config.h
  // says which): these channels, the namespaces, whether it shares memory,
  // whether its network namespace is made beside (`network_beside`: the
  // runner waits for the clone; where it shares memory and has one).
  void describe(PodInitConfig& config, int clone_flags, bool share_memory, bool needs_go,
                bool network_beside) const;
  // One token on the go eventfd: the go, then (late_ending) the end of the
  // setup. Throws Error naming `what` when it cannot be written.
  void give_token(const char* what) const;
  // Pod init is cloned (it has its copies, or shares ours): ours go, so that
  // its death is EOF on the report pipe.
  void close_pod_ends() {
    control_pod_end.reset();
    report.write.reset();
  }
};

// Writes a user namespace's uid/gid maps. A root runner maps 0..65535 inside
// to `host_base`.. outside, an unprivileged one maps root inside to itself
// (the only id it may map).
void write_user_namespace_maps(pid_t pid, std::uint32_t host_base);

}  // namespace clnrm::sandbox
