// find_duplicate_names (src/spec/duplicate_names.cpp): the one grouping of
// test names that `clnrm run` and `clnrm validate` both format.
#include <clnrm/parser.h>
#include <gtest/gtest.h>

using namespace clnrm;

TEST(DuplicateNames, GroupsNamesUsedMoreThanOnceSortedByName) {
  const std::vector<TestNameUse> tests = {
      {"b", "1.clnrm.toml", {2, 8}}, {"a", "2.clnrm.toml", {2, 8}}, {"b", "3.clnrm.toml", {3, 1}},
      {"c", "4.clnrm.toml", {2, 8}}, {"a", "5.clnrm.toml", {4, 2}}, {"b", "6.clnrm.toml", {2, 8}}};
  const std::vector<DuplicateName> d = find_duplicate_names(tests);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].name, "a");
  EXPECT_EQ(d[0].uses, (std::vector<std::size_t>{1, 4}));
  EXPECT_EQ(d[1].name, "b");
  EXPECT_EQ(d[1].uses, (std::vector<std::size_t>{0, 2, 5}));
}

TEST(DuplicateNames, NoneWhenEveryNameIsOwn) {
  EXPECT_TRUE(find_duplicate_names({}).empty());
  EXPECT_TRUE(find_duplicate_names({{"a", "1", {}}, {"b", "2", {}}}).empty());
}
