// parse_proc_stat / read_proc_stat (src/base/proc_stat.cpp): a stat line's
// fields read after its last ')' whatever the command name holds, nothing
// from a line cut short, and this process's own line as the kernel writes it.
#include "base/proc_stat.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <string>

using namespace clnrm;

namespace {

// A stat line of process 42 named `command` up to field 22 (starttime
// 987654321) and on to field 52, as proc(5) lays it out.
std::string stat_line(const std::string& command) {
  return "42 (" + command +
         ") S 7 42 9 34817 42 4194560 120 0 0 0 1 2 0 0 20 0 1 0 987654321 2695168 230 "
         "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
}

TEST(ProcStat, ReadsTheFieldsAfterTheLastParenthesis) {
  const auto stat = parse_proc_stat(stat_line("sleep"));
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->command, "sleep");
  EXPECT_EQ(stat->state, 'S');
  EXPECT_EQ(stat->parent, 7);
  EXPECT_EQ(stat->session, 9);
  EXPECT_EQ(stat->start_ticks, 987654321u);
}

TEST(ProcStat, ACommandNameMayHoldParenthesesAndSpaces) {
  // What a first ')' or a split on spaces would misread: the fields of a
  // fake line inside the name.
  const std::string name = "a) R 1 1 1 (b ) (c";
  const auto stat = parse_proc_stat(stat_line(name));
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->command, name);
  EXPECT_EQ(stat->state, 'S');
  EXPECT_EQ(stat->parent, 7);
  EXPECT_EQ(stat->session, 9);
  EXPECT_EQ(stat->start_ticks, 987654321u);
}

TEST(ProcStat, ALineCutShortIsNone) {
  const std::string line = stat_line("sleep");
  // Cut inside field 22, before it, after the name, inside the name.
  for (const std::string& cut :
       {line.substr(0, line.find("987654321")), line.substr(0, line.find(" 987654321")),
        line.substr(0, line.find(") S") + 1), line.substr(0, line.find("sleep") + 2),
        std::string()})
    EXPECT_FALSE(parse_proc_stat(cut)) << '"' << cut << '"';
  EXPECT_FALSE(parse_proc_stat("42 (sleep) S x 42 9 34817"));  // not a number where the parent is
  EXPECT_FALSE(parse_proc_stat("42 sleep S 7 42 9"));          // no name in parentheses
}

TEST(ProcStat, ReadsThisProcesssOwnLine) {
  const auto stat = read_proc_stat(::getpid());
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->parent, ::getppid());
  EXPECT_EQ(stat->session, ::getsid(0));
  EXPECT_EQ(stat->state, 'R');  // reading its own stat, it runs
  EXPECT_GT(stat->start_ticks, 0u);
  std::string comm;
  std::getline(std::ifstream("/proc/self/comm"), comm);
  EXPECT_EQ(stat->command, comm);
}

TEST(ProcStat, AProcessThatIsNotThereIsNone) {
  EXPECT_FALSE(read_proc_stat(-1));
  EXPECT_FALSE(read_proc_stat(0));
}

}  // namespace
