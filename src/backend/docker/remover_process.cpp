#include "backend/docker/remover_process.h"

#include <clnrm/error.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "backend/docker/docker_client.h"
#include "backend/docker/owner.h"

namespace clnrm::docker {
namespace {

// Commands, one line each (container ids and session ids have no spaces):
//   B <seq> <grace seconds> <last or -> <member>...   remove a batch, then answer "<seq>\n"
//   S <session>                                       a session to sweep at the end
//   P <json>                                          a fresh pool shape (PoolShape::to_json) to refill
//   C <id>                                            a pool entry the runner claimed
//   E                                                 the runner's backend ended in order (not killed)
bool send_all(int fd, const std::string& text) {
  std::string_view rest = text;
  while (!rest.empty()) {
    const ssize_t n = ::send(fd, rest.data(), rest.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Every container of `sessions` still labelled with the runner's pid, but
// warm reuse units (kept by design).
void sweep_sessions(DockerClient& client, const std::vector<std::string>& sessions, long runner_pid) {
  std::vector<std::string> ids;
  for (const std::string& session : sessions) {
    try {
      for (const auto& c : client.container_list({std::string(kLabelSession) + "=" + session,
                                                  std::string(kLabelPid) + "=" + std::to_string(runner_pid)})) {
        const auto labels = c.value("Labels", nlohmann::json::object());
        if (labels.contains(kLabelReuseHash)) continue;
        ids.push_back(c.value("Id", ""));
      }
    } catch (const std::exception&) {
      // Engine gone: the reaper of the next run removes them.
    }
  }
  if (!ids.empty()) remove_containers(client, ids, {});
}

[[noreturn]] void teardown_main(DockerClient& client, int fd, long runner_pid) {
  std::vector<std::string> sessions;
  std::map<std::string, PoolShape> shapes;  // by key
  std::vector<std::string> claimed;
  bool ended = false;
  std::string pending;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the runner closed its end or is gone
    pending.append(buf, static_cast<std::size_t>(n));
    for (std::size_t nl; (nl = pending.find('\n')) != std::string::npos;) {
      std::istringstream line(pending.substr(0, nl));
      const std::string text = pending.substr(0, nl);
      pending.erase(0, nl + 1);
      std::string kind;
      line >> kind;
      if (kind == "S") {
        std::string session;
        if (line >> session) sessions.push_back(session);
      } else if (kind == "P") {
        try {
          PoolShape shape = PoolShape::from_json(nlohmann::json::parse(text.substr(2)));
          shapes.emplace(shape.key, std::move(shape));
        } catch (const std::exception&) {
        }
      } else if (kind == "C") {
        std::string id;
        if (line >> id) claimed.push_back(id);
      } else if (kind == "E") {
        ended = true;
      } else if (kind == "B") {
        std::string seq, last;
        int grace = 0;
        line >> seq >> grace >> last;
        std::vector<std::string> members;
        for (std::string id; line >> id;) members.push_back(id);
        try {
          remove_containers(client, members, last == "-" ? std::string() : last, grace);
        } catch (const std::exception&) {
          // Left for the sweep below and the reaper.
        }
        send_all(fd, seq + "\n");
      }
    }
  }
  sweep_sessions(client, sessions, runner_pid);
  if (ended) {
    // Off the runner's path: the next run finds started, never-used containers.
    std::vector<PoolShape> refill;
    for (auto& [key, shape] : shapes) refill.push_back(std::move(shape));
    refill_pool(client, refill);
  } else if (!claimed.empty()) {
    // Killed: the entries it claimed carry the pool's labels, not its pid.
    remove_containers(client, claimed, {});
  }
  ::_exit(0);
}

class ProcessRemover final : public Remover {
 public:
  ProcessRemover(DockerClient& client, int fd) : client_(client), fd_(fd) {}
  ~ProcessRemover() override {
    // Not waited for: closing the socket tells the child to finish and go.
    // "E" first: an orderly end, after which the child refills the pool.
    if (!child_gone_) send_all(fd_, "E\n");
    ::close(fd_);
  }

  void enqueue(std::vector<std::string> members, std::string last, int grace_seconds) override {
    std::lock_guard lock(mutex_);
    const long seq = ++sent_;
    std::string line = "B " + std::to_string(seq) + " " + std::to_string(grace_seconds) + " " +
                       (last.empty() ? std::string("-") : last);
    for (const std::string& id : members) line += " " + id;
    if (!child_gone_ && send_all(fd_, line + "\n")) return;
    // The child is gone (killed?): remove here, synchronously.
    child_gone_ = true;
    acked_ = seq;
    auto errors = remove_containers(client_, members, last, grace_seconds);
    errors_.insert(errors_.end(), errors.begin(), errors.end());
  }

  void drain() override {
    std::lock_guard lock(mutex_);
    while (!child_gone_ && acked_ < sent_) {
      char buf[512];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        child_gone_ = true;
        break;
      }
      acks_.append(buf, static_cast<std::size_t>(n));
      for (std::size_t nl; (nl = acks_.find('\n')) != std::string::npos; acks_.erase(0, nl + 1))
        acked_ = std::max(acked_, std::atol(acks_.substr(0, nl).c_str()));
    }
  }

  std::vector<std::string> take_errors() override {
    std::lock_guard lock(mutex_);
    return std::exchange(errors_, {});
  }

  void watch_session(const std::string& session) override { send_line("S " + session); }
  void pool_shape(const PoolShape& shape) override {
    {
      std::lock_guard lock(mutex_);
      if (!shapes_sent_.insert(shape.key).second) return;  // once per run is enough
    }
    send_line("P " + shape.to_json().dump());
  }
  void pool_claimed(const std::string& id) override { send_line("C " + id); }

 private:
  void send_line(const std::string& line) {
    std::lock_guard lock(mutex_);
    if (!child_gone_ && !send_all(fd_, line + "\n")) child_gone_ = true;
  }

  DockerClient& client_;
  int fd_;
  std::mutex mutex_;
  long sent_ = 0;
  long acked_ = 0;
  bool child_gone_ = false;
  std::string acks_;
  std::vector<std::string> errors_;
  std::set<std::string> shapes_sent_;
};

}  // namespace

std::unique_ptr<Remover> make_process_remover(DockerClient& client) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return nullptr;
  const long runner_pid = self_owner().pid;
  // Forked twice: the teardown process is nobody's child but init's (no
  // zombie in a long-lived runner) and outlives the runner.
  const pid_t middle = ::fork();
  if (middle < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return nullptr;
  }
  if (middle == 0) {
    ::setsid();
    if (::fork() != 0) ::_exit(0);
    // Stdio on /dev/null, every other descriptor of the runner closed: a
    // pipe reading the runner's output must see its end when the runner ends.
    const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    for (int std_fd = 0; std_fd < 3; ++std_fd) ::dup2(null, std_fd);
    const int keep = fds[1];
    ::close_range(3, static_cast<unsigned>(keep - 1), 0);
    ::close_range(static_cast<unsigned>(keep + 1), ~0U, 0);
    ::signal(SIGINT, SIG_IGN);
    ::signal(SIGHUP, SIG_IGN);
    ::signal(SIGPIPE, SIG_IGN);
    teardown_main(client, keep, runner_pid);
  }
  ::close(fds[1]);
  int status = 0;
  while (::waitpid(middle, &status, 0) < 0 && errno == EINTR) {
  }
  return std::make_unique<ProcessRemover>(client, fds[0]);
}

}  // namespace clnrm::docker
