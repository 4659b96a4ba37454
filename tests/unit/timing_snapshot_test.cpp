// The timing snapshot (src/history/timing_snapshot.cpp, take_timing_snapshot in
// src/history/analytics_durations.cpp): what `clnrm history timings` writes and
// `clnrm run --shard K/N --timings FILE` reads.
#include <clnrm/error.h>
#include <clnrm/timing_snapshot.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "support/history_fixtures.h"

using namespace clnrm;
using clnrm::testing::make_test;
using clnrm::testing::record_run;
using clnrm::testing::TempDir;
using std::chrono::milliseconds;

namespace {

constexpr std::int64_t kMs = 1'000'000;

// The error parse_timing_snapshot throws for `text`, as the user sees it.
std::string error_of(const std::string& text) {
  try {
    history::parse_timing_snapshot(text, "t.json");
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    return e.describe();
  }
  ADD_FAILURE() << "accepted: " << text;
  return {};
}

std::string with_tests(const std::string& tests) {
  return R"({"format": "clnrm-timings", "version": 1, "taken_at": "2026-12-05T10:00:00Z", "tests": )" +
         tests + "}";
}

}  // namespace

TEST(TimingSnapshot, MedianOfRecentPassingRunsElseOfOutcomes) {
  TempDir dir;
  history::Store store(dir.file("h.db"));
  // "a" passes in 10, 20, 30 ms and fails fast once: the failure is not a duration of the test.
  record_run(store, {make_test("a", Status::Passed, milliseconds(10)),
                     make_test("never", Status::TimedOut, milliseconds(900))});
  record_run(store, {make_test("a", Status::Failed, milliseconds(1)),
                     make_test("never", Status::TimedOut, milliseconds(1000))});
  record_run(store, {make_test("a", Status::Passed, milliseconds(30)),
                     make_test("skipped", Status::Skipped, milliseconds(0))});
  record_run(store, {make_test("a", Status::Passed, milliseconds(20))});
  const auto snap = history::take_timing_snapshot(store, 1'764'928'800'000'000'000);
  EXPECT_EQ(snap.taken_at, "2025-12-05T10:00:00Z");
  ASSERT_EQ(snap.tests.size(), 2u);  // a skipped-only test says nothing about its duration
  EXPECT_EQ(snap.tests[0].test, "a");
  EXPECT_EQ(snap.tests[0].file, "tests/a.clnrm.toml");
  EXPECT_EQ(snap.tests[0].median_ns, 20 * kMs);
  EXPECT_EQ(snap.tests[1].test, "never");
  EXPECT_EQ(snap.tests[1].median_ns, 950 * kMs);
}

TEST(TimingSnapshot, WrittenAndReadBackUnchanged) {
  history::TimingSnapshot snap;
  snap.taken_at = "2026-12-05T18:00:00Z";
  snap.tests = {{"tests/a.clnrm.toml", "a", 5},
                {"tests/b \"q\".clnrm.toml", "b\n", 0},
                {"x.clnrm.toml", "big", INT64_MAX}};
  const std::string text = history::timing_snapshot_json(snap);
  EXPECT_NE(text.find("\"version\": 1"), std::string::npos) << text;
  const auto back = history::parse_timing_snapshot(text, "t.json");
  EXPECT_EQ(back.taken_at, snap.taken_at);
  ASSERT_EQ(back.tests.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(back.tests[i].file, snap.tests[i].file);
    EXPECT_EQ(back.tests[i].test, snap.tests[i].test);
    EXPECT_EQ(back.tests[i].median_ns, snap.tests[i].median_ns);
  }
  // No history: an empty snapshot, which is still a valid file.
  history::TimingSnapshot empty;
  empty.taken_at = snap.taken_at;
  EXPECT_TRUE(
      history::parse_timing_snapshot(history::timing_snapshot_json(empty), "t.json").tests.empty());
}

TEST(TimingSnapshot, SyntaxErrorsNameFileLineAndColumn) {
  EXPECT_EQ(error_of("{\n  \"format\": \"clnrm-timings\",\n  \"tests\": [ x ]\n}\n")
                .rfind("t.json:3:14: not valid JSON: ", 0),
            0u)
      << error_of("{\n  \"format\": \"clnrm-timings\",\n  \"tests\": [ x ]\n}\n");
  EXPECT_EQ(error_of("").rfind("t.json:1:1: not valid JSON", 0), 0u) << error_of("");
  EXPECT_EQ(error_of("{\"a\": 1,\n").rfind("t.json:2:1: not valid JSON", 0), 0u)
      << error_of("{\"a\": 1,\n");
}

TEST(TimingSnapshot, WhatIsMalformedIsSaid) {
  const std::pair<std::string, std::string> cases[] = {
      {"[]", "not an object"},
      {R"({"version": 1, "taken_at": "2026-12-05T10:00:00Z", "tests": []})", "\"format\""},
      {R"({"format": "clnrm-timings", "taken_at": "2026-12-05T10:00:00Z", "tests": []})",
       "\"version\""},
      {R"({"format": "clnrm-timings", "version": 2, "taken_at": "2026-12-05T10:00:00Z", "tests": []})",
       "format version 2 is not supported"},
      {R"({"format": "clnrm-timings", "version": 1, "tests": []})", "\"taken_at\""},
      {R"({"format": "clnrm-timings", "version": 1, "taken_at": "yesterday", "tests": []})",
       "\"taken_at\": "},
      {R"({"format": "clnrm-timings", "version": 1, "taken_at": "2026-12-05T10:00:00Z"})",
       "\"tests\""},
      {with_tests("[1]"), "tests[0] is not an object"},
      {with_tests(R"([{"file": "a", "duration_ns": 1}])"), "tests[0] needs \"file\" and \"test\""},
      {with_tests(R"([{"file": "a", "test": "a"}])"), "tests[0] needs \"duration_ns\""},
      {with_tests(R"([{"file": "a", "test": "a", "duration_ns": -1}])"),
       "tests[0] needs \"duration_ns\""},
      {with_tests(R"([{"file": "a", "test": "a", "duration_ns": 1.5}])"),
       "tests[0] needs \"duration_ns\""},
      {with_tests(R"([{"file": "a", "test": "a", "duration_ns": 9223372036854775808}])"),
       "tests[0] needs \"duration_ns\""},
      {with_tests(
           R"([{"file": "a", "test": "a", "duration_ns": 1}, {"file": "a", "test": "a", "duration_ns": 2}])"),
       "tests[1] lists a in a a second time"},
  };
  for (const auto& [text, says] : cases) {
    const std::string e = error_of(text);
    EXPECT_EQ(e.rfind("t.json: not a usable timing snapshot: ", 0), 0u) << e;
    EXPECT_NE(e.find(says), std::string::npos) << e;
  }
}

TEST(TimingSnapshot, AFileThatCannotBeReadIsNamed) {
  TempDir dir;
  try {
    history::read_timing_snapshot(dir.file("missing.json"));
    FAIL() << "read a missing file";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    EXPECT_NE(e.describe().find("missing.json"), std::string::npos) << e.describe();
  }
  std::ofstream(dir.file("ok.json"))
      << with_tests(R"([{"file": "a", "test": "a", "duration_ns": 7}])");
  EXPECT_EQ(history::read_timing_snapshot(dir.file("ok.json")).tests.at(0).median_ns, 7);
}
