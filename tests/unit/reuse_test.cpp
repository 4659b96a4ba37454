#include "backend/docker/reuse.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "backend/docker/container_spec.h"

namespace clnrm::docker {
namespace {

ContainerConfig redis_config() {
  ContainerConfig c;
  c.image = "clnrm-test/redis";
  c.cmd = {"redis-server", "--port", "6379"};
  c.env = {{"A", "1"}, {"B", "2"}};
  c.security = security_for(SecurityLevel::Medium, {});
  return c;
}

TEST(ReuseHash, IndependentOfKeyOrder) {
  auto a = nlohmann::json::parse(R"({"image":"x","cmd":["a","b"],"env":["A=1"]})");
  auto b = nlohmann::json::parse(R"({"env":["A=1"],"cmd":["a","b"],"image":"x"})");
  EXPECT_EQ(reuse_hash(a), reuse_hash(b));
  EXPECT_EQ(reuse_hash(a).size(), 32u);
}

TEST(ReuseHash, EveryIdentityFieldChangesIt) {
  const std::string base = reuse_hash(reuse_identity(redis_config()));
  auto changed = [&](auto mutate) {
    ContainerConfig c = redis_config();
    mutate(c);
    return reuse_hash(reuse_identity(c));
  };
  EXPECT_NE(base, changed([](ContainerConfig& c) { c.image = "clnrm-test/busybox"; }));
  EXPECT_NE(base, changed([](ContainerConfig& c) { c.cmd.push_back("--save"); }));
  EXPECT_NE(base, changed([](ContainerConfig& c) { c.env[1].second = "3"; }));
  EXPECT_NE(base, changed([](ContainerConfig& c) { c.workdir = "/data"; }));
  EXPECT_NE(base, changed([](ContainerConfig& c) { c.mounts.push_back({"/h", "/c", true, {}}); }));
  EXPECT_NE(base, changed([](ContainerConfig& c) { c.security.memory_bytes = 1; }));
  EXPECT_NE(base, changed([](ContainerConfig& c) { c.security.pids_limit = 7; }));
  EXPECT_NE(base, changed([](ContainerConfig& c) { c.security = security_for(SecurityLevel::High, {}); }));
}

TEST(ReuseHash, LabelsAndPodIdDoNotChangeIt) {
  // Labels carry the session and pid of whoever created it; the network
  // target is a per-test pod id. Neither may make a warm container unfindable.
  const std::string base = reuse_hash(reuse_identity(redis_config()));
  ContainerConfig c = redis_config();
  c.labels = {{"clnrm.session", "abc"}, {"clnrm.pid", "42"}};
  c.network_mode = "container:0123456789ab";
  EXPECT_EQ(base, reuse_hash(reuse_identity(c)));
  EXPECT_FALSE(reuse_identity(c).dump().find("clnrm.session") != std::string::npos);
}

class ReuseLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("clnrm-lock-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(ReuseLockTest, SecondHolderIsRefusedUntilTheFirstReleases) {
  FileLock first = reuse_lock(dir_, "h", 0);
  ASSERT_TRUE(first.held());
  EXPECT_FALSE(reuse_lock(dir_, "h", 0).held());
  EXPECT_TRUE(reuse_lock(dir_, "h", 1).held());  // another slot is independent
  first = FileLock();
  EXPECT_TRUE(reuse_lock(dir_, "h", 0).held());
}

TEST_F(ReuseLockTest, OtherProcessIsRefused) {
  FileLock held = reuse_lock(dir_, "p", 0);
  ASSERT_TRUE(held.held());
  pid_t child = ::fork();
  if (child == 0) _exit(reuse_lock(dir_, "p", 0).held() ? 1 : 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child got a lock the parent holds";
}

}  // namespace
}  // namespace clnrm::docker
