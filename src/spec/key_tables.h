#pragma once
// Internal to src/spec: the keys of each table of a test file, with the kind
// of value each takes and one line saying what it does. The readers check
// files against these lists (check_keys), clnrm::test_file_key_tables()
// exposes their names, and clnrm::test_file_json_schema() (json_schema.cpp)
// writes the JSON Schema from the same entries, so the editor's schema and
// the parser cannot disagree on a key. The upstream lists are keys upstream
// clnrm knows that clnrm does not implement: warnings naming them
// (parse_context.h, UnactedKeys).

#include <initializer_list>
#include <span>
#include <string_view>
#include <vector>

namespace clnrm::spec_detail {

struct TableDef;

// The TOML value a key takes (json_schema.cpp maps each to JSON Schema).
enum class ValueKind {
  String,
  Integer,
  Number,            // integer or float
  Boolean,
  Duration,          // "500ms", "2s", or an integer (a unit per key)
  Command,           // "shell command" (run with sh -c) or ["argv", ...]
  StringList,        // ["a", "b"] or one string
  Regex,             // a string in RE2 syntax
  Timestamp,         // an RFC 3339 string or a TOML date-time
  IntegerList,       // [1, 2]
  IntegerOrString,   // wait_for.http: a port or a URL
  IntegerOrBoolean,  // a count, or true (at least one)
  Scalars,           // a table NAME = string, number or boolean
  Regexes,           // a table NAME = regex
  Any,               // any TOML value
  Table,             // a table of `table`'s keys
  TableOrTables,     // one such table or an array of them
  Tables,            // an array of such tables ([[...]])
  NamedTables,       // a table of NAME = such a table ([x.NAME])
  StringsOrTables,   // an array whose entries are strings or such tables
  OpenTable,         // a table of any keys ([vars])
};

struct KeyDef {
  std::string_view name;
  ValueKind kind;
  std::string_view about;          // one line, for the schema's description
  const TableDef* table = nullptr;  // the nested table of Table .. StringsOrTables
};

using KeyList = std::span<const KeyDef>;
using NameList = std::initializer_list<std::string_view>;

// One table of a test file as the schema names it.
struct TableDef {
  std::string_view definition;  // the schema's name for it: "step", "service", ...
  std::string_view about;
  KeyList keys;
  NameList upstream_only = {};
  // Any other key is accepted too (with a warning): [assertions].
  bool other_keys = false;
};

// Whether `list` has a key named `name`.
bool has_key(KeyList list, std::string_view name);
// The names of `list`, in order (for "did you mean" and "valid keys: ...").
std::vector<std::string_view> key_names(KeyList list);

extern const KeyList kTopLevelKeys;
extern const NameList kUpstreamTopLevelKeys;
extern const KeyList kTestKeys, kMetadataKeys;
extern const NameList kUpstreamTestKeys;
extern const KeyList kServiceKeys;
extern const NameList kUpstreamServiceKeys;
extern const KeyList kWaitForKeys, kHealthCheckKeys, kVolumeKeys;
extern const KeyList kStepKeys;
extern const NameList kUpstreamStepKeys;
extern const KeyList kExpectFileKeys, kExpectJsonKeys, kExpectHttpKeys;
extern const KeyList kScenarioKeys;
extern const NameList kUpstreamScenarioKeys;
extern const KeyList kAssertionKeys;
extern const KeyList kPolicyKeys;
extern const NameList kUpstreamPolicyKeys;
extern const KeyList kLimitsKeys, kDeterminismKeys, kReportKeys;

// The whole test file: the root of the tree the schema is written from.
extern const TableDef kTestFileTable;

}  // namespace clnrm::spec_detail
