// Issue #13 class 6, "host root everywhere": at medium and high a
// cleanroom's root must not be the host's root. On docker that is the
// engine's --userns-remap (src/backend/docker/user_namespace.h).
//
// * Against the shared engine: the `user namespace` row of enforced_limits()
//   says exactly what a step sees in /proc/self/uid_map (identity map = host
//   root), whichever way that engine was started.
// * Against a private engine started with --userns-remap=default (its own
//   socket, data-root and exec-root: tests/integration/private_engine.h):
//   at medium and high uid 0 in a step is a subordinate host uid (its uid
//   map, and the host's view of a service's process through the engine's
//   top), the seccomp helper's bind mount still runs at high, and low +
//   host_network still works (it runs in the host's user namespace:
//   UsernsMode=host).
#include <clnrm/policy.h>
#include <gtest/gtest.h>
#include <pwd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "backend/docker/user_namespace.h"
#include "integration/docker_support.h"
#include "integration/private_engine.h"

namespace clnrm {
namespace {

using namespace testing_docker;

std::optional<EnforcedLimit> row(const Pod& pod, const std::string& what) {
  for (const auto& l : pod.enforced_limits())
    if (l.what == what) return l;
  return std::nullopt;
}

// "0 0 4294967295": the identity map of the host's user namespace.
bool identity_map(const std::string& uid_map) {
  std::istringstream in(uid_map);
  long inside = -1, outside = -1, count = -1;
  in >> inside >> outside >> count;
  return inside == 0 && outside == 0 && count == 4294967295L;
}

// The first host uid of dockremap's subordinate range (/etc/subuid), -1 if none.
long dockremap_subuid_start() {
  std::ifstream in("/etc/subuid");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("dockremap:", 0) != 0) continue;
    return std::stol(line.substr(line.find(':') + 1));
  }
  return -1;
}

TEST(DockerUserNamespace, TheEnforcedRowSaysWhatAStepSees) {
  ASSERT_TRUE(require_engine());
  const bool remapped = docker::engine_remaps_root(*connect_client());
  DockerOptions options = test_options();
  options.session_id = unique("userns");
  {
    auto backend = make_docker_backend(options);
    PodSpec spec = pod_spec("userns");
    spec.level = SecurityLevel::Medium;
    auto pod = backend->create_pod(spec);
    const auto r = row(*pod, "user namespace");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->value, remapped ? "on" : "off") << r->mechanism;
    CancelToken never;
    const ExecResult map = pod->exec(cmd({"cat", "/proc/self/uid_map"}), never);
    ASSERT_EQ(map.exit_code, 0) << map.stderr_data;
    EXPECT_EQ(identity_map(map.stdout_data), !remapped) << map.stdout_data;
  }
  EXPECT_EQ(count_with_label("clnrm.session", options.session_id), 0u) << "containers left behind";
}

TEST(DockerUserNamespace, InfoParsing) {
  EXPECT_TRUE(docker::info_says_userns_remap(nlohmann::json::parse(
      R"({"SecurityOptions": ["name=seccomp,profile=default", "name=userns"]})")));
  EXPECT_TRUE(docker::info_says_userns_remap(nlohmann::json::parse(R"({"SecurityOptions": ["userns"]})")));
  EXPECT_FALSE(docker::info_says_userns_remap(
      nlohmann::json::parse(R"({"SecurityOptions": ["name=seccomp,profile=default"]})")));
  EXPECT_FALSE(docker::info_says_userns_remap(nlohmann::json::parse(R"({"SecurityOptions": null})")));
  EXPECT_FALSE(docker::info_says_userns_remap(nlohmann::json::parse(R"({})")));
}

