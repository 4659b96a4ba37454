#include "backend/docker/service_agent.h"

#include <clnrm/error.h>
#include <fmt/format.h>
#include <signal.h>

#include <fstream>
#include <iterator>
#include <thread>

#include "backend/docker/attach_stream.h"
#include "backend/docker/backend_state.h"
#include "backend/docker/kept_agent.h"
#include "backend/docker/seccomp_helper.h"

namespace clnrm::docker {
namespace {

std::string host_cmdline(long pid) {
  std::ifstream in(fmt::format("/proc/{}/cmdline", pid), std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Whether host pid `pid` runs clnrm's seccomp helper (as the engine's exec
// pid of an agent must): a remote engine's pid, or one from another pid
// namespace, names something else or nothing here.
bool runs_seccomp_helper(long pid) {
  const std::string helper = std::string(kSeccompHelperInContainer) + '\0';
  return pid > 1 && host_cmdline(pid).rfind(helper, 0) == 0;
}

}  // namespace

ServiceAgent::ServiceAgent(std::unique_ptr<StepAgent> agent, std::string exec_id, long reaper_pid, long agent_pid)
    : agent_(std::move(agent)), exec_id_(std::move(exec_id)), reaper_pid_(reaper_pid), agent_pid_(agent_pid) {}

std::unique_ptr<ServiceAgent> ServiceAgent::start(DockerClient& client, const std::string& container,
                                                  const std::vector<std::string>& command_prefix) {
  if (command_prefix.empty()) return nullptr;  // no reaper: steps would not be cleaned up
  nlohmann::json cmd = command_prefix;
  for (const char* a : {"sh", "-c", kStepAgentScript}) cmd.push_back(a);
  const nlohmann::json body = {{"AttachStdin", true}, {"AttachStdout", true}, {"AttachStderr", true},
                               {"Tty", false},        {"Cmd", cmd}};
  const std::string exec_id = client.exec_create(container, body);
  auto stream = std::make_unique<AttachStream>(client.endpoint(),
                                               api_prefix(client.info().api) + "/exec/" + exec_id + "/start",
                                               R"({"Detach":false,"Tty":false})");
  auto agent = std::make_unique<StepAgent>(client, container, std::move(stream), command_prefix);
  // The first answer proves the image has sh and the loop runs; it also
  // means the reaper has forked the agent, so both pids exist now.
  if (!agent->ping(std::chrono::seconds(10))) return nullptr;
  // The engine records the exec's Pid a moment after it started it.
  long reaper = 0;
  for (int i = 0; i < 200 && reaper <= 0; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    reaper = client.exec_inspect(exec_id).value("Pid", 0L);
  }
  // The engine's pid must name our reaper on this host, and we must be
  // allowed to signal it.
  if (!runs_seccomp_helper(reaper) || ::kill(static_cast<pid_t>(reaper), 0) != 0) return nullptr;
  const std::vector<long> children = host_child_processes(reaper);
  if (children.size() != 1) return nullptr;
  return std::unique_ptr<ServiceAgent>(new ServiceAgent(std::move(agent), exec_id, reaper, children.front()));
}

std::unique_ptr<ServiceAgent> ServiceAgent::keep(DockerClient& client, const std::string& container,
                                                 const std::vector<std::string>& command_prefix,
                                                 bool start_if_missing, std::chrono::milliseconds beside_wait) {
  if (command_prefix.empty() || !kept_agents_usable(client)) return nullptr;
  bool running = false;
  auto connection = connect_kept_agent(client, container, command_prefix, &running, beside_wait);
  if (!connection && start_if_missing && !running) {
    const std::string exec_id = start_kept_agent(client, container, command_prefix);
    // The server offers its control socket once its agent has started
    // (agent_server.h); the same wait as a pool refill's, at most ~0.5 s:
    // past that something else is wrong, and the run's own agent is quicker.
    wait_kept_agent_ready(client, exec_id, std::chrono::milliseconds(500));
    connection = connect_kept_agent(client, container, command_prefix);
    // One we cannot reach must not idle in the container: the next run
    // would find it running and start no other.
    if (!connection) {
      const long pid = client.exec_inspect(exec_id).value("Pid", 0L);
      if (runs_seccomp_helper(pid)) ::kill(static_cast<pid_t>(pid), SIGKILL);
    }
  }
  if (!connection) return nullptr;
  // The server's child that is the agent's sh: it is there, it answered the
  // server's first line before the server offered its socket. Other
  // children are orphans of a step whose reaper was killed.
  const std::string sh = std::string("sh") + '\0' + "-c" + '\0' + kStepAgentScript + '\0';
  long agent_pid = 0;
  for (const long child : host_child_processes(connection->server_pid))
    if (host_cmdline(child) == sh) agent_pid = child;
  if (agent_pid == 0) return nullptr;
  auto stream = std::move(connection->stream);
  auto agent = std::make_unique<StepAgent>(client, container, std::move(stream), command_prefix);
  std::unique_ptr<ServiceAgent> kept(
      new ServiceAgent(std::move(agent), connection->exec_id, connection->server_pid, agent_pid));
  kept->kept_ = true;
  // A step of a killed runner may still run: the agent reads our first
  // line only once it has ended.
  kept->kill_leftovers();
  if (!kept->agent_->ping(std::chrono::seconds(10))) return nullptr;
  return kept;
}

void ServiceAgent::kill_leftovers() {
  // Until they are gone, not just signalled: a SIGKILLed process runs on
  // until it is next scheduled, and the next step must not see it. The
  // killed become zombies that the agent (the step) and the outer reaper
  // (orphans) reap at once; ~1 s at most for a process stuck in the kernel.
  for (int round = 0; round < 1000; ++round) {
    bool any = false;
    for (const long child : host_child_processes(agent_pid_)) {
      kill_host_process_tree(child);
      any = true;
    }
    for (const long child : host_child_processes(reaper_pid_)) {
      if (child == agent_pid_) continue;
      kill_host_process_tree(child);
      any = true;
    }
    if (!any) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

ExecResult ServiceAgent::run(const ProcessSpec& spec, const CancelToken& cancel) {
  ExecResult r = agent_->run(spec, cancel, [this] { kill_leftovers(); });
  // Costs two reads of /proc: nothing to kill unless the step SIGKILLed its
  // own reaper.
  if (!agent_->broken()) kill_leftovers();
  return r;
}

}  // namespace clnrm::docker
