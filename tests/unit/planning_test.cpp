// Planning a suite from history (src/suite/planning.cpp).
#include "suite/planning.h"

#include <clnrm/error.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "support/suite_scratch.h"

using namespace clnrm;
using suite_test::ScratchDir;

namespace {

std::vector<TestSpec> tests_named(std::initializer_list<const char*> names) {
  std::vector<TestSpec> out;
  for (const char* n : names) {
    TestSpec t;
    t.name = n;
    t.file = std::string(n) + ".clnrm.toml";
    out.push_back(t);
  }
  return out;
}

}  // namespace

TEST(SuitePlanning, FileOrderOfEveryTestNeedsNoOrdering) {
  std::string note;
  EXPECT_EQ(suite::make_ordering({}, "", note), nullptr);
  EXPECT_TRUE(note.empty());
}

TEST(SuitePlanning, HistoryWantedWithoutHistoryIsAUsageError) {
  std::string note;
  SuitePlanning history_order;
  history_order.order = "history";
  EXPECT_THROW(suite::make_ordering(history_order, "", note), Error);
  SuitePlanning rerun;
  rerun.rerun_failed = true;
  EXPECT_THROW(suite::make_ordering(rerun, "", note), Error);
  SuitePlanning bad;
  bad.shard = "3/2";
  EXPECT_THROW(suite::make_ordering(bad, "", note), Error);
}

TEST(SuitePlanning, ShardsSplitTheTestsAndRandomOrderNamesItsSeed) {
  ScratchDir dir;
  const std::vector<TestSpec> tests = tests_named({"a", "b", "c", "d"});
  std::string note;
  SuitePlanning first, second;
  first.shard = "1/2";
  second.shard = "2/2";
  // No history yet: the DB does not exist, planning goes on without it.
  const OrderingFunction one = suite::make_ordering(first, dir.path("h.db"), note);
  const OrderingFunction two = suite::make_ordering(second, dir.path("h.db"), note);
  ASSERT_TRUE(one && two);
  const std::vector<std::size_t> a = one(tests), b = two(tests);
  EXPECT_EQ(a.size() + b.size(), tests.size());
  for (std::size_t i : a) EXPECT_EQ(std::count(b.begin(), b.end(), i), 0);

  SuitePlanning random;
  random.order = "random";
  ASSERT_TRUE(suite::make_ordering(random, "", note));
  EXPECT_NE(note.find("--order random:"), std::string::npos) << note;
}
