// src/assert/file_check.cpp: what the probe's output says against a check
// (the probe itself runs in a real cleanroom: tests/e2e/run_expectations_test.cpp).
#include <clnrm/assertions.h>
#include <gtest/gtest.h>

#include "unit/spec_builders.h"

using namespace clnrm;

namespace {

ExecResult probe(std::string out, int code = 0) {
  ExecResult r;
  r.exit_code = code;
  r.stdout_data = std::move(out);
  return r;
}

TEST(FileCheck, ThePathIsAnArgumentNeverPartOfTheScript) {
  FileCheck c;
  c.path = "/tmp/$(reboot)";
  const ProcessSpec p = file_probe(c);
  ASSERT_GE(p.argv.size(), 5u);
  EXPECT_EQ(p.argv[0], "sh");
  EXPECT_EQ(p.argv[4], "/tmp/$(reboot)");
  EXPECT_EQ(p.argv[2].find("reboot"), std::string::npos);
}

TEST(FileCheck, ExistenceModeAndContent) {
  FileCheck c;
  c.path = "/x";
  EXPECT_FALSE(file_mismatch(c, probe("present file 644\n")));
  EXPECT_EQ(file_mismatch(c, probe("absent\n")), "expected /x to exist, but it does not");
  c.mode = 0640;
  EXPECT_EQ(file_mismatch(c, probe("present file 600\n")), "expected /x to have mode 0640, it has 0600");
  c.mode.reset();
  c.content_regex = build::pattern("^total=3$");
  EXPECT_FALSE(file_mismatch(c, probe("present file 644\ntotal=3\n")));
  const auto wrong = file_mismatch(c, probe("present file 644\ntotal=4\n"));
  ASSERT_TRUE(wrong);
  EXPECT_NE(wrong->find("to match /^total=3$/, it does not (8 bytes, begins \"total=4\\n\")"), std::string::npos)
      << *wrong;
  EXPECT_NE(file_mismatch(c, probe("present directory 755\n"))->find("it is a directory"), std::string::npos);
  c.content_regex.reset();
  c.exists = false;
  EXPECT_FALSE(file_mismatch(c, probe("absent\n")));
  EXPECT_EQ(file_mismatch(c, probe("present file 644\n")), "expected /x to be absent, but it exists");
}

TEST(FileCheck, AProbeThatCouldNotRunSaysSo) {
  FileCheck c;
  c.path = "/x";
  ExecResult r = probe("", 127);
  r.stderr_data = "sh: not found\n";
  const auto m = file_mismatch(c, r);
  ASSERT_TRUE(m);
  EXPECT_NE(m->find("could not look at /x in the cleanroom"), std::string::npos) << *m;
  EXPECT_NE(m->find("exited 127: sh: not found"), std::string::npos) << *m;
}

}  // namespace
