// bench/budgets.toml parsing and matching.
#include <clnrm/error.h>
#include <clnrm/perf.h>
#include <gtest/gtest.h>

#include <fstream>

using namespace clnrm::perf;

TEST(Budgets, GlobAndPrefixMatching) {
  EXPECT_TRUE(glob_match("BM_*", "BM_Lookup/10"));
  EXPECT_TRUE(glob_match("BM_Lookup/?0", "BM_Lookup/10"));
  EXPECT_TRUE(glob_match("*/threads:*", "BM_Concurrent/threads:8"));
  EXPECT_FALSE(glob_match("BM_Lookup", "BM_Lookup/10"));
  EXPECT_FALSE(glob_match("BM_*x", "BM_Lookup"));
  const auto budgets = parse_budgets(R"(
[defaults]
noise = "5%"
[[budget]]
match = "BM_Registry*/1000"
max = "2ms"
[[budget]]
match = "BM_Lookup"
max = "250ns"
noise = 0.2
max_instructions = 900
)",
                                     "b.toml");
  ASSERT_EQ(budgets.entries.size(), 2u);
  EXPECT_DOUBLE_EQ(*budgets.entries[0].max_ns, 2e6);
  EXPECT_DOUBLE_EQ(budgets.entries[0].noise, 0.05);  // the default
  EXPECT_DOUBLE_EQ(budgets.entries[1].noise, 0.2);
  EXPECT_EQ(budgets.match("BM_RegistryGrowth/1000"), &budgets.entries[0]);
  EXPECT_EQ(budgets.match("BM_Lookup/100"), &budgets.entries[1]);  // prefix
  EXPECT_EQ(budgets.match("BM_Other"), nullptr);
  EXPECT_EQ(budgets.entries[0].source, "b.toml:4:1");
}

TEST(Budgets, DurationsAndThresholds) {
  // Budgets read durations with the test files' parser (include/clnrm/duration.h), at ns precision.
  auto max_of = [](const std::string& text) {
    return parse_budgets("[[budget]]\nmatch = \"A\"\nmax = \"" + text + "\"\n", "b.toml").entries.at(0).max_ns.value();
  };
  EXPECT_DOUBLE_EQ(max_of("1.5ms"), 1.5e6);
  EXPECT_DOUBLE_EQ(max_of("200 ns"), 200);
  EXPECT_DOUBLE_EQ(max_of("3us"), 3000);
  EXPECT_DOUBLE_EQ(max_of("2s"), 2e9);
  try {
    max_of("fast");
    FAIL() << "no error for max = \"fast\"";
  } catch (const clnrm::Error& e) {
    EXPECT_EQ(e.context().rfind("b.toml:3:", 0), 0u) << e.context();
    EXPECT_NE(std::string(e.what()).find("invalid duration"), std::string::npos) << e.what();
  }
  EXPECT_THROW(max_of("10"), clnrm::Error);
  const auto b = parse_budgets("[[budget]]\nmatch = \"A\"\nwarning = \"5%\"\ncritical = \"10%\"\nblocker = \"20%\"\n", "t");
  ASSERT_TRUE(b.entries[0].thresholds);
  EXPECT_DOUBLE_EQ(b.entries[0].thresholds->critical, 0.10);
}

TEST(Budgets, ErrorsNameFileLineAndKey) {
  auto describe = [](const char* text) {
    try {
      parse_budgets(text, "budgets.toml");
    } catch (const clnrm::Error& e) {
      return e.describe();
    }
    return std::string("no error");
  };
  EXPECT_NE(describe("[[budget]]\nmatch = \"A\"\nmax = \"fast\"\n").find("budgets.toml:3:"), std::string::npos);
  EXPECT_NE(describe("[[budget]]\nmatch = \"A\"\nceiling = \"1ms\"\n").find("unknown budget key 'ceiling'"),
            std::string::npos);
  EXPECT_NE(describe("[[budget]]\nmax = \"1ms\"\n").find("without `match`"), std::string::npos);
  EXPECT_NE(describe("[budgets]\n").find("unknown key 'budgets'"), std::string::npos);
  EXPECT_NE(describe("[[budget]]\nmatch = \"A\"\nwarning = \"50%\"\ncritical = \"10%\"\n").find("warning <= critical"),
            std::string::npos);
  EXPECT_NE(describe("this is = = not toml").find("budgets.toml:1:"), std::string::npos);
}

TEST(Budgets, TheRepositoryBudgetsFileParses) {
  const auto budgets = read_budgets(std::string(CLNRM_SOURCE_DIR) + "/bench/budgets.toml");
  EXPECT_FALSE(budgets.entries.empty());
}
