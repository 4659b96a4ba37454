// `--keep-logs DIR` file names (src/suite/keep_logs.cpp): names from test files
// never pick a path, and tests that share a name do not share a file.
#include <gtest/gtest.h>

#include <algorithm>

#include "suite/keep_logs.h"

using namespace clnrm;

namespace {

TestResult test_named(std::string file, std::string name) {
  TestResult t;
  t.file = std::move(file);
  t.name = std::move(name);
  return t;
}

ServiceResult service_named(std::string name) {
  ServiceResult s;
  s.name = std::move(name);
  return s;
}

}  // namespace

TEST(KeepLogs, PathIsTestDirectoryAndServiceFile) {
  const std::string p = suite::keep_logs_path(test_named("a.clnrm.toml", "api_test"), service_named("db"));
  EXPECT_EQ(p.substr(0, 9), "api_test-") << p;
  EXPECT_EQ(p.substr(p.size() - 7), "/db.log") << p;
}

TEST(KeepLogs, NamesFromTestFilesCannotLeaveTheDirectory) {
  const std::string p = suite::keep_logs_path(test_named("a.clnrm.toml", "../../etc/x\n\x1b"),
                                            service_named("../passwd"));
  EXPECT_EQ(p.find(".."), std::string::npos) << p;
  EXPECT_EQ(std::count(p.begin(), p.end(), '/'), 1) << p;
  for (char c : p) EXPECT_GE(static_cast<unsigned char>(c), 0x20) << p;
  EXPECT_NE(p.front(), '.');
}

TEST(KeepLogs, SameTestNameInTwoFilesGetsTwoDirectories) {
  const auto a = suite::keep_logs_path(test_named("a.clnrm.toml", "t"), service_named("s"));
  const auto b = suite::keep_logs_path(test_named("b.clnrm.toml", "t"), service_named("s"));
  EXPECT_NE(a, b);
}

TEST(KeepLogs, RepeatsAndRetriesGetTheirOwnFiles) {
  TestResult t = test_named("a.clnrm.toml", "t");
  const auto first = suite::keep_logs_path(t, service_named("s"));
  t.repeat = 1;
  const auto second_repeat = suite::keep_logs_path(t, service_named("s"));
  t.attempts = 2;
  const auto retry = suite::keep_logs_path(t, service_named("s"));
  EXPECT_NE(first, second_repeat);
  EXPECT_NE(second_repeat, retry);
  EXPECT_NE(retry.find(".r2.a2/"), std::string::npos) << retry;
}
