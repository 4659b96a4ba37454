// `clnrm completion SHELL` loaded by the real shells: bash completes a
// subcommand, a nested one, a flag, a flag's values (CLI11's IsMember) and
// test files; fish and zsh complete subcommands, flags and values.
// docs/editor-support.md.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "e2e/run_process.h"
#include "support/run_command.h"

namespace {

using run_e2e::run_clnrm;
using run_e2e::TempDir;

std::string shell_quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

class CompletionCommand : public ::testing::Test {
 protected:
  // The script `clnrm completion SHELL` prints, saved in the scratch dir.
  std::string script(const std::string& shell) {
    const run_e2e::Outcome o = run_clnrm({"completion", shell});
    EXPECT_EQ(o.exit_code, 0) << o.err;
    EXPECT_TRUE(o.err.empty()) << o.err;
    return dir_.write("clnrm." + shell, o.out);
  }

  // What bash offers for the command line `words`, the cursor on the last
  // word (as bash sets COMP_WORDS / COMP_CWORD for `clnrm run --fo<TAB>`).
  std::vector<std::string> bash_complete(const std::vector<std::string>& words,
                                         const std::string& cwd = "/") {
    std::string array;
    for (const std::string& w : words) array += " " + shell_quoted(w);
    const std::string program =
        "source " + shell_quoted(bash_script_) + " && cd " + shell_quoted(cwd) +
        " && COMP_WORDS=(" + array + ") && COMP_CWORD=" + std::to_string(words.size() - 1) +
        " && _clnrm && printf '%s\\n' \"${COMPREPLY[@]}\" | sort";
    const clnrm::testing::CommandResult r =
        clnrm::testing::run_command("bash --norc --noprofile -c " + shell_quoted(program) + " 2>&1");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < r.out.size()) {
      const std::size_t end = r.out.find('\n', start);
      lines.push_back(r.out.substr(start, end - start));
      start = end == std::string::npos ? r.out.size() : end + 1;
    }
    if (!lines.empty() && lines.back().empty()) lines.pop_back();
    return lines;
  }

  void SetUp() override { bash_script_ = script("bash"); }

  TempDir dir_;
  std::string bash_script_;
};

using Words = std::vector<std::string>;

TEST_F(CompletionCommand, BashCompletesSubcommands) {
  EXPECT_EQ(bash_complete({"clnrm", "ru"}), Words{"run"});
  EXPECT_EQ(bash_complete({"clnrm", "histo"}), Words{"history"});
  // A nested command, after a flag of the parent.
  EXPECT_EQ(bash_complete({"clnrm", "history", "fla"}), Words{"flaky"});
  EXPECT_EQ(bash_complete({"clnrm", "bench", "comp"}), Words{"compare"});
}

TEST_F(CompletionCommand, BashCompletesFlagsOfTheCommandUnderTheCursor) {
  EXPECT_EQ(bash_complete({"clnrm", "run", "--fail"}), Words{"--fail-fast"});
  EXPECT_EQ(bash_complete({"clnrm", "run", "-j", "4", "--dry"}), Words{"--dry-run"});
  // validate has no --fail-fast: the flags are the command's own.
  EXPECT_EQ(bash_complete({"clnrm", "validate", "--fail"}), Words{});
}

TEST_F(CompletionCommand, BashCompletesTheValuesCli11Knows) {
  EXPECT_EQ(bash_complete({"clnrm", "run", "--pull", ""}), (Words{"always", "missing", "never"}));
  EXPECT_EQ(bash_complete({"clnrm", "health", "--format", "j"}), Words{"json"});
  // A positional argument CLI11 knows the values of; after a flag without a value.
  EXPECT_EQ(bash_complete({"clnrm", "completion", "--help", ""}), (Words{"bash", "fish", "zsh"}));
}

