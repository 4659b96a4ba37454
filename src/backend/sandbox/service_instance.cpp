// A long-running service in a pod: like a step (own nested PID namespace,
// so stop() takes its whole tree) but stdout+stderr go to one pipe that a
// reader thread drains into a bounded in-memory log, and the thread reaps the
// process when it exits.
//
// Side: runner (docs/SANDBOX.md, "Code by side").
#include "backend/sandbox/fork_client.h"
#include "backend/sandbox/pipe.h"
#include "backend/sandbox/pod_core.h"

#include <clnrm/error.h>

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <condition_variable>
#include <thread>

namespace clnrm::sandbox {
namespace {

class SandboxService final : public ServiceInstance {
 public:
  SandboxService(std::shared_ptr<PodCore> core, const ProcessSpec& spec, const ImageRoot* image)
      : core_(std::move(core)), env_(image ? image_process(*image, spec, true).env : spec.env), image_(image) {
    id_ = fmt::format("{}/{}", core_->id,
                      !spec.name.empty() ? spec.name : !spec.argv.empty() ? spec.argv.front() : "service");
    const ExecPlan plan = image ? make_image_exec_plan(*image, spec, true, core_->test_name, core_->options.workdir)
                                : make_exec_plan(spec, core_->test_name, core_->options.workdir);
    Pipe log = make_pipe();
    Pipe status = make_pipe(O_NONBLOCK);
    // The core's descriptors and cgroups are read under the spawn guard:
    // destroy() closes and returns them under it, exclusively.
    std::shared_lock guard(core_->spawn_guard);
    core_->check_not_destroyed();
    const auto cgroup_fds = core_->cgroups.tasks_fds();
    SpawnRequest request;
    request.namespaces = core_->joins(core_->ns_pid.get());
    request.joins_user_namespace = core_->ns_user.valid();
    request.cgroup_tasks_fds = cgroup_fds;
    request.make_undumpable = core_->root_runner;
    request.security = &core_->security;
    request.exec = raw_exec(plan);
    request.stdout_fd = log.write.get();
    request.stderr_fd = log.write.get();
    request.status_fd = status.write.get();
    std::optional<std::vector<char>> server_request;
    if (core_->fork_server.valid()) server_request = encode_spawn_request(raw_exec(plan), false);
    via_server_ = server_request.has_value();
    if (via_server_) {
      std::lock_guard lock(core_->fork_server_mutex);
      pidfd_ = request_spawn(core_->fork_server.get(), *server_request, -1, log.write.get(), log.write.get(),
                             status.write.get())
                   .pidfd;
      pid_ = pid_of(pidfd_.get());
    } else {
      SpawnedProcess process = spawn_in_pod(request);
      pid_ = process.pid;
      pidfd_ = std::move(process.pidfd);
    }
    log.write.reset();
    status.write.reset();
    log_fd_ = std::move(log.read);
    status_fd_ = std::move(status.read);
    pid_ns_ = via_server_ ? open_own_pid_namespace() : open_service_pid_namespace();
    reader_ = std::thread([this] { read_until_exit(); });
  }

  ~SandboxService() override { stop(Duration{0}); }

  const std::string& id() const override { return id_; }

  bool running() override {
    std::lock_guard lock(mutex_);
    return !exited_;
  }

  std::optional<int> exit_code() override {
    std::lock_guard lock(mutex_);
    if (!exited_) return std::nullopt;
    return exit_code_;
  }

  std::vector<std::uint16_t> default_ready_ports() const override {
    return image_ ? image_ready_ports(*image_) : std::vector<std::uint16_t>{};
  }

  std::string describe_state() override {
    std::lock_guard lock(mutex_);
    if (!exited_) return "running";
    return fmt::format("exited (exit code {})", exit_code_);
  }

  std::string logs(std::size_t tail_bytes) override {
    std::lock_guard lock(mutex_);
    if (log_.size() <= tail_bytes) return log_;
    return log_.substr(log_.size() - tail_bytes);
  }

  ExecResult exec(const ProcessSpec& spec, const CancelToken& cancel) override {
    if (!running() || !pid_ns_.valid()) {
      throw Error(ErrorKind::Backend, "the service is not running", "service '" + id_ + "'");
    }
    // A step inside the service sees the service's `env` under its own, as a
    // docker exec sees the container's environment under the exec's.
    ProcessSpec in_service = spec;
    in_service.env = env_;
    for (const auto& [key, value] : spec.env) {
      auto it = std::find_if(in_service.env.begin(), in_service.env.end(),
                             [&](const auto& kv) { return kv.first == key; });
      if (it != in_service.env.end()) {
        it->second = value;
      } else {
        in_service.env.emplace_back(key, value);
      }
    }
    return run_in_pod(*core_, pid_ns_.get(), in_service, cancel, false, image_);
  }

  void stop(Duration grace) override {
    {
      std::unique_lock lock(mutex_);
      if (!exited_ && grace.count() > 0) {
        ::syscall(SYS_pidfd_send_signal, pidfd_.get(), SIGTERM, nullptr, 0);
        cv_.wait_for(lock, grace, [&] { return exited_; });
      }
      if (!exited_ && via_server_) {
        ::syscall(SYS_pidfd_send_signal, pidfd_.get(), SIGKILL, nullptr, 0);
      } else if (!exited_) {
        ::syscall(SYS_pidfd_send_signal, pidfd_.get(), kill_tree_signal(), nullptr, 0);
        if (!cv_.wait_for(lock, std::chrono::seconds(2), [&] { return exited_; })) {
          ::syscall(SYS_pidfd_send_signal, pidfd_.get(), SIGKILL, nullptr, 0);
        }
      }
    }
    if (reader_.joinable()) reader_.join();
    pid_ns_.reset();
  }

