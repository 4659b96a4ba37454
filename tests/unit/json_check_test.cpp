// src/assert/json_check.cpp: JSON pointer equality and what a mismatch says.
#include <clnrm/assertions.h>
#include <gtest/gtest.h>

using namespace clnrm;

namespace {

JsonCheck check(std::string pointer, std::string expected) {
  return JsonCheck{std::move(pointer), std::move(expected), {}};
}

TEST(JsonCheck, EqualValuesPassNumbersCompareByValue) {
  const std::string doc = R"({"a":{"b":[1,2.5,"x"]},"ok":true})";
  EXPECT_FALSE(json_mismatch(check("/a/b/0", "1.0"), doc, "stdout"));
  EXPECT_FALSE(json_mismatch(check("/a/b", R"([1,2.5,"x"])"), doc, "stdout"));
  EXPECT_FALSE(json_mismatch(check("/ok", "true"), doc, "stdout"));
  EXPECT_FALSE(json_mismatch(check("", R"({"ok":true,"a":{"b":[1,2.5,"x"]}})"), doc, "stdout"));
}

TEST(JsonCheck, MismatchNamesExpectedAndActual) {
  EXPECT_EQ(json_mismatch(check("/s", R"("ok")"), R"({"s":"down"})", "stdout"),
            R"(stdout at /s: expected "ok", got "down")");
  EXPECT_EQ(json_mismatch(check("/t", "1"), R"({"s":1})", "body"), "body has no value at /t; expected 1");
  const auto not_json = json_mismatch(check("/s", "1"), "hello\n", "stdout");
  ASSERT_TRUE(not_json);
  EXPECT_NE(not_json->find("stdout is not JSON (it begins \"hello"), std::string::npos) << *not_json;
}

}  // namespace
