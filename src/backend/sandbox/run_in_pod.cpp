// One step in a pod: spawn it in a fresh nested PID namespace, capture its
// output, reap it with wait4, and turn all of that into an ExecResult.
//
// Side: runner (docs/SANDBOX.md, "Code by side").
#include "backend/sandbox/fork_client.h"
#include "backend/sandbox/output_capture.h"
#include "backend/sandbox/pipe.h"
#include "backend/sandbox/pod_core.h"

#include <clnrm/error.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace clnrm::sandbox {

int PodCore::network_fd() const {
  if (host_network) return -1;
  // Opened once pod init is set up where it made its own beside its setup
  // (SandboxPod::await_setup): until then there is none to join, and the
  // host's is never a stand-in for it.
  if (!ns_net.valid())
    throw Error(ErrorKind::Backend, "the pod is not set up yet: no network namespace", "sandbox pod " + id);
  return ns_net.get();
}

std::vector<NamespaceJoin> PodCore::joins(int pid_ns) const {
  std::vector<NamespaceJoin> out;
  if (ns_user.valid()) out.push_back({ns_user.get(), CLONE_NEWUSER, "user"});
  out.push_back({ns_ipc.get(), CLONE_NEWIPC, "ipc"});
  out.push_back({ns_uts.get(), CLONE_NEWUTS, "uts"});
  if (const int net = network_fd(); net >= 0) out.push_back({net, CLONE_NEWNET, "net"});
  out.push_back({pid_ns, CLONE_NEWPID, "pid"});
  out.push_back({ns_mnt.get(), CLONE_NEWNS, "mnt"});
  return out;
}

void decode_exit(int c2_wait_status, const StepStatus* reported, ExecResult& result) {
  int status = c2_wait_status;
  if (!WIFSIGNALED(c2_wait_status) && reported != nullptr) status = reported->wait_status;
  if (WIFSIGNALED(status)) {
    result.term_signal = WTERMSIG(status);
    result.exit_code = 128 + result.term_signal;
  } else {
    result.term_signal = 0;
    result.exit_code = WEXITSTATUS(status);
  }
}