 private:
  // The pid (in the runner's namespace) behind a pidfd, from its fdinfo.
  static pid_t pid_of(int pidfd) {
    std::ifstream in(fmt::format("/proc/self/fdinfo/{}", pidfd));
    std::string key;
    while (in >> key) {
      if (key == "Pid:") {
        long pid = -1;
        in >> pid;
        return static_cast<pid_t>(pid);
      }
    }
    return -1;
  }

  // A fork-server service is PID 1 of its own namespace: that is the one to
  // join. Opening it needs ptrace access to the (non-dumpable) service init,
  // which only a root runner has; otherwise execs join the pod's namespace.
  UniqueFd open_own_pid_namespace() {
    if (pid_ > 0) {
      UniqueFd fd(::open(fmt::format("/proc/{}/ns/pid", pid_).c_str(), O_RDONLY | O_CLOEXEC));
      if (fd.valid()) return fd;
    }
    return UniqueFd(::fcntl(core_->ns_pid.get(), F_DUPFD_CLOEXEC, 0));
  }

  // The service's own nested PID namespace: C2's pid_for_children once C2
  // has unshared it (a few microseconds after the spawn returns).
  UniqueFd open_service_pid_namespace() {
    struct stat pod_ns {};
    ::fstat(core_->ns_pid.get(), &pod_ns);
    const std::string path = fmt::format("/proc/{}/ns/pid_for_children", pid_);
    for (int attempt = 0; attempt < 20000; ++attempt) {
      UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
      struct stat st {};
      if (fd.valid() && ::fstat(fd.get(), &st) == 0 && st.st_ino != pod_ns.st_ino) return fd;
      if (!fd.valid() && errno != ENOENT) break;
      pollfd exited{pidfd_.get(), POLLIN, 0};
      if (::poll(&exited, 1, 0) == 1) break;  // died before it got there
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    return UniqueFd();
  }

  void append_log(const char* data, std::size_t size) {
    std::lock_guard lock(mutex_);
    log_.append(data, size);
    const std::size_t cap = core_->options.service_log_bytes;
    if (log_.size() > 2 * cap) log_.erase(0, log_.size() - cap);  // amortised trimming
  }

  void read_until_exit() {
    bool exited = false;
    bool log_open = true;
    std::optional<std::chrono::steady_clock::time_point> drain_deadline;
    char buf[16 * 1024];
    while (log_open || !exited) {
      pollfd fds[2];
      int count = 0;
      if (log_open) fds[count++] = {log_fd_.get(), POLLIN, 0};
      const int pid_slot = exited ? -1 : count;
      if (!exited) fds[count++] = {pidfd_.get(), POLLIN, 0};
      int timeout = -1;
      if (drain_deadline) {
        timeout = static_cast<int>(std::max<long long>(
            0, std::chrono::duration_cast<std::chrono::milliseconds>(*drain_deadline - std::chrono::steady_clock::now())
                   .count()));
      }
      const int ready = ::poll(fds, static_cast<nfds_t>(count), timeout);
      if (ready < 0 && errno == EINTR) continue;
      if (ready < 0) break;
      if (log_open && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
        const ssize_t n = ::read(log_fd_.get(), buf, sizeof buf);
        if (n > 0) {
          append_log(buf, static_cast<std::size_t>(n));
        } else if (n == 0 || errno != EINTR) {
          log_open = false;
        }
      }
      if (pid_slot >= 0 && (fds[pid_slot].revents & POLLIN)) {
        exited = true;
        reap();
        drain_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
      }
      if (drain_deadline && std::chrono::steady_clock::now() >= *drain_deadline) break;
    }
    if (!exited) reap();
  }

  void reap() {
    int status = SIGKILL;  // fork-server service without a report: it was killed
    while (!via_server_ && ::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    StepStatus reported;
    const bool have = ::read(status_fd_.get(), &reported, sizeof reported) == sizeof reported;
    if (via_server_ && have) status = 0;
    ExecResult decoded;
    decode_exit(status, have ? &reported : nullptr, decoded);
    std::lock_guard lock(mutex_);
    exit_code_ = decoded.exit_code;
    exited_ = true;
    cv_.notify_all();
  }

  std::shared_ptr<PodCore> core_;
  std::string id_;
  EnvList env_;  // the service's environment, under that of steps run inside it
  const ImageRoot* image_ = nullptr;  // its image root (in core_->image_roots), or null
  pid_t pid_ = -1;
  bool via_server_ = false;
  UniqueFd pidfd_;
  UniqueFd log_fd_;
  UniqueFd status_fd_;
  UniqueFd pid_ns_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool exited_ = false;
  int exit_code_ = -1;
  std::string log_;
  std::thread reader_;
};

}  // namespace

std::unique_ptr<ServiceInstance> start_sandbox_service(std::shared_ptr<PodCore> core, const ProcessSpec& spec,
                                                       const ImageRoot* image) {
  return std::make_unique<SandboxService>(std::move(core), spec, image);
}

}  // namespace clnrm::sandbox