// One private engine with --userns-remap=default for the tests below.
class DockerRemappedEngine : public ::testing::Test {
 protected:
  static void TearDownTestSuite() {
    delete engine_;
    engine_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(require_engine());  // images come from the shared engine
    ASSERT_NE(::getpwnam("dockremap"), nullptr)
        << "no dockremap user: scripts/start-docker.sh creates it (and its /etc/subuid, /etc/subgid ranges)";
    subuid_ = dockremap_subuid_start();
    ASSERT_GT(subuid_, 0) << "no dockremap range in /etc/subuid: run scripts/start-docker.sh";
    if (engine_ == nullptr) {
      // Started once for the suite; a failure fails each test (never a skip).
      engine_ = new testing_fault::PrivateEngine({"--userns-remap=default"});
      // mkdtemp made it 0700: the remapped root must be able to traverse it
      // to reach its data-root (dockerd refuses to start otherwise).
      std::filesystem::permissions(engine_->dir(), std::filesystem::perms::others_exec,
                                   std::filesystem::perm_options::add);
      try {
        engine_->start();
        engine_->load_image_from_shared_engine(kBusybox);
      } catch (const std::exception& e) {
        start_error_ = e.what();
      }
    }
    ASSERT_TRUE(start_error_.empty()) << "private dockerd --userns-remap=default: " << start_error_;
    options_ = test_options();
    options_.host = engine_->host();
    options_.session_id = unique("remapped");
    backend_ = make_docker_backend(options_);
  }
  std::unique_ptr<Pod> pod(SecurityLevel level, bool host_network = false) {
    PodSpec spec = pod_spec("remapped");
    spec.level = level;
    spec.host_network = host_network;
    return backend_->create_pod(spec);
  }

  static testing_fault::PrivateEngine* engine_;
  static std::string start_error_;
  long subuid_ = -1;
  DockerOptions options_;
  std::unique_ptr<Backend> backend_;
  CancelToken never_;
};

testing_fault::PrivateEngine* DockerRemappedEngine::engine_ = nullptr;
std::string DockerRemappedEngine::start_error_;

TEST_F(DockerRemappedEngine, AtMediumAndHighRootInAStepIsNotHostRoot) {
  for (const SecurityLevel level : {SecurityLevel::Medium, SecurityLevel::High}) {
    SCOPED_TRACE(std::string(to_string(level)));
    auto p = pod(level);
    const auto r = row(*p, "user namespace");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->value, "on") << r->mechanism;
    ProcessSpec step = cmd({"sh", "-c", "id -u; cat /proc/self/uid_map; grep Seccomp_filters /proc/self/status"});
    step.timeout = Duration(30'000);
    const ExecResult e = p->exec(step, never_);
    ASSERT_EQ(e.exit_code, 0) << e.stderr_data;
    // Root inside ...
    EXPECT_EQ(e.stdout_data.substr(0, 2), "0\n") << e.stdout_data;
    // ... is dockremap's first subordinate uid outside.
    std::istringstream map(e.stdout_data.substr(2));
    long inside = -1, outside = -1, count = -1;
    map >> inside >> outside >> count;
    EXPECT_EQ(inside, 0);
    EXPECT_EQ(outside, subuid_) << e.stdout_data;
    EXPECT_EQ(count, 65536);
    // At high clnrm's filter is still stacked on the engine's (the helper's
    // bind mount is readable by the remapped root).
    if (level == SecurityLevel::High) {
      EXPECT_NE(e.stdout_data.find("Seccomp_filters:\t2"), std::string::npos) << e.stdout_data;
    }
    // The host's view: a service's root process runs as that uid.
    ProcessSpec svc;
    svc.name = "svc";
    svc.argv = {"sleep", "3600"};
    auto service = p->start_service(svc);
    // The service's command may not be exec'd yet when start_service
    // returns (a loaded machine): look again for up to 10 s.
    bool seen = false;
    std::string body;
    for (int attempt = 0; attempt < 100 && !seen; ++attempt) {
      if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      const auto top = engine_->client()->request(
          "GET", "/containers/" + service->id() + "/top?ps_args=" + docker::url_encode("-o pid,uid,args"));
      ASSERT_EQ(top.status, 200) << top.body;  // (top needs a PID column to filter the host's ps)
      body = top.body;
      for (const auto& proc : nlohmann::json::parse(top.body).value("Processes", nlohmann::json::array())) {
        if (proc.size() < 3 || proc[2].get<std::string>().find("sleep 3600") == std::string::npos) continue;
        seen = true;
        EXPECT_EQ(proc[1].get<std::string>(), std::to_string(subuid_)) << top.body;
      }
    }
    EXPECT_TRUE(seen) << body;
  }
}

TEST_F(DockerRemappedEngine, LowWithHostNetworkStillRuns) {
  auto p = pod(SecurityLevel::Low, /*host_network=*/true);
  const auto r = row(*p, "user namespace");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->value, "off") << r->mechanism;
  const ExecResult e = p->exec(cmd({"cat", "/proc/self/uid_map"}), never_);
  EXPECT_EQ(e.exit_code, 0) << e.stderr_data;
  EXPECT_TRUE(identity_map(e.stdout_data)) << e.stdout_data;
}

}  // namespace
}  // namespace clnrm
