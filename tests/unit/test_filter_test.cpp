// -k / --tag / --skip-tag (src/suite/test_filter.cpp): the matcher and how
// several expressions combine (docs/running-tests.md, "Choosing tests").
#include <clnrm/error.h>
#include <gtest/gtest.h>

#include <clnrm/test_filter.h>

using namespace clnrm;

namespace {

TestSpec spec(const std::string& file, const std::string& name,
              std::vector<std::string> tags = {}) {
  TestSpec t;
  t.file = file;
  t.name = name;
  t.tags = std::move(tags);
  return t;
}

bool matches(const std::string& expression, const std::string& name,
             const std::string& file = "t/x.clnrm.toml") {
  const Parsed<NameExpression> e = parse_name_expression(expression);
  EXPECT_TRUE(e.ok()) << expression << ": " << e.error();
  return e.ok() && pattern_matches(*e, file, name);
}

std::vector<std::string> selected(const TestFilter& filter, const std::vector<TestSpec>& tests) {
  const auto select = make_test_filter(filter);
  std::vector<std::string> names;
  for (const TestSpec& t : tests)
    if (select(t)) names.push_back(t.name);
  return names;
}

const std::vector<TestSpec> kSuite = {
    spec("api/login.clnrm.toml", "api_login", {"api", "fast"}),
    spec("api/logout.clnrm.toml", "api_logout", {"api"}),
    spec("db/redis.clnrm.toml", "redis_cache", {"db", "slow"}),
    spec("db/pg.clnrm.toml", "postgres_migrate", {"db"}),
};

}  // namespace

TEST(NameFilter, SubstringWithoutGlobCharacters) {
  EXPECT_TRUE(matches("login", "api_login"));
  EXPECT_TRUE(matches("api_login", "api_login"));
  EXPECT_FALSE(matches("Login", "api_login")) << "case-sensitive";
  EXPECT_FALSE(matches("logins", "api_login"));
}

TEST(NameFilter, GlobMatchesTheWholeName) {
  EXPECT_TRUE(matches("api_*", "api_login"));
  EXPECT_FALSE(matches("login*", "api_login")) << "a glob is anchored at both ends";
  EXPECT_TRUE(matches("*login", "api_login"));
  EXPECT_TRUE(matches("api_log?n", "api_login"));
  EXPECT_TRUE(matches("redis_[ck]ache", "redis_cache"));
  EXPECT_FALSE(matches("redis_[!c]ache", "redis_cache"));
}

TEST(NameFilter, DoubleColonMatchesTheIdentityFileAndName) {
  EXPECT_TRUE(matches("db/redis.clnrm.toml::redis_cache", "redis_cache", "db/redis.clnrm.toml"));
  EXPECT_FALSE(matches("db/redis.clnrm.toml::redis_cache", "redis_cache", "x/redis.clnrm.toml"));
  EXPECT_TRUE(matches("db/*::*", "anything", "db/sub/dir.clnrm.toml")) << "* crosses /";
  EXPECT_EQ(test_identity("a.clnrm.toml", "t"), "a.clnrm.toml::t");
}

TEST(NameFilter, NotNegatesAndIsParsedOnce) {
  const auto e = parse_name_expression("  not   slow ");
  ASSERT_TRUE(e.ok()) << e.error();
  EXPECT_TRUE(e->negated);
  EXPECT_EQ(e->pattern, "slow");
  EXPECT_FALSE(e->glob);
  const auto notable = parse_name_expression("nothing");
  ASSERT_TRUE(notable.ok());
  EXPECT_FALSE(notable->negated) << "a name that starts with 'not' is not a negation";
}

TEST(NameFilter, RefusesWhatWouldSilentlyMatchNothing) {
  for (const char* bad : {"", "   ", "not", "not not x", "a or b", "a and not b", "login and b"}) {
    const auto e = parse_name_expression(bad);
    EXPECT_FALSE(e.ok()) << "'" << bad << "'";
    EXPECT_FALSE(e.error().empty());
  }
  EXPECT_NE(parse_name_expression("a or b").error().find("-k a -k b"), std::string::npos);
}

TEST(NameFilter, PositivesAreOredNegationsAnded) {
  TestFilter f;
  f.names = {"login", "redis"};
  EXPECT_EQ(selected(f, kSuite), (std::vector<std::string>{"api_login", "redis_cache"}));
  f.names = {"api_*", "not logout"};
  EXPECT_EQ(selected(f, kSuite), (std::vector<std::string>{"api_login"}));
  f.names = {"not api", "not redis"};
  EXPECT_EQ(selected(f, kSuite), (std::vector<std::string>{"postgres_migrate"}));
  EXPECT_EQ(selected({}, kSuite).size(), kSuite.size()) << "no filter selects all";
}

TEST(NameFilter, TagsAreAnyOfAndSkipTagsNoneOf) {
  TestFilter f;
  f.tags = {"fast", "slow"};
  EXPECT_EQ(selected(f, kSuite), (std::vector<std::string>{"api_login", "redis_cache"}));
  f = {};
  f.skip_tags = {"db"};
  EXPECT_EQ(selected(f, kSuite), (std::vector<std::string>{"api_login", "api_logout"}));
  f = {};
  f.tags = {"db"};
  f.skip_tags = {"slow"};
  EXPECT_EQ(selected(f, kSuite), (std::vector<std::string>{"postgres_migrate"}));
  f = {};
  f.tags = {"api"};
  f.names = {"not login"};
  EXPECT_EQ(selected(f, kSuite), (std::vector<std::string>{"api_logout"})) << "-k and --tag: both";
  f = {};
  f.tags = {"Api"};
  EXPECT_TRUE(selected(f, kSuite).empty()) << "tags are exact and case-sensitive";
}

TEST(NameFilter, BadExpressionOrEmptyTagIsAUsageErrorNamingTheFlag) {
  TestFilter f;
  f.names = {"a or b"};
  try {
    make_test_filter(f);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
    EXPECT_NE(e.describe().find("-k 'a or b'"), std::string::npos) << e.describe();
  }
  f = {};
  f.skip_tags = {""};
  try {
    make_test_filter(f);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(e.describe().find("--skip-tag"), std::string::npos) << e.describe();
  }
}
