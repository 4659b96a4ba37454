#pragma once
// A registry token service on loopback for registry-auth tests (test
// helper): scripts/registry-token-server.py makes a signing key and its
// certificate in the directory given (never committed: a test's temp dir),
// then serves GET /token on 127.0.0.1, owned by this process (it dies with
// the test binary) and stopped by the destructor. It hands a token only for
// HTTP Basic credentials of one of the accounts given; a LoopbackRegistry
// made with auth() sends its clients there.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "support/loopback_registry.h"
#include "support/run_command.h"

namespace clnrm::testing {

struct TokenAccount {
  std::string name;
  std::string password;
  std::string actions;  // "pull", "pull,push", or "none"
};

class LoopbackTokenServer {
 public:
  LoopbackTokenServer(const std::string& dir, const std::vector<TokenAccount>& accounts) : dir_(dir) {
    const std::string script = std::string(CLNRM_SOURCE_DIR) + "/scripts/registry-token-server.py";
    const auto init = run_command("python3 " + script + " init " + dir_ + " 2>&1");
    if (init.exit_code != 0) {
      ADD_FAILURE() << "registry-token-server.py init: " << init.out
                    << " (install python3-cryptography: scripts/setup-deps.sh)";
      return;
    }
    std::ofstream users(dir_ + "/users");
    for (const TokenAccount& a : accounts) users << a.name << ' ' << a.password << ' ' << a.actions << '\n';
    users.close();
    port_ = free_loopback_port();
    pid_ = start_owned_process({"/usr/bin/python3", script, "serve", dir_, std::to_string(port_)});
    // It answers 401 to a request without credentials.
    for (int i = 0; i < 200 && http_status(realm()) != 401; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (http_status(realm()) != 401) ADD_FAILURE() << "the token server did not answer on " << realm();
    std::remove((dir_ + "/requests.log").c_str());  // the probes above are not the test's
  }
  ~LoopbackTokenServer() { stop_owned_process(pid_); }
  LoopbackTokenServer(const LoopbackTokenServer&) = delete;
  LoopbackTokenServer& operator=(const LoopbackTokenServer&) = delete;

  std::string realm() const { return "http://127.0.0.1:" + std::to_string(port_) + "/token"; }
  // For a LoopbackRegistry that wants this service's tokens.
  RegistryTokenAuth auth() const { return {realm(), dir_ + "/cert.pem"}; }
  // Every token request so far, one JSON object each: {"auth": "basic" |
  // "bearer" | "none", "account": NAME or null, "status": 200 | 401, ...}.
  std::vector<nlohmann::json> requests() const {
    std::vector<nlohmann::json> out;
    std::ifstream log(dir_ + "/requests.log");
    for (std::string line; std::getline(log, line);) out.push_back(nlohmann::json::parse(line, nullptr, false));
    return out;
  }

 private:
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace clnrm::testing
