// What --list and --dry-run print (src/cli/plan_listing.cpp), from a plan
// built by hand; the end-to-end runs are tests/e2e/run_selection_test.cpp.
#include "cli/plan_listing.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

using namespace clnrm;
using namespace clnrm::cli;
using nlohmann::json;

namespace {

SuitePlan sample_plan() {
  SuitePlan plan;
  plan.jobs = 2;
  plan.backend = {"docker", "auto: tests name images (cache) and the engine answers"};
  TestSpec t;
  t.file = "db/redis.clnrm.toml";
  t.name = "redis_cache";
  t.tags = {"db", "slow"};
  ServiceSpec cache;
  cache.name = "cache";
  cache.plugin = "generic_container";
  cache.image = "clnrm-test/redis";
  cache.args = {"redis-server", "--port", "6379"};
  ServiceSpec api;
  api.name = "api";
  api.plugin = "process";
  api.args = {"sh", "-c", "serve"};
  api.depends_on = {"cache"};
  t.services = {cache, api};
  StepSpec ping;
  ping.name = "ping";
  ping.command = {"redis-cli", "ping"};
  ping.service = "cache";
  t.steps = {ping};
  ScenarioSpec sc;
  sc.name = "load";
  sc.concurrent = true;
  StepSpec hit;
  hit.name = "hit";
  hit.command = {"true"};
  sc.steps = {hit};
  t.scenarios = {sc};
  plan.tests.push_back(t);
  TestSpec u;
  u.file = "a.clnrm.toml";
  u.name = "plain\x1b[31m";
  plan.tests.push_back(u);
  return plan;
}

}  // namespace

TEST(PlanListing, ListTextIsOneIdentityPerLineInPlanOrder) {
  EXPECT_EQ(list_text(sample_plan()),
            "db/redis.clnrm.toml::redis_cache\na.clnrm.toml::plain\\x1b[31m\n")
      << "control characters of a name are escaped";
}

TEST(PlanListing, ListJsonHasFileNameTagsAndServices) {
  const json j = json::parse(list_json(sample_plan()));
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["file"], "db/redis.clnrm.toml");
  EXPECT_EQ(j[0]["name"], "redis_cache");
  EXPECT_EQ(j[0]["tags"], json::array({"db", "slow"}));
  EXPECT_EQ(j[0]["services"][0], json({{"name", "cache"},
                                       {"plugin", "generic_container"},
                                       {"image", "clnrm-test/redis"}}));
  EXPECT_EQ(j[1]["name"], "plain\x1b[31m") << "JSON carries the name as it is";
  EXPECT_EQ(j[1]["services"], json::array());
}

TEST(PlanListing, DryRunTextShowsBackendServicesAndSteps) {
  DryRunFacts facts;
  facts.backend_from = "--backend";
  facts.shard = "1/2";
  facts.default_timeout = Duration(300'000);
  const std::string text = dry_run_text(sample_plan(), facts);
  for (const char* want :
       {"2 tests on 2 lanes", "backend docker (auto: tests name images (cache) and the engine answers)",
        "nothing was started", "order: file, shard 1/2", "1. db/redis.clnrm.toml::redis_cache",
        "[tags: db, slow]", "timeout 5m",
        "service cache: plugin generic_container, image clnrm-test/redis, args: redis-server "
        "--port 6379",
        "service api: plugin process, args: sh -c serve, after cache",
        "step 1 ping: redis-cli ping  (in service cache)", "scenario load (concurrent):",
        "step 1 hit: true", "2. a.clnrm.toml::plain\\x1b[31m"})
    EXPECT_NE(text.find(want), std::string::npos) << want << "\n" << text;
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
}

TEST(PlanListing, DryRunJsonIsThePlanAsData) {
  DryRunFacts facts;
  facts.backend_from = "default";
  facts.repeat = 3;
  const json j = json::parse(dry_run_json(sample_plan(), facts));
  EXPECT_EQ(j["schema"], "clnrm.plan.v1");
  EXPECT_EQ(j["backend"]["name"], "docker");
  EXPECT_EQ(j["jobs"], 2);
  EXPECT_EQ(j["repeat"], 3);
  const json& t = j["tests"][0];
  EXPECT_EQ(t["services"][1]["depends_on"], json::array({"cache"}));
  EXPECT_EQ(t["services"][0]["args"], json::array({"redis-server", "--port", "6379"}));
  EXPECT_EQ(t["steps"][0], json({{"name", "ping"},
                                 {"command", json::array({"redis-cli", "ping"})},
                                 {"service", "cache"}}));
  EXPECT_EQ(t["scenarios"][0]["concurrent"], true);
  EXPECT_TRUE(j["tests"][1]["timeout_ms"].is_null()) << "no timeout anywhere: none";
  SuitePlan given = sample_plan();
  given.backend = {"sandbox", ""};
  EXPECT_EQ(json::parse(dry_run_json(given, facts))["backend"]["reason"], "default")
      << "a backend taken as given says where it was given";
}
