#pragma once
// A SECOND, private Docker engine for fault-injection tests that stop and
// restart it (the shared engine of scripts/start-docker.sh is used by other
// tests at the same time and must never be touched). Same network flags as
// start-docker.sh (--bridge=none --iptables=false --ip-masq=false), its own
// data-root, exec-root, pidfile and socket under a temp dir. The destructor
// removes its containers, stops it, kills what it left (containerd, shims:
// every process whose command line names the temp dir), unmounts what it
// mounted there and removes the dir -- also when the test failed.

#include <clnrm/docker.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "backend/docker/docker_client.h"
#include "backend/docker/endpoint.h"
#include "backend/docker/http_transport.h"
#include "support/proc_file.h"

namespace clnrm::testing_fault {

class PrivateEngine {
 public:
  // `extra_args`: more dockerd flags (e.g. --userns-remap=default).
  explicit PrivateEngine(std::vector<std::string> extra_args = {}) : extra_args_(std::move(extra_args)) {
    // Short path: the socket path must fit sockaddr_un (108 bytes).
    std::string pattern = "/tmp/cfe-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
  }
  ~PrivateEngine() { teardown(); }
  PrivateEngine(const PrivateEngine&) = delete;
  PrivateEngine& operator=(const PrivateEngine&) = delete;

  std::string host() const { return "unix://" + socket(); }
  std::string socket() const { return dir_ + "/d.sock"; }
  const std::string& dir() const { return dir_; }
  pid_t pid() const { return pid_; }

  // Starts dockerd and waits (up to 90 s) until it answers /_ping.
  void start() {
    std::filesystem::create_directories(dir_ + "/data");
    std::filesystem::create_directories(dir_ + "/exec");
    std::filesystem::remove(socket());
    // Everything the child needs is made before fork(): the test process
    // has threads, so the child may not allocate.
    const std::string log = dir_ + "/dockerd.log";
    std::vector<std::string> args{"dockerd",
                                  "--host=" + host(),
                                  "--data-root=" + dir_ + "/data",
                                  "--exec-root=" + dir_ + "/exec",
                                  "--pidfile=" + dir_ + "/dockerd.pid",
                                  "--storage-driver=vfs",
                                  "--exec-opt=native.cgroupdriver=cgroupfs",
                                  "--bridge=none",
                                  "--iptables=false",
                                  "--ip-masq=false",
                                  "--ip6tables=false",
                                  "--userland-proxy=false",
                                  "--log-level=warn"};
    args.insert(args.end(), extra_args_.begin(), extra_args_.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::setsid();
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (fd >= 0) {
        ::dup2(fd, STDOUT_FILENO);
        ::dup2(fd, STDERR_FILENO);
      }
      ::execv("/usr/sbin/dockerd", argv.data());
      ::_exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    while (!answers()) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("private dockerd exited; log: " + log_tail());
      }
      if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("private dockerd not ready: " + log_tail());
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }

  // Signals dockerd and waits (up to 60 s) for it to exit.
  void stop(int sig = SIGTERM) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    pid_ = -1;
  }

  // A crash: SIGKILL to dockerd and its containerd at once (a dockerd killed
  // alone leaves its containerd running, and a restarted dockerd then cannot
  // start one of its own). The shims and containers survive, as they would.
  // A crash: SIGKILL to dockerd and its containerd (a dockerd killed alone
  // leaves its containerd running, and a restarted dockerd then cannot start
  // one of its own). containerd first, then dockerd, then any containerd
  // dockerd managed to restart in between. The shims, and so the
  // containers, survive, as after a real crash.
  void crash() {
    kill_containerd();
    stop(SIGKILL);
    kill_containerd();
  }

  void kill_containerd() {
    for (int round = 0; round < 100; ++round) {
      bool any = false;
      for (pid_t p : processes()) {
        if (command_of(p).rfind("containerd ", 0) == 0) {
          ::kill(p, SIGKILL);
          any = true;
        }
      }
      if (!any) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  bool answers() const {
    try {
      docker::DockerClient c(docker::make_curl_transport(docker::parse_docker_host(host()).value()));
      return c.ping(std::chrono::milliseconds(500));
    } catch (...) {
      return false;
    }
  }

  // Copies an image from the shared engine (images cannot be pulled here).
  void load_image_from_shared_engine(const std::string& image) const {
    const std::string cmd = "docker -H unix:///var/run/docker.sock save " + image + " | docker -H " + host() +
                            " load -q >/dev/null";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("could not copy " + image + " into the private engine");
  }

  std::unique_ptr<docker::DockerClient> client() const {
    auto c = std::make_unique<docker::DockerClient>(
        docker::make_curl_transport(docker::parse_docker_host(host()).value()));
    c->connect();
    return c;
  }

  // Pids of processes whose command line names this engine's dir (dockerd,
  // containerd, shims), other than ourselves.
  std::vector<pid_t> processes() const {
    std::vector<pid_t> found;
    for (const auto& e : std::filesystem::directory_iterator("/proc")) {
      const std::string name = e.path().filename().string();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      const std::string cmdline = testing::read_file_or_empty(e.path() / "cmdline");
      const pid_t p = std::atoi(name.c_str());
      if (p != ::getpid() && cmdline.find(dir_) != std::string::npos) found.push_back(p);
    }
    return found;
  }
  // Mount points under this engine's dir.
  std::vector<std::string> mounts() const {
    std::vector<std::string> found;
    std::ifstream in("/proc/mounts");
    std::string dev, dir, rest;
    while (in >> dev >> dir && std::getline(in, rest)) {
      if (dir.rfind(dir_ + "/", 0) == 0) found.push_back(dir);
    }
    return found;
  }

  static std::string command_of(pid_t p) {
    const std::string cmdline = testing::read_file_or_empty("/proc/" + std::to_string(p) + "/cmdline");
    const std::string first = cmdline.substr(0, cmdline.find('\0'));
    return std::filesystem::path(first).filename().string() + " ";
  }

  std::string log_tail() const {
    const std::string all = testing::read_file_or_empty(dir_ + "/dockerd.log");
    return all.size() > 3000 ? all.substr(all.size() - 3000) : all;
  }

 private:
  void teardown() {
    if (pid_ > 0 && answers()) {
      (void)std::system(("docker -H " + host() + " rm -f $(docker -H " + host() + " ps -aq) >/dev/null 2>&1").c_str());
    }
    stop(SIGTERM);
    for (int round = 0; round < 50; ++round) {
      const auto left = processes();
      if (left.empty()) break;
      for (pid_t p : left) ::kill(p, SIGKILL);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    auto m = mounts();
    for (auto it = m.rbegin(); it != m.rend(); ++it) ::umount2(it->c_str(), MNT_DETACH);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::vector<std::string> extra_args_;
  std::string dir_;
  pid_t pid_ = -1;
};

}  // namespace clnrm::testing_fault
