// The JSON Schema of a *.clnrm.toml file, written from the parser's own key
// tables (spec/key_tables.h), so an editor's checker and `clnrm validate`
// accept the same keys. Draft-07, keeping to the keywords of draft-04 (type,
// properties, additionalProperties, items, anyOf, $ref, definitions) that
// taplo (Even Better TOML) validates with; docs/editor-support.md says how to
// wire it in. A table whose unknown keys the parser rejects is
// `additionalProperties: false`; upstream clnrm's keys, which the parser
// accepts with a warning, are properties that say so.
#include <clnrm/key_tables.h>

#include <map>
#include <nlohmann/json.hpp>

#include "spec/key_tables.h"

namespace clnrm {
namespace {

using spec_detail::KeyDef;
using spec_detail::TableDef;
using spec_detail::ValueKind;
using Json = nlohmann::ordered_json;

Json type(std::initializer_list<const char*> names) {
  if (names.size() == 1) return Json{{"type", *names.begin()}};
  Json list = Json::array();
  for (const char* n : names) list.push_back(n);
  return Json{{"type", list}};
}

Json ref(const TableDef& table) {
  return Json{{"$ref", "#/definitions/" + std::string(table.definition)}};
}

Json value_schema(const KeyDef& key) {
  switch (key.kind) {
    case ValueKind::String:
    case ValueKind::Regex:
    case ValueKind::Timestamp:  // a TOML date-time reaches a schema checker as a string
      return type({"string"});
    case ValueKind::Integer: return type({"integer"});
    case ValueKind::Number: return type({"number"});
    case ValueKind::Boolean: return type({"boolean"});
    case ValueKind::Duration: return type({"string", "integer"});
    case ValueKind::Command: {
      Json j = type({"string", "array"});
      j["items"] = type({"string"});
      j["minItems"] = 1;
      return j;
    }
    case ValueKind::StringList: {
      Json j = type({"string", "array"});
      j["items"] = type({"string"});
      return j;
    }
    case ValueKind::IntegerList: {
      Json j = type({"array"});
      j["items"] = type({"integer"});
      return j;
    }
    case ValueKind::IntegerOrString: return type({"integer", "string"});
    case ValueKind::IntegerOrBoolean: return type({"integer", "boolean"});
    case ValueKind::Scalars: {
      Json j = type({"object"});
      j["additionalProperties"] = type({"string", "number", "boolean"});
      return j;
    }
    case ValueKind::Regexes: {
      Json j = type({"object"});
      j["additionalProperties"] = type({"string"});
      return j;
    }
    case ValueKind::Any: return Json::object();
    case ValueKind::OpenTable: return type({"object"});
    case ValueKind::Table: return ref(*key.table);
    case ValueKind::TableOrTables: {
      Json array = type({"array"});
      array["items"] = ref(*key.table);
      return Json{{"anyOf", Json::array({ref(*key.table), array})}};
    }
    case ValueKind::Tables: {
      Json j = type({"array"});
      j["items"] = ref(*key.table);
      return j;
    }
    case ValueKind::NamedTables: {
      Json j = type({"object"});
      j["additionalProperties"] = ref(*key.table);
      return j;
    }
    case ValueKind::StringsOrTables: {
      Json j = type({"array"});
      j["items"] = Json{{"anyOf", Json::array({type({"string"}), ref(*key.table)})}};
      return j;
    }
  }
  return Json::object();
}

// The object schema of one table; nested tables go into `definitions`.
Json table_schema(const TableDef& table, std::map<std::string_view, Json>& definitions) {
  Json properties = Json::object();
  for (const KeyDef& key : table.keys) {
    Json p = Json{{"description", key.about}};
    p.update(value_schema(key));
    properties[std::string(key.name)] = std::move(p);
    if (key.table && !definitions.count(key.table->definition)) {
      definitions[key.table->definition] = Json();  // reserved: a table nested twice is written once
      definitions[key.table->definition] = table_schema(*key.table, definitions);
    }
  }
  for (std::string_view name : table.upstream_only)
    properties[std::string(name)] =
        Json{{"description",
              "Upstream clnrm's key, which clnrm does not implement: accepted with a warning"}};
  Json schema = Json{{"type", "object"}, {"description", table.about}};
  schema["properties"] = std::move(properties);
  schema["additionalProperties"] = table.other_keys;
  return schema;
}

}  // namespace

std::string test_file_json_schema() {
  std::map<std::string_view, Json> definitions;
  Json root = Json{{"$schema", "http://json-schema.org/draft-07/schema#"},
                   {"title", spec_detail::kTestFileTable.definition}};
  root.update(table_schema(spec_detail::kTestFileTable, definitions));
  Json defs = Json::object();
  for (auto& [name, schema] : definitions) defs[std::string(name)] = std::move(schema);
  root["definitions"] = std::move(defs);
  return root.dump(2) + "\n";
}

}  // namespace clnrm
