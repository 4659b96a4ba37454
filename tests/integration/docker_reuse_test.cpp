// reuse = true: warm service containers across pods/runs, found by the reuse
// hash; a changed spec replaces the container; parallel adopters never share.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "backend/docker/docker_service.h"
#include "integration/docker_session_fixture.h"
#include "integration/docker_support.h"

namespace clnrm {
namespace {

using namespace testing_docker;

class DockerReuseTest : public DockerSessionTest<> {
 protected:
  void SetUp() override { open_warm_session("reuse"); }
  PodSpec spec() {
    PodSpec s;
    s.test_name = test_name_;
    s.image = kRedis;
    return s;
  }
  ProcessSpec redis(const std::string& extra = "") {
    ProcessSpec p;
    p.name = "db";
    p.image = kRedis;
    p.argv = {"redis-server", "--port", "6379", "--save", ""};
    if (!extra.empty()) p.argv.push_back(extra), p.argv.push_back("1");
    p.reuse = true;
    // Part of the reuse hash: keeps this test's units apart from those of
    // other test processes running in parallel (ctest -j).
    p.env = {{"CLNRM_TEST_UNIT", test_name_}};
    return p;
  }
  DockerOptions test_options_with_locks() {
    DockerOptions o = test_options();
    o.lock_dir = lock_dir_;
    return o;
  }
  static bool ping(Pod& pod) {
    CancelToken never;
    for (int i = 0; i < 100; ++i) {
      if (pod.exec(cmd({"redis-cli", "ping"}, kRedis), never).stdout_data == "PONG\n") return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
};

TEST_F(DockerReuseTest, SecondPodAdoptsTheWarmContainerWithItsState) {
  std::string first_id;
  {
    auto pod = backend_->create_pod(spec());
    auto svc = pod->start_service(redis());
    first_id = svc->id();
    EXPECT_FALSE(dynamic_cast<docker::DockerService&>(*svc).adopted());
    EXPECT_FALSE(svc->reused()) << "created now: reports say reused false";
    ASSERT_TRUE(ping(*pod));
    pod->exec(cmd({"redis-cli", "set", "carried", "over"}, kRedis), never_);
    pod->exec(cmd({"sh", "-c", "echo left-behind > /tmp/marker"}, kRedis), never_);
    svc->stop(Duration(2000));
    pod->destroy();
    docker_wait_teardown(*backend_);
  }
  auto still = connect_client()->container_inspect(first_id);
  ASSERT_TRUE(still) << "a reuse container survives its pod";
  EXPECT_TRUE((*still)["State"].value("Running", false));
  EXPECT_EQ(count_with_label("clnrm.test", test_name_), 2u) << "the warm unit: service + its pod anchor (the step container)";

  // Another backend (a later run) finds it by hash.
  auto backend2 = make_docker_backend(test_options_with_locks());
  auto pod = backend2->create_pod(spec());
  auto svc = pod->start_service(redis());
  EXPECT_EQ(svc->id(), first_id);
  EXPECT_TRUE(dynamic_cast<docker::DockerService&>(*svc).adopted());
  EXPECT_TRUE(svc->reused()) << "adopted: reports say reused true";
  // Steps join the warm container's network namespace, and its data is still there.
  EXPECT_EQ(pod->exec(cmd({"redis-cli", "get", "carried"}, kRedis), never_).stdout_data, "over\n");
  // The step container is part of the warm unit: its files carry over too
  // (documented in docs/docker-backend.md).
  EXPECT_EQ(pod->exec(cmd({"cat", "/tmp/marker"}, kRedis), never_).stdout_data, "left-behind\n");
  EXPECT_EQ(count_with_label("clnrm.test", test_name_), 2u) << "adopting created nothing";
}

TEST_F(DockerReuseTest, ChangedSpecGetsANewContainerAndTheStaleOneIsRemoved) {
  std::string old_id;
  {
    auto pod = backend_->create_pod(spec());
    auto svc = pod->start_service(redis());
    old_id = svc->id();
  }
  auto pod = backend_->create_pod(spec());
  auto svc = pod->start_service(redis("--databases"));
  EXPECT_NE(svc->id(), old_id);
  EXPECT_FALSE(connect_client()->container_inspect(old_id)) << "stale container removed";
  ASSERT_TRUE(ping(*pod));
}

TEST_F(DockerReuseTest, ParallelAdoptersNeverShare) {
  // Warm one container first so both adopters race for it.
  {
    auto pod = backend_->create_pod(spec());
    pod->start_service(redis());
  }
  std::promise<void> go;
  auto gate = go.get_future().share();
  auto adopt = [&] {
    gate.wait();
    auto pod = backend_->create_pod(spec());
    auto svc = pod->start_service(redis());
    const std::string id = svc->id();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // hold it while the other adopts
    return id;
  };
  auto a = std::async(std::launch::async, adopt);
  auto b = std::async(std::launch::async, adopt);
  go.set_value();
  const std::string id_a = a.get(), id_b = b.get();
  EXPECT_NE(id_a, id_b);
  // Both are kept warm (one per slot) for later parallel runs.
  EXPECT_EQ(connect_client()->container_list({"clnrm.test=" + test_name_, "clnrm.reuse-hash"}).size(), 4u)
      << "two units of service + anchor";
}

TEST_F(DockerReuseTest, CleanupKeepsWarmContainersUnlessAll) {
  {
    auto pod = backend_->create_pod(spec());
    pod->start_service(redis());
  }
  auto report = reap_docker_orphans(test_options(), false);
  EXPECT_GE(report.kept_reuse, 1);
  EXPECT_EQ(connect_client()->container_list({"clnrm.test=" + test_name_}).size(), 2u);
}

// At high the reuse unit (anchor + service) runs under clnrm-seccomp-exec:
// a warm unit of a lower level is never adopted, and an adopted unit still
// denies what clnrm's list denies (busybox adjtimex: clock_adjtime).
TEST_F(DockerReuseTest, HighNeverAdoptsAnUnfilteredUnitAndAnAdoptedOneKeepsTheFilter) {
  auto at = [&](SecurityLevel level) {
    PodSpec s = spec();
    s.level = level;
    return backend_->create_pod(s);
  };
  auto denied = [&](Pod& pod, ServiceInstance& svc) {
    const ExecResult step = pod.exec(cmd({"adjtimex"}), never_);
    const ExecResult in_service = svc.exec(cmd({"adjtimex"}), never_);
    return step.stderr_data.find("Operation not permitted") != std::string::npos &&
           in_service.stderr_data.find("Operation not permitted") != std::string::npos;
  };
  std::string medium_id, high_id;
  {
    auto pod = at(SecurityLevel::Medium);
    auto svc = pod->start_service(redis());
    medium_id = svc->id();
    ASSERT_TRUE(ping(*pod));
    EXPECT_FALSE(denied(*pod, *svc));
  }
  {
    auto pod = at(SecurityLevel::High);
    auto svc = pod->start_service(redis());
    high_id = svc->id();
    EXPECT_NE(high_id, medium_id) << "a high test adopted a unit without clnrm's seccomp filter";
    EXPECT_FALSE(dynamic_cast<docker::DockerService&>(*svc).adopted());
    ASSERT_TRUE(ping(*pod));
    EXPECT_TRUE(denied(*pod, *svc));
  }
  auto pod = at(SecurityLevel::High);
  auto svc = pod->start_service(redis());
  EXPECT_EQ(svc->id(), high_id);
  EXPECT_TRUE(dynamic_cast<docker::DockerService&>(*svc).adopted());
  EXPECT_TRUE(denied(*pod, *svc));
}

}  // namespace
}  // namespace clnrm
