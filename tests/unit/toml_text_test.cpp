// TOML strings, keys and arrays that toml++ reads back as written (src/compose/toml_text.cpp).
#include "compose/toml_text.h"

#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <string>
#include <vector>

namespace clnrm::compose {
namespace {

TEST(TomlText, StringsReadBackAsWritten) {
  for (const std::string& s : std::vector<std::string>{"plain", "quote \" and \\ backslash", "new\nline\ttab\r", std::string("nul\0x", 5),
                              "esc \x1b[31m del \x7f", "ünïcode ✓", ""}) {
    const std::string doc = "k = " + toml_string(s) + "\n";
    const toml::table t = toml::parse(doc);
    EXPECT_EQ(t["k"].value_or(std::string("?")), s) << doc;
  }
}

TEST(TomlText, KeysAreBareOnlyWhenTheyMayBe) {
  EXPECT_EQ(toml_key("redis_1-a"), "redis_1-a");
  EXPECT_EQ(toml_key("web.api"), "\"web.api\"");
  EXPECT_EQ(toml_key(""), "\"\"");
  const toml::table t = toml::parse("[services." + toml_key("web.api") + "]\nx = 1\n");
  EXPECT_TRUE(t["services"]["web.api"]["x"]);
}

TEST(TomlText, StringArrays) {
  EXPECT_EQ(toml_string_array({}), "[]");
  EXPECT_EQ(toml_string_array({"a", "b\"c"}), "[\"a\", \"b\\\"c\"]");
}

}  // namespace
}  // namespace clnrm::compose
