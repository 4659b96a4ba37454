#include "backend/docker/kept_agent.h"

#include <clnrm/error.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string_view>
#include <thread>

#include "backend/docker/backend_state.h"
#include "backend/docker/seccomp_helper.h"
#include "backend/docker/step_agent.h"
#include "base/descriptor_passing.h"
#include "base/proc_stat.h"
#include "base/unique_fd.h"

namespace clnrm::docker {
namespace {

// The server's descriptor of its control socket: CLNRM_AGENT_CONTROL_FD of
// src/seccomp_exec/agent_server.h (the helper's headers are its own; the
// DockerKeptAgent tests fail when the two disagree).
constexpr int kAgentControlFd = 3;

// A file under /proc/<pid> read through the directory's descriptor.
std::string read_proc(int proc_dir, const char* name) {
  UniqueFd fd(::openat(proc_dir, name, O_RDONLY | O_CLOEXEC));
  std::string text;
  if (!fd.valid()) return text;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd.get(), buf, sizeof buf)) > 0 && text.size() < (1u << 20);)
    text.append(buf, static_cast<std::size_t>(n));
  return text;
}

// The stat line of the process whose /proc directory is `proc_dir`; zeros
// when it is gone or the text is not a stat line.
ProcStat stat_of(int proc_dir) { return parse_proc_stat(read_proc(proc_dir, "stat")).value_or(ProcStat{}); }

long parent_of(long pid) {
  UniqueFd dir(::open(("/proc/" + std::to_string(pid)).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  return dir.valid() ? stat_of(dir.get()).parent : 0;
}

std::string nul_joined(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) s += a + '\0';
  return s;
}

// The exec's command as the engine's inspect reports it.
std::vector<std::string> exec_command(const nlohmann::json& inspect) {
  std::vector<std::string> argv;
  const auto pc = inspect.find("ProcessConfig");
  if (pc == inspect.end() || !pc->is_object()) return argv;
  if (auto e = pc->find("entrypoint"); e != pc->end() && e->is_string()) argv.push_back(e->get<std::string>());
  if (auto a = pc->find("arguments"); a != pc->end() && a->is_array())
    for (const auto& arg : *a)
      if (arg.is_string()) argv.push_back(arg.get<std::string>());
  return argv;
}

// Takes the control socket of server `pid` (which must run `command` in
// `container_id` as a child of `parent`, and, when `session_leader`, lead its
// own session) and hands it one end of a new socket pair; the other end, or
// an invalid fd.
UniqueFd connect_server(long pid, long parent, const std::string& container_id, const std::string& command,
                        bool session_leader) {
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, static_cast<pid_t>(pid), 0)));
  if (!pidfd.valid()) return UniqueFd();
  // Read after pidfd_open: if the pid was reused before, these are the new
  // process's and fail the checks; if it is reused after, pidfd_getfd fails.
  UniqueFd dir(::open(("/proc/" + std::to_string(pid)).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid() || read_proc(dir.get(), "cmdline") != command ||
      read_proc(dir.get(), "cgroup").find(container_id) == std::string::npos)
    return UniqueFd();
  const ProcStat stat = stat_of(dir.get());
  if (parent <= 1 || stat.parent != parent || (session_leader && stat.session != pid)) return UniqueFd();
  UniqueFd control(static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd.get(), kAgentControlFd, 0)));
  if (!control.valid()) return UniqueFd();
  return hand_agent_connection(control.get());
}

// The container's command (Path and Args of its inspect: what its init runs).
std::vector<std::string> container_command(const nlohmann::json& inspect) {
  std::vector<std::string> argv;
  if (auto p = inspect.find("Path"); p != inspect.end() && p->is_string()) argv.push_back(p->get<std::string>());
  if (auto a = inspect.find("Args"); a != inspect.end() && a->is_array())
    for (const auto& arg : *a)
      if (arg.is_string()) argv.push_back(arg.get<std::string>());
  return argv;
}

// What the children of the container's init say of the server its command
// started (serve_beside.h).
struct BesideScan {
  // Those that look like it: the command line is exactly the container's
  // (the server forks, never execs), the executable is the helper, and it
  // leads its own session (the service's process, which has the same
  // command line until it execs, does not).
  std::vector<long> servers;
  // One has the container's command line: the server (perhaps before its
  // setsid) or the helper before it execs the service's program.
  bool starting = false;
  // The service's program runs (a child that is neither the helper nor
  // init's own executable): the server was forked before it.
  bool service_runs = false;
};

