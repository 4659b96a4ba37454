// compose's string commands split as compose splits them (src/compose/shell_words.cpp).
#include "compose/shell_words.h"

#include <gtest/gtest.h>

namespace clnrm::compose {
namespace {

using Words = std::vector<std::string>;

Words split(std::string_view s) {
  std::string problem;
  auto w = split_shell_words(s, &problem);
  EXPECT_TRUE(w) << problem;
  return w.value_or(Words{});
}

TEST(ShellWords, BlanksQuotesAndEscapes) {
  EXPECT_EQ(split("redis-server --port 6379 --save \"\""), (Words{"redis-server", "--port", "6379", "--save", ""}));
  EXPECT_EQ(split("  a\t b \n"), (Words{"a", "b"}));
  EXPECT_EQ(split("sh -c 'echo $HOME; exit 1'"), (Words{"sh", "-c", "echo $HOME; exit 1"}));
  EXPECT_EQ(split(R"(echo "a \"b\" \$c \n")"), (Words{"echo", R"(a "b" $c \n)"}));
  EXPECT_EQ(split(R"(a\ b c'd'"e")"), (Words{"a b", "cde"}));
  EXPECT_EQ(split(""), Words{});
}

TEST(ShellWords, NothingIsExpandedOrRunByAShell) {
  EXPECT_EQ(split("echo $(id) `id` *"), (Words{"echo", "$(id)", "`id`", "*"}));
}

TEST(ShellWords, UnterminatedQuotesAndTrailingBackslashesAreProblems) {
  std::string problem;
  EXPECT_FALSE(split_shell_words("echo 'a", &problem));
  EXPECT_EQ(problem, "has an unterminated single quote");
  EXPECT_FALSE(split_shell_words("echo \"a", &problem));
  EXPECT_EQ(problem, "has an unterminated double quote");
  EXPECT_FALSE(split_shell_words("echo a\\", &problem));
  EXPECT_EQ(problem, "ends in a backslash");
}

}  // namespace
}  // namespace clnrm::compose
