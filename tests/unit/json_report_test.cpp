#include <clnrm/report.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "unit/report_fixtures.h"

using nlohmann::json;

TEST(JsonReport, HasTheDocumentedShape) {
  const json j = json::parse(clnrm::run_result_to_json(report_fixture::sample_run()));
  EXPECT_EQ(j["schema"], "clnrm.run.v1");
  EXPECT_EQ(j["session_id"], "abc123def456");
  EXPECT_EQ(j["backend"], "sandbox");
  EXPECT_EQ(j["jobs"], 2);
  EXPECT_EQ(j["exit_code"], 1);
  EXPECT_EQ(j["started"], "2025-11-29T02:40:00.000Z");
  EXPECT_DOUBLE_EQ(j["duration_ms"].get<double>(), 2345.0);
  const json& sum = j["summary"];
  EXPECT_EQ(sum["total"], 5);
  EXPECT_EQ(sum["passed"], 1);
  EXPECT_EQ(sum["failed"], 1);
  EXPECT_EQ(sum["timed_out"], 1);
  EXPECT_EQ(sum["skipped"], 1);
  EXPECT_EQ(sum["error"], 1);
  ASSERT_EQ(j["tests"].size(), 5u);
  const json& t = j["tests"][0];
  for (const char* key :
       {"file", "file_hash", "name", "status", "message", "security_level", "backend", "attempts",
        "flaky", "worker", "started", "duration_ms", "services", "steps", "assertions"})
    EXPECT_TRUE(t.contains(key)) << key;
  EXPECT_EQ(t["status"], "passed");
  const json& step = t["steps"][0];
  EXPECT_EQ(step["command"], json::array({"echo", "hello"}));
  EXPECT_EQ(step["stdout"], "hello <world> & \"friends\"\n");
  EXPECT_TRUE(step["usage"].contains("max_rss_kb"));
  EXPECT_EQ(step["assertions"][0]["name"], "exit_code");
  EXPECT_EQ(j["tests"][4]["services"][0]["name"], "db");
  EXPECT_EQ(j["tests"][2]["status"], "timed_out");
}

TEST(JsonReport, InvalidUtf8InOutputDoesNotBreakIt) {
  const std::string text = clnrm::run_result_to_json(report_fixture::sample_run());
  const json j = json::parse(text);
  const std::string err = j["tests"][0]["steps"][0]["stderr"];
  EXPECT_NE(err.find("\xEF\xBF\xBD"), std::string::npos) << "replaced with U+FFFD";
}

TEST(JsonReport, OutputCanBeLeftOut) {
  const json j = json::parse(clnrm::run_result_to_json(report_fixture::sample_run(), false));
  EXPECT_FALSE(j["tests"][0]["steps"][0].contains("stdout"));
}

// Issue 14 items 4 and 12: service log tails and failed attempts are in the JSON.
TEST(JsonReport, CarriesServiceLogTailsAndFailedAttempts) {
  clnrm::RunResult run = report_fixture::sample_run();
  clnrm::ServiceResult s;
  s.name = "api";
  s.log_captured = true;
  s.state = "exited (exit code 1)";
  s.log_tail = "Traceback (most recent call last):\nValueError: boom";
  run.tests[1].services.push_back(s);
  run.tests[0].failed_attempts.push_back({1, clnrm::Status::Failed, "m", "details"});
  const json j = json::parse(clnrm::run_result_to_json(run));
  const json& svc = j["tests"][1]["services"][0];
  EXPECT_EQ(svc["state"], "exited (exit code 1)");
  EXPECT_EQ(svc["log_tail"], "Traceback (most recent call last):\nValueError: boom");
  const json& a = j["tests"][0]["failed_attempts"][0];
  EXPECT_EQ(a["attempt"], 1);
  EXPECT_EQ(a["status"], "failed");
  EXPECT_EQ(a["details"], "details");
  EXPECT_TRUE(j["tests"][2]["failed_attempts"].empty());
}

// Issue 18: every test carries its file's tags (an empty array when none).
TEST(JsonReport, EveryTestHasItsTags) {
  clnrm::RunResult run = report_fixture::sample_run();
  run.tests[0].tags = {"api", "slow"};
  const json j = json::parse(clnrm::run_result_to_json(run));
  EXPECT_EQ(j["tests"][0]["tags"], json::array({"api", "slow"}));
  EXPECT_EQ(j["tests"][1]["tags"], json::array());
}