BesideScan scan_beside(long init_pid, const std::string& command) {
  BesideScan scan;
  const auto exe_of = [](int dir) {
    char exe[256] = {};
    const ssize_t n = ::readlinkat(dir, "exe", exe, sizeof exe - 1);
    return n > 0 ? std::string(exe, static_cast<std::size_t>(n)) : std::string();
  };
  UniqueFd init(::open(("/proc/" + std::to_string(init_pid)).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  const std::string init_exe = init.valid() ? exe_of(init.get()) : std::string();
  for (const long child : host_child_processes(init_pid)) {
    UniqueFd dir(::open(("/proc/" + std::to_string(child)).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid()) continue;
    const std::string exe = exe_of(dir.get());
    if (read_proc(dir.get(), "cmdline") != command) {
      scan.service_runs |= !exe.empty() && exe != kSeccompHelperInContainer && exe != init_exe;
      continue;
    }
    scan.starting = true;
    if (exe == kSeccompHelperInContainer && stat_of(dir.get()).session == child)
      scan.servers.push_back(child);
  }
  return scan;
}

// Whether host pid `pid` holds a socket at the control descriptor: a
// server's, once its agent answered (agent_server.h).
bool control_socket_in_place(long pid) {
  char target[64] = {};
  const std::string fd = "/proc/" + std::to_string(pid) + "/fd/" + std::to_string(kAgentControlFd);
  return ::readlink(fd.c_str(), target, sizeof target - 1) > 0 && std::strncmp(target, "socket:", 7) == 0;
}

// The container's command, NUL-joined as /proc/PID/cmdline shows it, when
// it starts a kept agent behind `exec_prefix` beside the service; else "".
std::string beside_command(const nlohmann::json& inspect, const std::vector<std::string>& exec_prefix) {
  const std::vector<std::string> prefix = beside_agent_prefix(exec_prefix);
  const std::vector<std::string> argv = container_command(inspect);
  if (argv.size() <= prefix.size() || !std::equal(prefix.begin(), prefix.end(), argv.begin())) return {};
  return nul_joined(argv);
}

// The host pid of the server beside the service once its control socket is
// in place, watched for up to `wait`; 0 when there is none, it ended (no sh
// in the image: the service's program runs and nothing has the container's
// command line), or there are two (one is not ours: a copy a service
// started; trust neither). `running` is set when one is there, ready or not.
long ready_beside_server(long init_pid, const std::string& command, std::chrono::milliseconds wait, bool* running) {
  for (const auto end = std::chrono::steady_clock::now() + wait;;
       std::this_thread::sleep_for(std::chrono::milliseconds(1))) {
    const BesideScan scan = scan_beside(init_pid, command);
    if (scan.servers.size() > 1 || (!scan.starting && scan.service_runs)) return 0;
    if (scan.servers.size() == 1) {
      if (running) *running = true;
      if (control_socket_in_place(scan.servers.front())) return scan.servers.front();
    }
    if (std::chrono::steady_clock::now() >= end || ::kill(static_cast<pid_t>(init_pid), 0) != 0) return 0;
  }
}

// pidfd_getfd of the non-dumpable server needs CAP_SYS_PTRACE; without it
// (a runner that is not root) kept agents are never started nor reached.
bool may_take_descriptors() {
  static const bool may = [] {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);) {
      if (line.rfind("CapEff:", 0) != 0) continue;
      const unsigned long long caps = std::strtoull(line.c_str() + 7, nullptr, 16);
      return (caps >> 19 & 1) != 0;  // CAP_SYS_PTRACE
    }
    return false;
  }();
  return may;
}

}  // namespace

UniqueFd hand_agent_connection(int control) {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) return UniqueFd();
  UniqueFd mine(pair[0]), theirs(pair[1]);
  const char byte = 'c';
  const int fd = theirs.get();
  // Non-blocking: a server that does not read (stopped) must not hang us.
  if (send_with_descriptors(control, &byte, 1, &fd, 1, MSG_NOSIGNAL | MSG_DONTWAIT) != 1) return UniqueFd();
  return mine;
}

bool kept_agents_usable(DockerClient& client) {
  return !client.endpoint().unix_socket.empty() && !client.info().podman && may_take_descriptors();
}

std::vector<std::string> kept_agent_command(const std::vector<std::string>& exec_prefix) {
  std::vector<std::string> argv = exec_prefix;
  const auto dashes = std::find(argv.begin(), argv.end(), "--");
  argv.insert(dashes, "--serve");
  for (const char* a : {"sh", "-c", kStepAgentScript}) argv.emplace_back(a);
  return argv;
}

