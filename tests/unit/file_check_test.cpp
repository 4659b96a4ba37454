// src/assert/file_check.cpp: what the probe's output says against a check
// (the probe itself runs in a real cleanroom: tests/e2e/run_expectations_test.cpp).
#include <clnrm/assertions.h>
#include <gtest/gtest.h>

#include "unit/spec_builders.h"

using namespace clnrm;

namespace {

constexpr const char* kNonce = "0123456789abcdef";

ExecResult probe(std::string out, int code = 0) {
  ExecResult r;
  r.exit_code = code;
  r.stdout_data = std::move(out);
  return r;
}

// One path's answer as the probe prints it: status line, content, end line.
std::string answer(const std::string& status, const std::string& content = "") {
  return status + "\n" + content + "\n\x1e" + kNonce + "\n";
}

std::optional<std::string> verdict(const FileCheck& c, const std::string& out, int code = 0) {
  const auto v = files_mismatches({c}, kNonce, probe(out, code));
  EXPECT_EQ(v.size(), 1u);
  return v.empty() ? std::nullopt : v[0];
}

TEST(FileCheck, ThePathsAreArgumentsNeverPartOfTheScript) {
  FileCheck c;
  c.path = "/tmp/$(reboot)";
  FileCheck d;
  d.path = "/etc/x";
  d.content_regex = build::pattern("y");
  const ProcessSpec p = files_probe({c, d}, kNonce);
  ASSERT_EQ(p.argv.size(), 9u);
  EXPECT_EQ(p.argv[0], "sh");
  EXPECT_EQ(p.argv[4], kNonce);
  EXPECT_EQ(p.argv[5], "no-content");
  EXPECT_EQ(p.argv[6], "/tmp/$(reboot)");
  EXPECT_EQ(p.argv[7], "content");
  EXPECT_EQ(p.argv[8], "/etc/x");
  EXPECT_EQ(p.argv[2].find("reboot"), std::string::npos);
}

TEST(FileCheck, ExistenceModeAndContent) {
  FileCheck c;
  c.path = "/x";
  EXPECT_FALSE(verdict(c, answer("present file 644")));
  EXPECT_EQ(verdict(c, answer("absent")), "expected /x to exist, but it does not");
  c.mode = 0640;
  EXPECT_EQ(verdict(c, answer("present file 600")), "expected /x to have mode 0640, it has 0600");
  c.mode.reset();
  c.content_regex = build::pattern("^total=3$");
  EXPECT_FALSE(verdict(c, answer("present file 644", "total=3\n")));
  const auto wrong = verdict(c, answer("present file 644", "total=4\n"));
  ASSERT_TRUE(wrong);
  EXPECT_NE(wrong->find("to match /^total=3$/, it does not (8 bytes, begins \"total=4\\n\")"), std::string::npos)
      << *wrong;
  EXPECT_NE(verdict(c, answer("present directory 755"))->find("it is a directory"), std::string::npos);
  c.content_regex.reset();
  c.exists = false;
  EXPECT_FALSE(verdict(c, answer("absent")));
  EXPECT_EQ(verdict(c, answer("present file 644")), "expected /x to be absent, but it exists");
}

// Content that holds newlines, an end line with another nonce, or the next
// path's status does not split the answers wrongly: only the probe's nonce ends one.
TEST(FileCheck, EachPathGetsItsOwnAnswerWhateverTheContentHolds) {
  FileCheck a;
  a.path = "/a";
  a.content_regex_not = build::pattern("absent");
  FileCheck b;
  b.path = "/b";
  const std::string fake = "line\n\x1e" + std::string("fedcba9876543210") + "\nabsent\n";
  const auto v = files_mismatches({a, b}, kNonce,
                                  probe(answer("present file 644", fake) + answer("absent")));
  ASSERT_EQ(v.size(), 2u);
  ASSERT_TRUE(v[0]);
  EXPECT_NE(v[0]->find("not to match /absent/, it does"), std::string::npos) << *v[0];
  EXPECT_EQ(v[1], "expected /b to exist, but it does not");
}

TEST(FileCheck, AProbeThatCouldNotRunSaysSo) {
  FileCheck c;
  c.path = "/x";
  ExecResult r = probe("", 127);
  r.stderr_data = "sh: not found\n";
  const auto v = files_mismatches({c}, kNonce, r);
  ASSERT_EQ(v.size(), 1u);
  ASSERT_TRUE(v[0]);
  EXPECT_NE(v[0]->find("could not look at /x in the cleanroom"), std::string::npos) << *v[0];
  EXPECT_NE(v[0]->find("exited 127: sh: not found"), std::string::npos) << *v[0];
}

// A probe that ended early (a cat that failed) keeps the answers it gave.
TEST(FileCheck, AProbeCutShortKeepsTheAnswersItGave) {
  FileCheck a;
  a.path = "/a";
  FileCheck b;
  b.path = "/b";
  b.content_regex = build::pattern("x");
  ExecResult r = probe(answer("present file 644") + "present file 600\n", 1);
  r.stderr_data = "cat: /b: Permission denied\n";
  const auto v = files_mismatches({a, b}, kNonce, r);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_FALSE(v[0]);
  ASSERT_TRUE(v[1]);
  EXPECT_NE(v[1]->find("could not look at /b"), std::string::npos) << *v[1];
}

}  // namespace
