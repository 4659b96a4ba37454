// src/history/export_format.cpp: `clnrm history export`'s rows and documents,
// from a real store (SQLite) and from rows built by hand.
#include <clnrm/history.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/history_fixtures.h"

using namespace clnrm;
using clnrm::testing::make_test;
using clnrm::testing::record_run;
using clnrm::testing::TempDir;

namespace {

history::ExportedExecution sample() {
  history::ExportedExecution x;
  x.id = 7;
  x.run = 3;
  x.run_complete = true;
  x.git_commit = "abc123";
  x.host = "ci, box";  // a comma: the field is quoted
  x.record.file = "tests/a.clnrm.toml";
  x.record.file_hash = "h1";
  x.record.test = "say \"hi\"";  // quotes doubled inside quotes
  x.record.step = "greet";
  x.record.status = Status::Failed;
  x.record.started_ns = 1'700'000'000'000'000'000;  // 2023-11-14T22:13:20Z
  x.record.duration_ns = 1500;
  x.record.exit_code = 2;
  x.record.cpu_user_us = 10;
  x.record.cpu_sys_us = 11;
  x.record.max_rss_kb = 12;
  x.record.containers_created = 1;
  x.record.containers_reused = 0;
  x.record.attempts = 2;
  x.record.flaky = true;
  x.record.worker = 1;
  x.record.failure_hash = "0123456789abcdef";
  return x;
}

}  // namespace

TEST(HistoryExportFormat, CsvRowQuotesWhatNeedsItAndHasEveryHeaderColumn) {
  const std::string header = history::export_csv_header();
  EXPECT_EQ(header.rfind("id,run,run_complete,git_commit,host,file,", 0), 0u) << header;
  ASSERT_EQ(header.back(), '\n');
  const std::string row = history::export_csv_row(sample());
  EXPECT_EQ(row,
            "7,3,1,abc123,\"ci, box\",tests/a.clnrm.toml,h1,\"say \"\"hi\"\"\",greet,failed,"
            "2023-11-14T22:13:20Z,1500,2,10,11,12,1,0,2,1,1,0123456789abcdef\n");
  // Unquoted, header and row have as many commas.
  auto commas = [](const std::string& s) { return std::count(s.begin(), s.end(), ','); };
  history::ExportedExecution plain = sample();
  plain.host = "box";
  plain.record.test = "t";
  EXPECT_EQ(commas(history::export_csv_row(plain)), commas(header));
}

TEST(HistoryExportFormat, CsvRowLeavesUnknownExitCodeAndTimeEmpty) {
  history::ExportedExecution x = sample();
  x.record.exit_code.reset();
  x.record.started_ns = 0;
  x.run_complete = false;
  x.record.flaky = false;
  EXPECT_EQ(history::export_csv_row(x),
            "7,3,0,abc123,\"ci, box\",tests/a.clnrm.toml,h1,\"say \"\"hi\"\"\",greet,failed,,1500,,"
            "10,11,12,1,0,2,0,1,0123456789abcdef\n");
}

TEST(HistoryExportFormat, JsonRowHasTheCsvColumnsAsKeys) {
  const nlohmann::json j = nlohmann::json::parse(history::export_json_row(sample()));
  EXPECT_EQ(j["id"], 7);
  EXPECT_EQ(j["host"], "ci, box");
  EXPECT_EQ(j["test"], "say \"hi\"");
  EXPECT_EQ(j["status"], "failed");
  EXPECT_EQ(j["started"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(j["exit_code"], 2);
  EXPECT_EQ(j["flaky"], true);
  std::string header = history::export_csv_header();
  header.pop_back();
  std::size_t columns = 1 + static_cast<std::size_t>(std::count(header.begin(), header.end(), ','));
  EXPECT_EQ(j.size(), columns);
  for (std::size_t start = 0, comma; start < header.size(); start = comma + 1) {
    comma = header.find(',', start);
    if (comma == std::string::npos) comma = header.size();
    EXPECT_TRUE(j.contains(header.substr(start, comma - start))) << header.substr(start, comma - start);
  }
  history::ExportedExecution none = sample();
  none.record.exit_code.reset();
  EXPECT_TRUE(nlohmann::json::parse(history::export_json_row(none))["exit_code"].is_null());
}

TEST(HistoryExportFormat, WriteExportStreamsAStoresRowsAsOneDocument) {
  TempDir dir;
  history::Store store(dir.file("h.db"));
  const auto first = record_run(store, {make_test("a", Status::Passed, std::chrono::milliseconds(5))});
  record_run(store, {make_test("b", Status::Failed, std::chrono::milliseconds(6), "h1", 2)});

  std::ostringstream json_text;
  history::write_export(store, 0, history::ExportFormat::Json, json_text);
  const nlohmann::json all = nlohmann::json::parse(json_text.str());
  ASSERT_EQ(all.size(), 2u + 3u);  // each test row, then its steps
  EXPECT_EQ(all[0]["test"], "a");
  EXPECT_EQ(all[0]["step"], "");
  EXPECT_EQ(all[4]["status"], "failed");

  std::ostringstream csv;
  history::write_export(store, first, history::ExportFormat::Csv, csv);
  const std::string text = csv.str();
  EXPECT_EQ(text.rfind(history::export_csv_header(), 0), 0u) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1 + 2) << text;  // header + a's rows
  EXPECT_EQ(text.find(",b,"), std::string::npos) << text;

  TempDir empty_dir;
  history::Store empty(empty_dir.file("h.db"));
  std::ostringstream none;
  history::write_export(empty, 0, history::ExportFormat::Json, none);
  EXPECT_EQ(none.str(), "[]\n");
}