TEST_F(CompletionCommand, BashCompletesTestFilesAndDirectoriesWhereTestsGo) {
  TempDir project;
  project.write("login.clnrm.toml", "");
  project.write("notes.txt", "");
  project.write("suite/inner.clnrm.toml", "");
  EXPECT_EQ(bash_complete({"clnrm", "run", ""}, project.path()),
            (Words{"login.clnrm.toml", "suite"}));
  EXPECT_EQ(bash_complete({"clnrm", "validate", "--strict", "lo"}, project.path()),
            Words{"login.clnrm.toml"});
  // A flag naming a file completes any file.
  EXPECT_EQ(bash_complete({"clnrm", "run", "--junit", "no"}, project.path()), Words{"notes.txt"});
}

TEST_F(CompletionCommand, FishCompletesSubcommandsAndFlags) {
  const std::string fish = script("fish");
  const clnrm::testing::CommandResult syntax =
      clnrm::testing::run_command("fish --no-config -n " + shell_quoted(fish) + " 2>&1");
  EXPECT_EQ(syntax.exit_code, 0) << syntax.out;
  auto complete = [&](const std::string& line) {
    const std::string program =
        "source " + shell_quoted(fish) + "; complete -C " + shell_quoted(line);
    return clnrm::testing::run_command("fish --no-config -c " + shell_quoted(program) + " 2>&1");
  };
  const clnrm::testing::CommandResult run = complete("clnrm ru");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_EQ(run.out.rfind("run\t", 0), 0u) << run.out;
  const clnrm::testing::CommandResult flag = complete("clnrm run --fail-f");
  EXPECT_EQ(flag.out.rfind("--fail-fast\t", 0), 0u) << flag.out;
  const clnrm::testing::CommandResult pull = complete("clnrm run --pull ");
  EXPECT_NE(pull.out.find("missing"), std::string::npos) << pull.out;
  EXPECT_EQ(pull.out.find("--fail-fast"), std::string::npos) << pull.out;
  const clnrm::testing::CommandResult nested = complete("clnrm history fla");
  EXPECT_EQ(nested.out.rfind("flaky\t", 0), 0u) << nested.out;
  const clnrm::testing::CommandResult shells = complete("clnrm completion z");
  EXPECT_EQ(shells.out.rfind("zsh\t", 0), 0u) << shells.out;
}

TEST_F(CompletionCommand, ZshScriptParsesAndCompletes) {
  const std::string zsh = script("zsh");
  const clnrm::testing::CommandResult syntax =
      clnrm::testing::run_command("zsh -f -n " + shell_quoted(zsh) + " 2>&1");
  EXPECT_EQ(syntax.exit_code, 0) << syntax.out;
  // The script's own logic in a real zsh; compsys's output functions
  // (_describe, compadd, _files) print what they were given instead of
  // drawing a menu, which needs a terminal.
  auto complete = [&](const std::string& words, int current) {
    const std::string program =
        "compdef() { : }; compset() { : }\n"
        "_describe() { local arr=${@[-1]}; print -l -- ${${(P)arr}%%:*} }\n"
        "compadd() { [[ $1 == -- ]] && shift; print -l -- \"$@\" }\n"
        "_files() { print -- \"_files $*\" }\n"
        "source " + shell_quoted(zsh) + "\nwords=(" + words + "); CURRENT=" +
        std::to_string(current) + "; _clnrm";
    return clnrm::testing::run_command("zsh -f -c " + shell_quoted(program) + " 2>&1").out;
  };
  EXPECT_NE(complete("clnrm ru", 2).find("\nrun\n"), std::string::npos) << complete("clnrm ru", 2);
  EXPECT_NE(complete("clnrm history fla", 3).find("\nflaky\n"), std::string::npos);
  EXPECT_NE(complete("clnrm run --fail", 3).find("--fail-fast\n"), std::string::npos);
  EXPECT_EQ(complete("clnrm run --pull ''", 4), "never\nmissing\nalways\n");
  EXPECT_EQ(complete("clnrm run -j 4 ''", 5), "_files -g *.clnrm.toml(-.)\n");
  EXPECT_EQ(complete("clnrm completion ''", 3), "bash\nzsh\nfish\n");
}

TEST_F(CompletionCommand, AnUnknownShellIsAUsageError) {
  const run_e2e::Outcome o = run_clnrm({"completion", "tcsh"});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.err.find("tcsh"), std::string::npos) << o.err;
}

}  // namespace
