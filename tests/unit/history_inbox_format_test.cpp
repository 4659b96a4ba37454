// The text of a run in the history inbox (src/history/inbox_format.h).
#include "history/inbox_format.h"

#include <gtest/gtest.h>

using namespace clnrm;
using namespace clnrm::history;

namespace {

RunMeta awkward_meta() {
  RunMeta meta;
  meta.started = SystemTime(std::chrono::nanoseconds(1'765'000'000'123'456'789));
  meta.host = "host\twith tab";
  meta.git_commit = "";
  meta.clnrm_version = "0.9";
  meta.backend = "sandbox";
  meta.options = "run_suite a\\b\nc";
  return meta;
}

ExecutionRecord awkward_row() {
  ExecutionRecord r;
  r.file = "dir with space/a\tb.clnrm.toml";
  r.file_hash = "abc";
  r.test = "t\\1";
  r.step = "line\nbreak";
  r.status = Status::TimedOut;
  r.started_ns = 1'765'000'000'999'000'000;
  r.duration_ns = 42;
  r.cpu_user_us = 7;
  r.cpu_sys_us = 8;
  r.max_rss_kb = 9;
  r.containers_created = 1;
  r.containers_reused = 2;
  r.attempts = 3;
  r.flaky = true;
  r.worker = 4;
  r.failure_hash = "";
  return r;
}

}  // namespace

TEST(HistoryInboxFormat, EveryFieldComesBackAsItWasEscapesIncluded) {
  ExecutionRecord with_exit = awkward_row();
  with_exit.exit_code = -1;
  with_exit.failure_hash = "0123456789abcdef";
  const std::vector<ExecutionRecord> rows = {awkward_row(), with_exit};
  std::string text = inbox_run_start(awkward_meta());
  append_inbox_rows(text, rows);
  text += inbox_run_end(1'765'000'001'000'000'000, "docker");
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 5) << "a field's newline was not escaped";

  std::string why;
  const auto run = parse_inbox_run(text, why);
  ASSERT_TRUE(run.has_value()) << why;
  EXPECT_EQ(run->meta.started, awkward_meta().started);
  EXPECT_EQ(run->meta.host, "host\twith tab");
  EXPECT_EQ(run->meta.options, "run_suite a\\b\nc");
  EXPECT_EQ(run->meta.backend, "docker") << "the end line's backend wins";
  EXPECT_TRUE(run->ended);
  EXPECT_EQ(run->finished_ns, 1'765'000'001'000'000'000);
  ASSERT_EQ(run->rows.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    const ExecutionRecord& got = run->rows[i];
    const ExecutionRecord& want = rows[i];
    EXPECT_EQ(got.file, want.file);
    EXPECT_EQ(got.test, want.test);
    EXPECT_EQ(got.step, want.step);
    EXPECT_EQ(got.status, want.status);
    EXPECT_EQ(got.started_ns, want.started_ns);
    EXPECT_EQ(got.duration_ns, want.duration_ns);
    EXPECT_EQ(got.exit_code, want.exit_code);
    EXPECT_EQ(got.cpu_user_us, want.cpu_user_us);
    EXPECT_EQ(got.cpu_sys_us, want.cpu_sys_us);
    EXPECT_EQ(got.max_rss_kb, want.max_rss_kb);
    EXPECT_EQ(got.containers_created, want.containers_created);
    EXPECT_EQ(got.containers_reused, want.containers_reused);
    EXPECT_EQ(got.attempts, want.attempts);
    EXPECT_EQ(got.flaky, want.flaky);
    EXPECT_EQ(got.worker, want.worker);
    EXPECT_EQ(got.failure_hash, want.failure_hash);
  }
}

TEST(HistoryInboxFormat, ARunWithoutItsEndLineIsNotEnded) {
  std::string text = inbox_run_start(awkward_meta());
  const std::vector<ExecutionRecord> rows = {awkward_row()};
  append_inbox_rows(text, rows);
  std::string why;
  auto run = parse_inbox_run(text, why);
  ASSERT_TRUE(run.has_value()) << why;
  EXPECT_FALSE(run->ended);
  EXPECT_EQ(run->rows.size(), 1u);
  // A row cut off before its newline is not a row.
  text += "row\tfile\thash";
  run = parse_inbox_run(text, why);
  ASSERT_TRUE(run.has_value()) << why;
  EXPECT_EQ(run->rows.size(), 1u);
}

TEST(HistoryInboxFormat, WhatDoesNotParseNamesItsLine) {
  const std::string start = inbox_run_start(awkward_meta());
  std::string why;
  EXPECT_FALSE(parse_inbox_run("clnrm-history-inbox 2\n", why));
  EXPECT_EQ(why.rfind("line 1: ", 0), 0u) << why;
  EXPECT_FALSE(parse_inbox_run(start + "row\ttoo\tfew\n", why));
  EXPECT_EQ(why, "line 3: a malformed row line");
  EXPECT_FALSE(parse_inbox_run(start + "end\t1\t\nend\t2\t\n", why));
  EXPECT_EQ(why, "line 4: a record after the run's end");
  EXPECT_FALSE(parse_inbox_run(start + "what\n", why));
  EXPECT_EQ(why, "line 3: an unknown record");
  EXPECT_FALSE(parse_inbox_run(start + "end\t1\\x\t\n", why));
  EXPECT_EQ(why.rfind("line 3: an escape", 0), 0u) << why;
  EXPECT_FALSE(parse_inbox_run("clnrm-history-inbox 1\n", why));
  EXPECT_EQ(why, "no run line");
}
