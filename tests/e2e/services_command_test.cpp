// `clnrm services status|logs|stop` against the real engine: a run with a
// reused redis leaves it warm; status lists it, logs shows redis's startup,
// stop removes it (and its pod anchor) and status no longer lists it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "e2e/run_process.h"

using namespace run_e2e;
using nlohmann::json;

namespace {

constexpr const char* kName = "services_cli_reused_redis/cache";

json status_json() {
  auto r = run_clnrm({"services", "status", "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  return json::parse(r.out);
}

bool listed(const json& status) {
  for (const json& s : status["services"])
    if (s["reuse_name"] == kName) return true;
  return false;
}

TEST(ServicesCommand, StatusLogsAndStopAReusedRedis) {
  auto run = run_clnrm({"run", "--backend", "docker", "tests/e2e/data/services/reused_redis.clnrm.toml"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;

  const json before = status_json();
  ASSERT_TRUE(listed(before)) << before.dump(2);
  for (const json& s : before["services"]) {
    if (s["reuse_name"] != kName) continue;
    EXPECT_EQ(s["image"], "clnrm-test/redis");
    EXPECT_EQ(s["state"], "running");
    EXPECT_EQ(s["service"], "cache");
    EXPECT_EQ(s["container_id"].get<std::string>().size(), 12u);
    EXPECT_NE(s["owner"].get<std::string>().find("pid "), std::string::npos) << s["owner"];
  }
  auto human = run_clnrm({"services", "status"});
  EXPECT_NE(human.out.find(kName), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("CONTAINER"), std::string::npos) << human.out;

  auto logs = run_clnrm({"services", "logs", kName});
  EXPECT_EQ(logs.exit_code, 0) << logs.err;
  EXPECT_NE(logs.out.find("Ready to accept connections"), std::string::npos) << logs.out;

  auto stop = run_clnrm({"services", "stop", kName});
  EXPECT_EQ(stop.exit_code, 0) << stop.err;
  EXPECT_NE(stop.out.find("removed service " + std::string(kName)), std::string::npos) << stop.out;
  EXPECT_FALSE(listed(status_json()));
  EXPECT_NE(run_clnrm({"services", "logs", kName}).exit_code, 0);
}

TEST(ServicesCommand, SandboxBackendSaysReuseKeepsNothing) {
  auto r = run_clnrm({"services", "status", "--backend", "sandbox"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("reuse = true keeps nothing across runs"), std::string::npos) << r.out;
}

TEST(ServicesCommand, StopNeedsAServiceOrAll) {
  auto r = run_clnrm({"services", "stop"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--all"), std::string::npos) << r.err;
}

}  // namespace