std::vector<std::string> beside_agent_prefix(const std::vector<std::string>& exec_prefix) {
  std::vector<std::string> argv = exec_prefix;
  argv.erase(std::remove(argv.begin(), argv.end(), "--reap"), argv.end());
  const auto dashes = std::find(argv.begin(), argv.end(), "--");
  argv.insert(dashes, "--serve-beside=3");
  for (const char* a : {"sh", "-c", kStepAgentScript}) argv.emplace_back(a);
  return argv;
}

std::string start_kept_agent(DockerClient& client, const std::string& container,
                             const std::vector<std::string>& exec_prefix) {
  const nlohmann::json body = {{"AttachStdin", false}, {"AttachStdout", false}, {"AttachStderr", false},
                               {"Tty", false},         {"Cmd", kept_agent_command(exec_prefix)}};
  const std::string exec_id = client.exec_create(container, body);
  const HttpResponse r = client.request("POST", "/exec/" + exec_id + "/start", R"({"Detach":true,"Tty":false})");
  if (r.status >= 400 || r.status == 0)
    throw Error(ErrorKind::Backend, "cannot start the kept step agent: " + engine_message(r.body),
                client.endpoint().describe());
  return exec_id;
}

void wait_kept_agent_ready(DockerClient& client, const std::string& exec_id, std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    const nlohmann::json e = client.exec_inspect(exec_id);
    const long pid = e.value("Pid", 0L);
    if (!e.value("Running", false) && pid > 0) return;  // ended: nothing to wait for
    if (pid > 0 && control_socket_in_place(pid)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

bool wait_beside_agent_ready(DockerClient& client, const std::string& container,
                             const std::vector<std::string>& exec_prefix, std::chrono::milliseconds limit) {
  const auto inspect = client.container_inspect(container);
  if (!inspect) return false;
  const std::string beside = beside_command(*inspect, exec_prefix);
  if (beside.empty()) return false;
  const nlohmann::json& state = (*inspect)["State"];
  const long init_pid = state.is_object() ? state.value("Pid", 0L) : 0L;
  if (init_pid > 0) ready_beside_server(init_pid, beside, limit, nullptr);
  return true;
}

std::optional<KeptAgentConnection> connect_kept_agent(DockerClient& client, const std::string& container,
                                                      const std::vector<std::string>& exec_prefix, bool* running,
                                                      std::chrono::milliseconds beside_wait) {
  if (running) *running = false;
  if (!kept_agents_usable(client) || exec_prefix.empty()) return std::nullopt;
  const auto inspect = client.container_inspect(container);
  if (!inspect) return std::nullopt;
  const nlohmann::json& state = (*inspect)["State"];
  if (!state.is_object() || !state.value("Running", false)) return std::nullopt;
  const long init_pid = state.value("Pid", 0L);
  const std::string id = inspect->value("Id", std::string());
  if (init_pid <= 0 || id.empty()) return std::nullopt;
  // Started with the container (serve_beside.h): a child of its init.
  const std::string beside = beside_command(*inspect, exec_prefix);
  if (!beside.empty()) {
    const long server = ready_beside_server(init_pid, beside, beside_wait, running);
    if (UniqueFd fd = server > 0 ? connect_server(server, init_pid, id, beside, true) : UniqueFd(); fd.valid())
      return KeptAgentConnection{std::make_unique<AttachStream>(std::move(fd)), "", server};
  }
  // Started by a detached engine exec (start_kept_agent).
  const auto execs = inspect->find("ExecIDs");
  if (execs == inspect->end() || !execs->is_array()) return std::nullopt;
  const std::vector<std::string> command = kept_agent_command(exec_prefix);
  const long shim = parent_of(init_pid);
  for (const auto& exec : *execs) {
    if (!exec.is_string()) continue;
    nlohmann::json e;
    try {
      e = client.exec_inspect(exec.get<std::string>());
    } catch (const Error&) {
      continue;  // ended and removed meanwhile
    }
    if (!e.value("Running", false) || exec_command(e) != command) continue;
    if (running) *running = true;
    const long pid = e.value("Pid", 0L);
    UniqueFd fd = pid > 0 ? connect_server(pid, shim, id, nul_joined(command), false) : UniqueFd();
    if (!fd.valid()) continue;
    return KeptAgentConnection{std::make_unique<AttachStream>(std::move(fd)), exec.get<std::string>(), pid};
  }
  return std::nullopt;
}

}  // namespace clnrm::docker
