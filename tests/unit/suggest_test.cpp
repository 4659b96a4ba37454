#include "spec/suggest.h"

#include <gtest/gtest.h>

namespace clnrm::spec_detail {
namespace {

TEST(SuggestTest, EditDistance) {
  EXPECT_EQ(edit_distance("command", "command"), 0u);
  EXPECT_EQ(edit_distance("comand", "command"), 1u);
  EXPECT_EQ(edit_distance("commnad", "command"), 1u);  // transposition counts once
  EXPECT_EQ(edit_distance("Command", "command"), 0u);  // case-insensitive
  EXPECT_EQ(edit_distance("", "abc"), 3u);
}

TEST(SuggestTest, ClosestMatchOnlyForPlausibleTypos) {
  EXPECT_EQ(closest_match("comand", {"name", "command", "service"}), "command");
  EXPECT_EQ(closest_match("servce", {"name", "command", "service"}), "service");
  EXPECT_FALSE(closest_match("banana", {"name", "command", "service"}).has_value());
  EXPECT_FALSE(closest_match("ab", {"xy"}).has_value());
}

}  // namespace
}  // namespace clnrm::spec_detail
