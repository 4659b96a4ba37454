// `clnrm man`: the clnrm(1) page written from the commands' --help is valid
// troff (groff -man -ww says nothing) and holds every command and flag; the
// build's man/clnrm.1 is that page (tests/package/install_and_embed.sh checks
// `cmake --install` puts it in share/man/man1).
#include <gtest/gtest.h>

#include <string>

#include "e2e/run_process.h"
#include "support/run_command.h"

namespace {

using run_e2e::run_clnrm;
using run_e2e::TempDir;

TEST(ManPage, IsValidTroffWithEveryCommandAndFlag) {
  const run_e2e::Outcome o = run_clnrm({"man"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  TempDir dir;
  const std::string page = dir.write("clnrm.1", o.out);
  const clnrm::testing::CommandResult warnings = clnrm::testing::run_command(
      "groff -man -Tutf8 -ww -z '" + page + "' 2>&1");
  EXPECT_EQ(warnings.exit_code, 0) << warnings.out;
  EXPECT_EQ(warnings.out, "") << "groff warns about the page";
  const clnrm::testing::CommandResult text = clnrm::testing::run_command(
      "MANWIDTH=200 man -l '" + page + "' 2>&1 | col -b");
  EXPECT_EQ(text.exit_code, 0) << text.out;
  for (const char* expected : {"NAME", "clnrm - clnrm: hermetic", "SYNOPSIS", "COMMANDS",
                               "clnrm run [OPTIONS] [paths...]", "--fail-fast", "-j, --jobs INT",
                               "--pull never|missing|always", "clnrm history flaky",
                               "clnrm completion", "EXIT STATUS"})
    EXPECT_NE(text.out.find(expected), std::string::npos) << "no '" << expected << "' in\n"
                                                          << text.out;
}

TEST(ManPage, TheBuildWritesThePage) {
  const std::string built =
      run_e2e::read_file(std::string(CLNRM_BINARY).substr(0, std::string(CLNRM_BINARY).rfind('/')) +
                         "/man/clnrm.1");
  EXPECT_EQ(built, run_clnrm({"man"}).out) << "the build's man/clnrm.1 (CMakeLists.txt)";
}

}  // namespace
