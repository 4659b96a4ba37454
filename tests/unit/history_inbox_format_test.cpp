// The lines of the history inbox (src/history/inbox_format.h).
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
  r.failure_hash = "0123456789abcdef";
  return r;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t from = 0;
  for (std::size_t nl; (nl = text.find('\n', from)) != std::string::npos; from = nl + 1)
    out.push_back(text.substr(from, nl - from));
  EXPECT_EQ(from, text.size()) << "a record does not end with its newline";
  return out;
}

}  // namespace

TEST(HistoryInboxFormat, EveryFieldComesBackAsItWasEscapesIncluded) {
  ExecutionRecord with_exit = awkward_row();
  with_exit.exit_code = -1;
  with_exit.failure_hash = "";
  const std::vector<ExecutionRecord> rows = {awkward_row(), with_exit};
  std::string text = inbox_begin_line("tok\t1", awkward_meta());
  append_inbox_rows(text, "tok\t1", rows);
  text += inbox_end_line("tok\t1", 1'765'000'001'000'000'000, "docker");
  const std::vector<std::string> lines = lines_of(text);
  ASSERT_EQ(lines.size(), 4u) << "a field's newline was not escaped";

  const auto begin = parse_inbox_line(lines[0]);
  ASSERT_TRUE(begin.has_value());
  EXPECT_EQ(begin->kind, InboxRecord::Kind::Begin);
  EXPECT_EQ(begin->token, "tok\t1");
  EXPECT_EQ(begin->meta.started, awkward_meta().started);
  EXPECT_EQ(begin->meta.host, "host\twith tab");
  EXPECT_EQ(begin->meta.git_commit, "");
  EXPECT_EQ(begin->meta.backend, "sandbox");
  EXPECT_EQ(begin->meta.options, "run_suite a\\b\nc");
  for (std::size_t i = 0; i < 2; ++i) {
    const auto row = parse_inbox_line(lines[1 + i]);
    ASSERT_TRUE(row.has_value()) << lines[1 + i];
    EXPECT_EQ(row->kind, InboxRecord::Kind::Row);
    EXPECT_EQ(row->token, "tok\t1");
    const ExecutionRecord& got = row->row;
    const ExecutionRecord& want = rows[i];
    EXPECT_EQ(got.file, want.file);
    EXPECT_EQ(got.file_hash, want.file_hash);
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
  const auto end = parse_inbox_line(lines[3]);
  ASSERT_TRUE(end.has_value());
  EXPECT_EQ(end->kind, InboxRecord::Kind::End);
  EXPECT_EQ(end->finished_ns, 1'765'000'001'000'000'000);
  EXPECT_EQ(end->meta.backend, "docker");
}

TEST(HistoryInboxFormat, WhatIsNotARecordIsRefused) {
  std::string row;
  const std::vector<ExecutionRecord> rows = {awkward_row()};
  append_inbox_rows(row, "t", rows);
  row.pop_back();  // its newline
  ASSERT_TRUE(parse_inbox_line(row).has_value());
  // Cut off anywhere, a row is not a row.
  for (std::size_t cut = 1; cut < row.size(); ++cut)
    EXPECT_FALSE(parse_inbox_line(std::string_view(row).substr(0, cut)).has_value()) << row.substr(0, cut);
  EXPECT_FALSE(parse_inbox_line(""));
  EXPECT_FALSE(parse_inbox_line("begin\t\t1\th\tc\tv\tb\to\t."));  // no token
  EXPECT_FALSE(parse_inbox_line("begin\tt\tnot a number\th\tc\tv\tb\to\t."));
  EXPECT_FALSE(parse_inbox_line("end\tt\t1\\x\t\t."));  // not one of the three escapes
  EXPECT_FALSE(parse_inbox_line("what\tt\t1\t."));
  EXPECT_FALSE(parse_inbox_line("end\tt\t1\t"));  // no last field
  EXPECT_TRUE(parse_inbox_line("end\tt\t1\t\t.").has_value());
}
