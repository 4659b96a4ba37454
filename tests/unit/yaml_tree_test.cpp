// YAML -> tree with lines, anchors, merge keys and limits (src/compose/yaml_tree.cpp).
#include "compose/yaml_tree.h"

#include <clnrm/error.h>
#include <gtest/gtest.h>

#include <string>

namespace clnrm::compose {
namespace {

std::string error_of(const std::string& text, const YamlLimits& limits = {}) {
  try {
    parse_yaml(text, "c.yml", limits);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Config);
    return e.describe();
  }
  return "no error";
}

TEST(YamlTree, MappingsSequencesScalarsWithTheirLines) {
  const YamlPtr root = parse_yaml("a: 1\nb:\n  - x\n  - 'y'\nc: ~\n", "c.yml");
  ASSERT_TRUE(root->is_mapping());
  ASSERT_EQ(root->entries.size(), 3u);
  EXPECT_EQ(root->entries[1].first->text, "b");
  EXPECT_EQ(root->entries[1].first->line, 2);
  const YamlNode* b = root->get("b");
  ASSERT_TRUE(b && b->is_sequence());
  ASSERT_EQ(b->items.size(), 2u);
  EXPECT_EQ(b->items[1]->text, "y");
  EXPECT_EQ(b->items[1]->line, 4);
  EXPECT_EQ(b->items[1]->column, 5);
  EXPECT_TRUE(b->items[0]->plain);
  EXPECT_FALSE(b->items[1]->plain);
  EXPECT_TRUE(root->get("c")->is_null());
  EXPECT_FALSE(root->get("a")->is_null());
  EXPECT_EQ(root->get("nope"), nullptr);
}

TEST(YamlTree, AnEmptyTextIsAnEmptyMapping) {
  const YamlPtr root = parse_yaml("", "c.yml");
  EXPECT_TRUE(root->is_mapping());
  EXPECT_TRUE(root->entries.empty());
}

TEST(YamlTree, AliasesShareTheAnchoredNode) {
  const YamlPtr root = parse_yaml("a: &x [1, 2]\nb: *x\n", "c.yml");
  EXPECT_EQ(root->get("a"), root->get("b"));
  EXPECT_EQ(root->get("b")->items.size(), 2u);
}

TEST(YamlTree, MergeKeysAddWhatTheMappingDoesNotSet) {
  const YamlPtr root = parse_yaml(
      "d: &d {restart: always, image: base}\n"
      "e: &e {labels: x, image: other}\n"
      "s:\n  image: mine\n  <<: [*d, *e]\n",
      "c.yml");
  const YamlNode* s = root->get("s");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->get("image")->text, "mine");     // explicit keys win
  EXPECT_EQ(s->get("restart")->text, "always");
  EXPECT_EQ(s->get("labels")->text, "x");
  EXPECT_EQ(s->get("<<"), nullptr);
  EXPECT_EQ(s->get("restart")->line, 1);        // where the merged key is written
}

TEST(YamlTree, SyntaxErrorsNameFileLineAndColumn) {
  EXPECT_NE(error_of("a: [1, 2\nb: 3\n").find("c.yml:"), std::string::npos);
  EXPECT_NE(error_of("a: b: c\n").find("c.yml:1:"), std::string::npos) << error_of("a: b: c\n");
}

TEST(YamlTree, DuplicateKeysUnknownAliasesAndSecondDocumentsAreErrors) {
  EXPECT_EQ(error_of("a: 1\nb: 2\na: 3\n"), "c.yml:3:1: YAML: duplicate key 'a'");
  EXPECT_EQ(error_of("a: *nope\n"), "c.yml:1:4: YAML: unknown alias '*nope'");
  EXPECT_EQ(error_of("a: 1\n---\nb: 2\n"), "c.yml:2:1: YAML: a second document ('---'); a compose file is one document");
  EXPECT_EQ(error_of("? [a]\n: 1\n"), "c.yml:1:3: YAML: a mapping key must be a scalar");
}

TEST(YamlTree, ARecursiveAliasIsRefused) {
  EXPECT_NE(error_of("a: &a [*a]\n").find("unknown alias '*a'"), std::string::npos);
}

// The "billion laughs": nine aliases of nine aliases of ... A few hundred
// bytes that would be 10^9 nodes walked.
TEST(YamlTree, NestedAliasesPastTheNodeLimitAreRefused) {
  std::string text = "a: &a [x, x, x, x, x, x, x, x, x]\n";
  std::string prev = "a";
  for (char c = 'b'; c <= 'i'; ++c) {
    const std::string name(1, c);
    text += name + ": &" + name + " [";
    for (int i = 0; i < 9; ++i) text += (i ? ", *" : "*") + prev;
    text += "]\n";
    prev = name;
  }
  const std::string e = error_of(text);
  EXPECT_NE(e.find("more than 100000 nodes once its aliases are expanded"), std::string::npos) << e;
}

TEST(YamlTree, DepthAndSizeLimits) {
  std::string deep(100, '[');
  deep += std::string(100, ']');
  EXPECT_NE(error_of(deep).find("nest more than 64 levels deep"), std::string::npos) << error_of(deep);
  YamlLimits small;
  small.max_bytes = 10;
  EXPECT_EQ(error_of("a: 12345678901\n", small),
            "c.yml: the file has 15 bytes; the limit for a YAML file is 10 bytes");
}

}  // namespace
}  // namespace clnrm::compose
