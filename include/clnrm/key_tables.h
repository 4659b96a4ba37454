#pragma once
// The keys the parsers accept, table by table: the one list the readers in
// src/spec/ check files against, exposed so that tests can compare it with
// docs/test-file-reference.md (tests/unit/docs_consistency_test.cpp) instead
// of scraping source.

#include <string>
#include <string_view>
#include <vector>

namespace clnrm {

struct KeyTable {
  std::string_view where;  // "the test file", "[[steps]]", "[services.NAME]", "cleanroom.toml", ...
  // The keys clnrm acts on.
  std::vector<std::string_view> keys;
  // Keys upstream clnrm (the Rust project) knows there that clnrm does not
  // implement: accepted with a warning naming them. (Any other key is an
  // error, or a warning under --upstream.)
  std::vector<std::string_view> upstream_only;
  // True when any key is accepted there ([vars], [images], [steps.env], ...):
  // `keys` is then empty or the keys with a meaning.
  bool open = false;
};

// The tables of a *.clnrm.toml file.
std::vector<KeyTable> test_file_key_tables();
// The tables of cleanroom.toml.
std::vector<KeyTable> project_config_key_tables();

// The JSON Schema (draft-07) of a *.clnrm.toml file, written from the same
// tables the parser checks keys against (`clnrm schema`,
// schema/clnrm.schema.json; docs/editor-support.md). Ends with a newline.
std::string test_file_json_schema();

}  // namespace clnrm
