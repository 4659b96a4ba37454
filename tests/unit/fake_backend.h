#pragma once
// A scripted backend for runner unit tests: failure injection and the few
// things a real process cannot show deterministically without the sandbox
// (how many execs overlapped, the exact env handed over, teardown order).
// argv[0] decides what happens:
//   echo ARGS...   stdout = ARGS joined + "\n", exit 0
//   err TEXT       stderr = TEXT + "\n", exit 0
//   exit N         exit N
//   sleep MS       sleeps MS, honouring ProcessSpec::timeout (timed_out,
//                  exit 137) and the CancelToken (exit 130)
//   throw          the backend fails (Error Backend)
//   fail-on-attempt K   exit 1 when the env has CLNRM_ATTEMPT=K, else 0 (--retries)
//   anything else  exit 0
#include <clnrm/backend.h>
#include <clnrm/error.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace fake {

struct Journal {
  std::mutex mutex;
  std::vector<std::string>
      events;  // "create_pod t", "exec step", "start svc", "stop svc", "destroy t"
  std::vector<clnrm::ProcessSpec> execs;
  std::vector<clnrm::ProcessSpec> services;  // start_service specs
  std::atomic<int> running{0};
  std::atomic<int> max_running{0};
  std::atomic<int> live_pods{0};
  void add(std::string e) {
    std::lock_guard l(mutex);
    events.push_back(std::move(e));
  }
  std::vector<std::string> snapshot() {
    std::lock_guard l(mutex);
    return events;
  }
};

inline clnrm::ExecResult run_script(const clnrm::ProcessSpec& p, const clnrm::CancelToken& cancel,
                                    Journal& j) {
  using namespace std::chrono;
  {
    std::lock_guard l(j.mutex);
    j.execs.push_back(p);
    j.events.push_back("exec " + p.name);
  }
  const int now = ++j.running;
  int prev = j.max_running.load();
  while (now > prev && !j.max_running.compare_exchange_weak(prev, now)) {
  }
  struct Leave {
    Journal& j;
    ~Leave() { --j.running; }
  } leave{j};
  clnrm::ExecResult r;
  r.exit_code = 0;
  const std::string cmd = p.argv.empty() ? "" : p.argv[0];
  if (cmd == "echo") {
    for (std::size_t i = 1; i < p.argv.size(); ++i) r.stdout_data += (i > 1 ? " " : "") + p.argv[i];
    r.stdout_data += "\n";
  } else if (cmd == "err") {
    r.stderr_data = (p.argv.size() > 1 ? p.argv[1] : "") + "\n";
  } else if (cmd == "exit") {
    r.exit_code = std::stoi(p.argv.at(1));
  } else if (cmd == "sleep") {
    const auto until = steady_clock::now() + milliseconds(std::stoi(p.argv.at(1)));
    const auto kill_at =
        p.timeout ? steady_clock::now() + *p.timeout : steady_clock::time_point::max();
    while (steady_clock::now() < until) {
      if (cancel.cancelled()) {
        r.exit_code = 130;
        r.term_signal = 2;
        return r;
      }
      if (steady_clock::now() >= kill_at) {
        r.exit_code = 137;
        r.term_signal = 9;
        r.timed_out = true;
        r.stdout_data = "started\n";
        return r;
      }
      std::this_thread::sleep_for(milliseconds(1));
    }
  } else if (cmd == "fail-on-attempt") {
    for (const auto& [k, v] : p.env)
      if (k == "CLNRM_ATTEMPT" && v == p.argv.at(1)) r.exit_code = 1;
  } else if (cmd == "throw") {
    throw clnrm::Error(clnrm::ErrorKind::Backend, "injected backend failure");
  }
  return r;
}

class Service final : public clnrm::ServiceInstance {
 public:
  Service(std::string id, Journal& j, std::string logs, std::optional<int> exit, bool reused = false)
      : id_(std::move(id)), j_(j), logs_(std::move(logs)), exit_(exit), reused_(reused) {}
  const std::string& id() const override { return id_; }
  bool reused() const override { return reused_; }
  bool running() override { return !exit_ && !stopped_; }
  std::optional<int> exit_code() override { return exit_; }
  std::string logs(std::size_t) override { return logs_; }
  clnrm::ExecResult exec(const clnrm::ProcessSpec& p, const clnrm::CancelToken& c) override {
    return run_script(p, c, j_);
  }
  void stop(clnrm::Duration) override {
    if (!stopped_) j_.add("stop " + id_);
    stopped_ = true;
  }

 private:
  std::string id_;
  Journal& j_;
  std::string logs_;
  std::optional<int> exit_;
  bool reused_ = false;
  bool stopped_ = false;
};

class Pod final : public clnrm::Pod {
 public:
  Pod(std::string id, Journal& j) : id_(std::move(id)), j_(j) { ++j_.live_pods; }
  ~Pod() override { destroy(); }
  const std::string& id() const override { return id_; }
  clnrm::ExecResult exec(const clnrm::ProcessSpec& p, const clnrm::CancelToken& c) override {
    return run_script(p, c, j_);
  }
  // Service argv[0] "crash" exits at once with code 3 after logging; "logger"
  // logs argv[1..]; "warm" is adopted, as a warm reuse container would be
  // (reused() true); anything else runs quietly.
  std::unique_ptr<clnrm::ServiceInstance> start_service(const clnrm::ProcessSpec& p) override {
    j_.add("start " + p.name);
    {
      std::lock_guard l(j_.mutex);
      j_.services.push_back(p);
    }
    std::string logs;
    std::optional<int> exit;
    if (!p.argv.empty() && p.argv[0] == "crash") {
      logs = "booting\nfatal: config missing\n";
      exit = 3;
    } else if (!p.argv.empty() && p.argv[0] == "logger") {
      for (std::size_t i = 1; i < p.argv.size(); ++i) logs += p.argv[i] + "\n";
    }
    const bool warm = !p.argv.empty() && p.argv[0] == "warm";
    return std::make_unique<Service>(p.name, j_, logs, exit, warm);
  }
  std::optional<int> connect_tcp(clnrm::LoopbackIpv4, std::uint16_t) override { return std::nullopt; }
  void destroy() override {
    if (destroyed_) return;
    destroyed_ = true;
    --j_.live_pods;
    j_.add("destroy " + id_);
  }

 private:
  std::string id_;
  Journal& j_;
  bool destroyed_ = false;
};

class Backend final : public clnrm::Backend {
 public:
  explicit Backend(std::shared_ptr<Journal> j, clnrm::Capabilities caps = {})
      : j_(std::move(j)), caps_(caps) {}
  std::string_view name() const override { return "fake"; }
  clnrm::Capabilities capabilities() const override { return caps_; }
  std::unique_ptr<clnrm::Pod> create_pod(const clnrm::PodSpec& spec) override {
    if (spec.test_name == "no-pod")
      throw clnrm::Error(clnrm::ErrorKind::Backend, "injected: cannot create pod");
    j_->add("create_pod " + spec.test_name);
    return std::make_unique<Pod>(spec.test_name, *j_);
  }

 private:
  std::shared_ptr<Journal> j_;
  clnrm::Capabilities caps_;
};

}  // namespace fake
