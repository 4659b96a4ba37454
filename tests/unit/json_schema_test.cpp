// clnrm::test_file_json_schema() (src/spec/json_schema.cpp) against the
// parser's key tables: every table the parser checks keys in is an object of
// the schema with exactly the keys the parser accepts there, closed where the
// parser rejects other keys; and the copy committed for editors
// (schema/clnrm.schema.json) is the one the code writes.
#include <clnrm/key_tables.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "e2e/run_process.h"

namespace {

using Json = nlohmann::json;
using KeySet = std::set<std::string>;

struct ObjectSchema {
  std::string where;  // "root", "definitions/step"
  KeySet keys;
  bool closed = false;
};

std::vector<ObjectSchema> object_schemas(const Json& schema) {
  std::vector<ObjectSchema> out;
  auto add = [&](const std::string& where, const Json& object) {
    ObjectSchema o{where, {}, object.value("additionalProperties", true) == false};
    for (auto& [key, value] : object.at("properties").items()) o.keys.insert(key);
    out.push_back(std::move(o));
  };
  add("root", schema);
  for (auto& [name, definition] : schema.at("definitions").items())
    add("definitions/" + name, definition);
  return out;
}

std::string describe(const KeySet& keys) {
  std::string s;
  for (const std::string& k : keys) s += (s.empty() ? "" : ", ") + k;
  return "{" + s + "}";
}

TEST(JsonSchema, IsDraft07WithAClosedRoot) {
  const Json schema = Json::parse(clnrm::test_file_json_schema());
  EXPECT_EQ(schema.at("$schema"), "http://json-schema.org/draft-07/schema#");
  EXPECT_EQ(schema.at("type"), "object");
  EXPECT_EQ(schema.at("additionalProperties"), false);
}

TEST(JsonSchema, EveryTableOfTheParserIsAnObjectWithTheSameKeysAndViceVersa) {
  const std::vector<ObjectSchema> objects =
      object_schemas(Json::parse(clnrm::test_file_json_schema()));
  std::set<KeySet> parser_tables;
  for (const clnrm::KeyTable& table : clnrm::test_file_key_tables()) {
    if (table.open) continue;  // [vars], env, headers: any key, no object of their own
    KeySet accepted(table.keys.begin(), table.keys.end());
    accepted.insert(table.upstream_only.begin(), table.upstream_only.end());
    parser_tables.insert(accepted);
    bool found = false;
    for (const ObjectSchema& o : objects) found = found || o.keys == accepted;
    EXPECT_TRUE(found) << "the parser's " << table.where << " accepts " << describe(accepted)
                       << ", but no object of the schema has exactly these keys";
  }
  for (const ObjectSchema& o : objects)
    EXPECT_TRUE(parser_tables.count(o.keys))
        << "the schema's " << o.where << " has " << describe(o.keys)
        << ", which no table of the parser accepts exactly";
}

TEST(JsonSchema, OtherKeysAreRejectedWhereTheParserRejectsThem) {
  const std::vector<ObjectSchema> objects =
      object_schemas(Json::parse(clnrm::test_file_json_schema()));
  for (const ObjectSchema& o : objects) {
    // [assertions] alone takes any key (an upstream assertion clnrm does not
    // check is a warning: src/spec/settings_reader.cpp).
    const bool assertions = o.where == "definitions/assertions";
    EXPECT_EQ(o.closed, !assertions) << o.where;
  }
}

TEST(JsonSchema, TheCommittedCopyIsTheGeneratedOne) {
  const std::string committed =
      run_e2e::read_file(run_e2e::source_path("schema/clnrm.schema.json"));
  EXPECT_EQ(committed, clnrm::test_file_json_schema())
      << "schema/clnrm.schema.json is stale: run `clnrm schema > schema/clnrm.schema.json`";
}

}  // namespace
