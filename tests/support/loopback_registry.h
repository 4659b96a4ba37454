#pragma once
// A real OCI distribution registry on loopback for image tests (test
// helper): Debian's docker-registry, configured and exec'd by
// scripts/start-registry.sh, owned by this process (PR_SET_PDEATHSIG: it
// dies with the test binary) and stopped by the destructor. Images are pushed
// with skopeo. When the registry or skopeo is missing the test FAILS (never
// skips) saying what to install.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "base/http_client.h"
#include "support/run_command.h"

namespace clnrm::testing {

class LoopbackRegistry {
 public:
  explicit LoopbackRegistry(const std::string& dir) : dir_(dir) {
    port_ = free_port();
    const std::string script = std::string(CLNRM_SOURCE_DIR) + "/scripts/start-registry.sh";
    const std::string port = std::to_string(port_);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      ::execl("/bin/bash", "bash", script.c_str(), dir_.c_str(), port.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 200 && !answers(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (!answers())
      ADD_FAILURE() << "docker-registry did not answer on " << host()
                    << ": install it (scripts/setup-deps.sh: docker-registry, skopeo)";
  }
  ~LoopbackRegistry() { stop(); }
  LoopbackRegistry(const LoopbackRegistry&) = delete;
  LoopbackRegistry& operator=(const LoopbackRegistry&) = delete;

  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }

  // skopeo copy SOURCE docker://HOST/REPO_TAG (plain http: loopback).
  void push(const std::string& source, const std::string& repo_tag, const std::string& extra = "") {
    const auto r = run_command("skopeo copy --quiet --insecure-policy --dest-tls-verify=false " + extra + " " + source +
                               " docker://" + host() + "/" + repo_tag + " 2>&1");
    ASSERT_EQ(r.exit_code, 0) << "skopeo copy " << source << ": " << r.out;
  }

  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  static int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
  }
  bool answers() const {
    try {
      http::Request r;
      r.url = "http://" + host() + "/v2/";
      r.connect_timeout = std::chrono::milliseconds(200);
      r.timeout = std::chrono::milliseconds(1000);
      return http::send(r).status == 200;
    } catch (const std::exception&) {
      return false;
    }
  }

  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace clnrm::testing