ExecResult run_in_pod(PodCore& core, int pid_ns, const ProcessSpec& spec, const CancelToken& cancel, bool direct,
                      const ImageRoot* image) {
  const ExecPlan plan = image ? make_image_exec_plan(*image, spec, false, core.test_name, core.options.workdir)
                              : make_exec_plan(spec, core.test_name, core.options.workdir);
  Pipe out = make_pipe();
  Pipe err = make_pipe();
  Pipe status = make_pipe(O_NONBLOCK);
  Pipe in;
  if (spec.stdin_data) {
    in = make_pipe();
    ::fcntl(in.write.get(), F_SETFL, O_NONBLOCK);
  }
  SpawnRequest request;
  request.make_undumpable = core.root_runner;
  request.security = &core.security;
  request.exec = raw_exec(plan);
  request.stdin_fd = in.read.valid() ? in.read.get() : -1;
  request.stdout_fd = out.write.get();
  request.stderr_fd = err.write.get();
  request.status_fd = status.write.get();

  // Through the pod's fork server when possible (no fork in the runner, no
  // cgroup migration); the runner-forked path for other PID namespaces
  // (a service's) and oversized requests.
  // Everything of the core (descriptors, cgroups) is read under the spawn
  // guard: destroy() closes and returns them under it, exclusively.
  std::optional<std::vector<char>> server_request;
  bool via_server = false;
  std::optional<std::uint64_t> oom_before;
  std::chrono::steady_clock::time_point start;
  SpawnedProcess process;
  bool ran_direct = false;
  {
    std::shared_lock guard(core.spawn_guard);
    core.check_not_destroyed();
    const bool in_pod_namespace = pid_ns == kPodPidNamespace;
    if (in_pod_namespace) pid_ns = core.ns_pid.get();
    if (core.fork_server.valid() && in_pod_namespace) {
      server_request = encode_spawn_request(raw_exec(plan), in.read.valid(), direct);
    }
    via_server = server_request.has_value();
    oom_before = core.cgroups.oom_kills();
    start = std::chrono::steady_clock::now();
    if (via_server) {
      std::lock_guard lock(core.fork_server_mutex);
      SpawnReply reply = request_spawn(core.fork_server.get(), *server_request, in.read.valid() ? in.read.get() : -1,
                                       out.write.get(), err.write.get(), status.write.get());
      process.pidfd = std::move(reply.pidfd);
      ran_direct = reply.direct;
    } else {
      request.namespaces = core.joins(pid_ns);
      request.joins_user_namespace = core.ns_user.valid();
      request.cgroup_tasks_fds = core.cgroups.tasks_fds();
      process = spawn_in_pod(request);
    }
  }
  out.write.reset();
  err.write.reset();
  status.write.reset();
  in.read.reset();

  ExecResult result;
  CaptureStreams streams;
  streams.stdin_fd = in.write.release();
  streams.stdin_data = spec.stdin_data ? &*spec.stdin_data : nullptr;
  streams.stdout_fd = out.read.get();
  streams.stderr_fd = err.read.get();
  streams.limit = spec.output_limit;
  std::optional<std::chrono::steady_clock::time_point> deadline;
  if (spec.timeout) deadline = start + *spec.timeout;
  CaptureEnding ending;
  try {
    // A direct step is over when pod init reports it (after killing what the
    // command left behind), not when the command exits.
    const int done_fd = ran_direct ? status.read.get() : process.pidfd.get();
    ending = capture_until_exit(process.pidfd.get(), done_fd, streams, result.stdout_data, result.stderr_data,
                                deadline, &cancel, via_server ? SIGKILL : kill_tree_signal(), !via_server);
  } catch (...) {
    ::syscall(SYS_pidfd_send_signal, process.pidfd.get(), SIGKILL, nullptr, 0);
    if (!via_server) ::waitpid(process.pid, nullptr, 0);
    throw;
  }

  // A fork-server step is pod init's child (pod init reaps it); without a
  // report it was SIGKILLed (timeout, cancel, OOM, pod destroyed).
  int wait_status = via_server ? SIGKILL : 0;
  rusage usage{};
  while (!via_server && ::wait4(process.pid, &wait_status, 0, &usage) < 0) {
    if (errno != EINTR) throw_errno("sandbox: wait4 for step '" + spec.name + "'");
  }
  result.usage.wall = std::chrono::steady_clock::now() - start;

  StepStatus reported;
  const bool have_report = ::read(status.read.get(), &reported, sizeof reported) == sizeof reported;
  if (via_server && have_report) wait_status = 0;
  decode_exit(wait_status, have_report ? &reported : nullptr, result);
  if (have_report && !WIFSIGNALED(wait_status)) {
    result.usage.user_cpu = std::chrono::microseconds(reported.user_us);
    result.usage.system_cpu = std::chrono::microseconds(reported.system_us);
    result.usage.max_rss_kb = reported.max_rss_kb;
  } else {
    result.usage.user_cpu = std::chrono::seconds(usage.ru_utime.tv_sec) + std::chrono::microseconds(usage.ru_utime.tv_usec);
    result.usage.system_cpu =
        std::chrono::seconds(usage.ru_stime.tv_sec) + std::chrono::microseconds(usage.ru_stime.tv_usec);
    result.usage.max_rss_kb = usage.ru_maxrss;
  }
  result.timed_out = ending == CaptureEnding::TimedOut;
  if (oom_before && result.term_signal == SIGKILL) {
    // A pod destroyed meanwhile gave its groups back (to the next pod): its
    // step was killed by the destroy, not by the OOM killer.
    std::shared_lock guard(core.spawn_guard);
    if (!core.destroyed.load()) {
      const auto oom_after = core.cgroups.oom_kills();
      result.oom_killed = oom_after && *oom_after > *oom_before;
    }
  }
  return result;
}

}  // namespace clnrm::sandbox
