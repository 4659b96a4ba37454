#pragma once
// A real OCI distribution registry on loopback for image tests (test
// helper): Debian's docker-registry, configured and exec'd by
// scripts/start-registry.sh, owned by this process (PR_SET_PDEATHSIG: it
// dies with the test binary) and stopped by the destructor. Images are pushed
// with skopeo. When the registry or skopeo is missing the test FAILS (never
// skips) saying what to install. With a RegistryTokenAuth the registry
// wants tokens from that token service (tests/support/loopback_token_server.h).

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
#include <vector>

#include "base/http_client.h"
#include "support/run_command.h"

namespace clnrm::testing {

// A TCP port on 127.0.0.1 free a moment ago.
inline int free_loopback_port() {
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

// Forks and execs `argv` as a process this one owns: it dies with the test
// binary (PR_SET_PDEATHSIG); stop_owned_process ends it.
inline pid_t start_owned_process(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

inline void stop_owned_process(pid_t& pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  pid = -1;
}

// The status of GET `url`, 0 when nothing answers.
inline long http_status(const std::string& url) {
  try {
    http::Request r;
    r.url = url;
    r.connect_timeout = std::chrono::milliseconds(200);
    r.timeout = std::chrono::milliseconds(1000);
    return http::send(r).status;
  } catch (const std::exception&) {
    return 0;
  }
}

// `auth: token` for the registry: the token service's URL and the
// certificate whose key signs its tokens.
struct RegistryTokenAuth {
  std::string realm;
  std::string cert;
};

class LoopbackRegistry {
 public:
  explicit LoopbackRegistry(const std::string& dir, const RegistryTokenAuth& auth = {})
      : dir_(dir), token_auth_(!auth.realm.empty()) {
    port_ = free_loopback_port();
    std::vector<std::string> argv = {"/bin/bash", std::string(CLNRM_SOURCE_DIR) + "/scripts/start-registry.sh", dir_,
                                     std::to_string(port_)};
    if (token_auth_) {
      argv.push_back(auth.realm);
      argv.push_back(auth.cert);
    }
    pid_ = start_owned_process(argv);
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

  void stop() { stop_owned_process(pid_); }

 private:
  // 200, or 401 (the token challenge) when it wants tokens.
  bool answers() const {
    const long status = http_status("http://" + host() + "/v2/");
    return status == 200 || (token_auth_ && status == 401);
  }

  std::string dir_;
  bool token_auth_ = false;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace clnrm::testing
