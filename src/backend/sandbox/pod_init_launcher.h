#pragma once
// Side: runner (docs/SANDBOX.md, "Code by side"). How the runner starts pod
// init (pod_init_main.h) and keeps it tied to the runner's life: parent
// threads that clone it, the keeper pipe, the user namespace's maps.

#include "backend/sandbox/pod_init_config.h"

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <utility>

namespace clnrm::sandbox {

// Clones pod init from a parent thread of its own (pod_init_launcher.cpp) and waits
// for its first report on `report_read_fd` (the read end of
// config.report_fd, which the caller keeps open until this returns).
// Returns the pid, or -errno when it could not be cloned. Pod init's second
// report, after its setup, follows on the same pipe.
// `beside`, when given, runs on the calling thread while the parent thread
// clones (the kernel's half millisecond of making namespaces): work pod
// init needs only after the clone. When it throws, pod init (if cloned) is
// killed and reaped, and the exception goes on.
pid_t clone_pod_init(const PodInitConfig& config, int report_read_fd, const std::function<void()>& beside = {});

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
  KeeperHold(KeeperHold&& other) noexcept : read_fd_(std::exchange(other.read_fd_, -1)) {}
  KeeperHold& operator=(KeeperHold&& other) noexcept {
    if (this != &other) {
      release();
      read_fd_ = std::exchange(other.read_fd_, -1);
    }
    return *this;
  }
  KeeperHold(const KeeperHold&) = delete;
  KeeperHold& operator=(const KeeperHold&) = delete;
  ~KeeperHold() { release(); }

  int read_fd() const { return read_fd_; }

 private:
  void release() noexcept;
  int read_fd_ = -1;
};

// Writes a user namespace's uid/gid maps. A root runner maps 0..65535 inside
// to `host_base`.. outside, an unprivileged one maps root inside to itself
// (the only id it may map).
void write_user_namespace_maps(pid_t pid, std::uint32_t host_base);

}  // namespace clnrm::sandbox
