// A table's values by key (src/spec/table_keys.h): what table.get returns,
// for tables of few keys (one walk) and of many (the table's own lookup).
#include "spec/table_keys.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

namespace clnrm::spec_detail {
namespace {

void expect_same_as_the_table(const toml::table& table, int keys) {
  const TableKeys by_key(table);
  for (int i = 0; i < keys + 3; ++i) {
    const std::string key = fmt::format("key{}", i);
    EXPECT_EQ(by_key.get(key), table.get(key)) << key;
  }
  for (const char* other : {"", "key", "key00", "ke", "KEY1", "key1 "})
    EXPECT_EQ(by_key.get(other), nullptr) << other;
}

TEST(TableKeys, FindsWhatTheTableFinds) {
  for (int keys : {0, 1, 3, 11, 12, 13, 40}) {
    std::string text;
    for (int i = 0; i < keys; ++i) text += fmt::format("key{} = {}\n", i, i);
    const toml::table table = toml::parse(text);
    SCOPED_TRACE(keys);
    expect_same_as_the_table(table, keys);
    for (int i = 0; i < keys; ++i) {
      const toml::node* n = TableKeys(table).get(fmt::format("key{}", i));
      ASSERT_NE(n, nullptr);
      EXPECT_EQ(n->value<int>(), i);
    }
  }
  const toml::table quoted = toml::parse("\"a b\" = 1\n\"\" = 2\n");
  EXPECT_EQ(TableKeys(quoted).get("a b"), quoted.get("a b"));
  EXPECT_EQ(TableKeys(quoted).get(""), quoted.get(""));
  EXPECT_NE(TableKeys(quoted).get(""), nullptr);
}

}  // namespace
}  // namespace clnrm::spec_detail
