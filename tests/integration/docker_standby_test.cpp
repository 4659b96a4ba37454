// Standby anchors through the backend choice, as `clnrm run` makes the
// backend: a run of one pod makes none (its create + start would compete
// with the test's own containers and nobody would take it); a run of two
// makes one, which the second pod takes.
#include <gtest/gtest.h>

#include <clnrm/backend_choice.h>

#include <chrono>
#include <thread>

#include "integration/docker_support.h"

namespace clnrm {
namespace {

using namespace testing_docker;

PodSpec spec_in(const std::string& session, const std::string& test) {
  PodSpec s = pod_spec(test);
  s.session_id = session;
  return s;
}

// Waits (up to 30 s) until the session has `n` containers.
bool session_reaches(const std::string& session, std::size_t n) {
  for (int i = 0; i < 300; ++i) {
    if (count_with_label("clnrm.session", session) == n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

TEST(DockerStandby, ARunOfOnePodMakesNone) {
  ASSERT_TRUE(require_engine());
  const std::string session = unique("standby-one");
  BackendChoiceOptions options;
  options.pods_planned = 1;
  {
    std::shared_ptr<Backend> backend = make_backend("docker", {}, options);
    auto pod = backend->create_pod(spec_in(session, "only"));
    CancelToken never;
    EXPECT_EQ(pod->exec(cmd({"true"}), never).exit_code, 0);  // takes the pod's anchor
    // A standby would be created right after the anchor was taken.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    EXPECT_EQ(count_with_label("clnrm.session", session), 1u) << "the anchor only, no standby";
  }
  EXPECT_EQ(count_with_label("clnrm.session", session), 0u);
}

TEST(DockerStandby, ARunOfTwoPodsMakesOneForTheSecond) {
  ASSERT_TRUE(require_engine());
  const std::string session = unique("standby-two");
  BackendChoiceOptions options;
  options.pods_planned = 2;
  {
    std::shared_ptr<Backend> backend = make_backend("docker", {}, options);
    CancelToken never;
    auto first = backend->create_pod(spec_in(session, "first"));
    EXPECT_EQ(first->exec(cmd({"true"}), never).exit_code, 0);
    ASSERT_TRUE(session_reaches(session, 2u)) << "the first pod's anchor and a standby";
    auto second = backend->create_pod(spec_in(session, "second"));
    EXPECT_EQ(second->exec(cmd({"true"}), never).exit_code, 0);
    // The second pod took the standby (and a new one is made for a third).
    EXPECT_TRUE(session_reaches(session, 3u));
  }
  EXPECT_EQ(count_with_label("clnrm.session", session), 0u);
}

}  // namespace
}  // namespace clnrm
