// affected_tests (src/suite/affected_tests.cpp): which test files a batch of
// changes reruns under clnrm run --watch (docs/running-tests.md, "Watch mode").
#include <clnrm/affected_tests.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

using clnrm::affected_tests;
using clnrm::AffectedTests;

namespace {

using Files = std::vector<std::string>;

const Files kSuite = {"/p/tests/top.clnrm.toml", "/p/tests/api/login.clnrm.toml",
                      "/p/tests/api/logout.clnrm.toml", "/p/tests/db/redis.clnrm.toml"};

TEST(AffectedTests, AChangedTestFileRerunsItselfOnly) {
  const AffectedTests a = affected_tests(kSuite, kSuite, {"/p/tests/api/login.clnrm.toml"});
  EXPECT_EQ(a.rerun, Files({"/p/tests/api/login.clnrm.toml"}));
  EXPECT_FALSE(a.all);
  EXPECT_TRUE(a.added.empty());
  EXPECT_TRUE(a.removed.empty());
}

TEST(AffectedTests, AFixtureRerunsTheTestsWhoseDirectoryContainsIt) {
  // tests/api/data/users.json: contained by tests/api/ and tests/, not tests/db/.
  const AffectedTests a = affected_tests(kSuite, kSuite, {"/p/tests/api/data/users.json"});
  EXPECT_EQ(a.rerun, Files({"/p/tests/top.clnrm.toml", "/p/tests/api/login.clnrm.toml",
                            "/p/tests/api/logout.clnrm.toml"}));
  EXPECT_FALSE(a.all);
}

TEST(AffectedTests, CleanroomTomlRerunsEveryTest) {
  // Its settings apply to the whole run, wherever it sits.
  for (const char* where : {"/p/tests/cleanroom.toml", "/p/cleanroom.toml"}) {
    const AffectedTests a = affected_tests(kSuite, kSuite, {where});
    EXPECT_EQ(a.rerun, kSuite) << where;
    EXPECT_TRUE(a.all) << where;
  }
}

TEST(AffectedTests, AFileUnderNoTestsDirectoryRerunsEveryTest) {
  const AffectedTests a = affected_tests(kSuite, kSuite, {"/p/src/server.py"});
  EXPECT_TRUE(a.all);
  EXPECT_EQ(a.rerun, kSuite);
}

TEST(AffectedTests, ADeletedTestFileIsDroppedAndRerunsNothing) {
  const Files now = {"/p/tests/top.clnrm.toml", "/p/tests/api/logout.clnrm.toml",
                     "/p/tests/db/redis.clnrm.toml"};
  const AffectedTests a = affected_tests(kSuite, now, {"/p/tests/api/login.clnrm.toml"});
  EXPECT_EQ(a.removed, Files({"/p/tests/api/login.clnrm.toml"}));
  EXPECT_TRUE(a.rerun.empty());
  EXPECT_FALSE(a.all);
}

TEST(AffectedTests, ARemovedDirectoryOfTestsIsToldByTheRemovalOnly) {
  const Files now = {"/p/tests/top.clnrm.toml", "/p/tests/db/redis.clnrm.toml"};
  const AffectedTests a = affected_tests(kSuite, now, {"/p/tests/api"});
  EXPECT_EQ(a.removed, Files({"/p/tests/api/login.clnrm.toml", "/p/tests/api/logout.clnrm.toml"}));
  EXPECT_TRUE(a.rerun.empty());
}

TEST(AffectedTests, ANewTestFileIsPickedUpAndRuns) {
  Files now = kSuite;
  now.push_back("/p/tests/db/postgres.clnrm.toml");
  const AffectedTests a = affected_tests(kSuite, now, {"/p/tests/db/postgres.clnrm.toml"});
  EXPECT_EQ(a.added, Files({"/p/tests/db/postgres.clnrm.toml"}));
  EXPECT_EQ(a.rerun, Files({"/p/tests/db/postgres.clnrm.toml"}));
  // A new directory that brought it: the new file runs, not its neighbours.
  const AffectedTests dir = affected_tests(kSuite, now, {"/p/tests/db"});
  EXPECT_EQ(dir.rerun, Files({"/p/tests/db/postgres.clnrm.toml"}));
}

TEST(AffectedTests, SpellingsOfOnePathAreOneFile) {
  const Files suite = {"tests/api/login.clnrm.toml"};
  const AffectedTests a = affected_tests(suite, suite, {"./tests//api/login.clnrm.toml"});
  EXPECT_EQ(a.rerun, suite) << "spelled as discovery spells it";
  EXPECT_FALSE(a.all);
}

TEST(AffectedTests, ADirectoryPrefixOfAnotherNameIsNotContainment) {
  // tests/api-old/x is not inside tests/api/.
  const Files suite = {"/p/tests/api/login.clnrm.toml", "/p/other/x.clnrm.toml"};
  const AffectedTests a = affected_tests(suite, suite, {"/p/tests/api-old/fixture.json"});
  EXPECT_TRUE(a.all) << "no test's directory contains it";
}

TEST(AffectedTests, NoChangeNoRerunAndNoTestsNoAll) {
  EXPECT_TRUE(affected_tests(kSuite, kSuite, {}).rerun.empty());
  const AffectedTests none = affected_tests({}, {}, {"/p/src/x.c"});
  EXPECT_FALSE(none.all);
  EXPECT_TRUE(none.rerun.empty());
}

}  // namespace
