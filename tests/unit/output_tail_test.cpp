#include <clnrm/output_tail.h>
#include <gtest/gtest.h>

#include <string>

using clnrm::indent_lines;
using clnrm::output_tail;

TEST(OutputTail, ShortOutputIsKeptWhole) {
  EXPECT_EQ(output_tail("a\nb\n"), "a\nb");
  EXPECT_EQ(output_tail("single"), "single");
  EXPECT_EQ(output_tail(""), "");
  EXPECT_EQ(output_tail("\n"), "");
}

TEST(OutputTail, KeepsTheLastLines) {
  std::string text;
  for (int i = 1; i <= 30; ++i) text += "line" + std::to_string(i) + "\n";
  const std::string tail = output_tail(text, 3);
  EXPECT_EQ(tail, "...\nline28\nline29\nline30");
}

TEST(OutputTail, CapsBytes) {
  const std::string big(10'000, 'x');
  const std::string tail = output_tail(big + "\nend", 20, 100);
  EXPECT_LE(tail.size(), 110u);
  EXPECT_EQ(tail.rfind("end"), tail.size() - 3);
  EXPECT_EQ(tail.rfind("...\n", 0), 0u);
}

TEST(OutputTail, IndentsEveryLine) { EXPECT_EQ(indent_lines("a\nb", "> "), "> a\n> b"); }
