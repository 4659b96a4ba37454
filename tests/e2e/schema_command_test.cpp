// `clnrm schema` as an editor's checker uses it: the printed schema is the
// committed schema/clnrm.schema.json; validated the way taplo does (the TOML
// document as JSON, a draft-07 validator: tests/scripts/check_toml_schema.py
// with Debian's python3-jsonschema), it accepts every test file of the
// repository the parser accepts, and rejects a typo'd key and a wrong type
// the parser rejects (docs/editor-support.md).
#include <clnrm/parser.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "e2e/run_process.h"
#include "support/run_command.h"

namespace {

using run_e2e::read_file;
using run_e2e::run_clnrm;
using run_e2e::source_path;
using run_e2e::TempDir;

std::string shell_quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// File -> the checker's lines about it ("ok FILE", "invalid FILE: ...").
std::map<std::string, std::string> check_with_schema(const std::string& schema,
                                                     const std::vector<std::string>& files) {
  std::string cmd = "/usr/bin/python3 " +
                    shell_quoted(source_path("tests/scripts/check_toml_schema.py")) + " " +
                    shell_quoted(schema);
  for (const std::string& f : files) cmd += " " + shell_quoted(f);
  const clnrm::testing::CommandResult r = clnrm::testing::run_command(cmd + " 2>&1");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  std::map<std::string, std::string> verdicts;
  std::size_t start = 0;
  while (start < r.out.size()) {
    std::size_t end = r.out.find('\n', start);
    if (end == std::string::npos) end = r.out.size();
    const std::string line = r.out.substr(start, end - start);
    start = end + 1;
    for (const std::string& f : files)
      if (line.find(" " + f) != std::string::npos) verdicts[f] += line + "\n";
  }
  return verdicts;
}

bool parser_accepts(const std::string& file) {
  const clnrm::ParseResult r = clnrm::parse_test_file(file);
  for (const clnrm::Diagnostic& d : r.diagnostics)
    if (d.severity == clnrm::Diagnostic::Severity::Error) return false;
  return true;
}

TEST(SchemaCommand, PrintsTheCommittedSchema) {
  const run_e2e::Outcome o = run_clnrm({"schema"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, read_file(source_path("schema/clnrm.schema.json")))
      << "schema/clnrm.schema.json is stale: run `clnrm schema > schema/clnrm.schema.json`";
}

TEST(SchemaCommand, AcceptsEveryTestFileOfTheRepositoryThatTheParserAccepts) {
  std::vector<std::string> valid;
  std::size_t invalid = 0;
  for (const char* dir : {"examples", "tests/e2e/data"})
    for (const auto& entry : std::filesystem::recursive_directory_iterator(source_path(dir))) {
      const std::string path = entry.path().string();
      if (!entry.is_regular_file() || !path.ends_with(".clnrm.toml")) continue;
      // Files meant to be invalid (tests/e2e/data/broken/, ...) are the ones
      // the parser rejects: the schema need not catch their errors.
      if (parser_accepts(path))
        valid.push_back(path);
      else
        ++invalid;
    }
  ASSERT_GT(valid.size(), 60u) << "the walk found the repository's test files";
  EXPECT_GT(invalid, 0u) << "tests/e2e/data/broken/ holds files the parser rejects";
  const auto verdicts = check_with_schema(source_path("schema/clnrm.schema.json"), valid);
  for (const std::string& f : valid) {
    const auto v = verdicts.find(f);
    ASSERT_NE(v, verdicts.end()) << "no verdict for " << f;
    EXPECT_EQ(v->second, "ok " + f + "\n") << "the parser accepts " << f << ", the schema does not";
  }
}

// The unknown keys the parser reports in `file` (outside [assertions],
// which the schema leaves open as the parser does for upstream's assertions).
std::vector<std::string> unknown_keys(const std::string& file) {
  std::vector<std::string> keys;
  for (const clnrm::Diagnostic& d : clnrm::parse_test_file(file).diagnostics) {
    std::string key, where;
    if (d.severity == clnrm::Diagnostic::Severity::Error &&
        d.kind == clnrm::DiagnosticKind::UnknownKey &&
        RE2::PartialMatch(d.message, "unknown key '([^']+)' in (\\S+)", &key, &where) &&
        where != "[assertions]")
      keys.push_back(key);
  }
  return keys;
}

TEST(SchemaCommand, RejectsEveryUnknownKeyThatTheParserRejectsInTheRepositorysFiles) {
  std::vector<std::string> files;
  std::map<std::string, std::vector<std::string>> keys;
  for (const char* dir : {"examples", "tests/e2e/data"})
    for (const auto& entry : std::filesystem::recursive_directory_iterator(source_path(dir))) {
      const std::string path = entry.path().string();
      if (!entry.is_regular_file() || !path.ends_with(".clnrm.toml")) continue;
      if (auto k = unknown_keys(path); !k.empty()) {
        files.push_back(path);
        keys[path] = std::move(k);
      }
    }
  ASSERT_GE(files.size(), 3u) << "broken/typo, run/invalid, upstream/: files with unknown keys";
  const auto verdicts = check_with_schema(source_path("schema/clnrm.schema.json"), files);
  for (const std::string& f : files)
    for (const std::string& key : keys[f])
      EXPECT_NE(verdicts.count(f) ? verdicts.at(f).find("'" + key + "' was unexpected")
                                  : std::string::npos,
                std::string::npos)
          << "the parser rejects key '" << key << "' in " << f << "; the schema says:\n"
          << (verdicts.count(f) ? verdicts.at(f) : "nothing");
}

// Where each object of the schema sits in a test file: its header lines and
// the keys it needs before the parser reads the others (a volume reads
// read_only only with both paths; a scenario's checks apply to its `run`).
struct Placement {
  std::string header;
  std::vector<std::pair<std::string, std::string>> needed;  // key, its line
};
const std::map<std::string, Placement> kPlacements = {
    {"root", {"", {}}},
    {"test", {"[test]", {}}},
    {"metadata", {"[meta]", {}}},
    {"service", {"[services.s]", {}}},
    {"wait_for", {"[services.s.wait_for]", {}}},
    {"health_check", {"[services.s.health_check]", {}}},
    {"volume",
     {"[[services.s.volumes]]",
      {{"host_path", "host_path = \".\""}, {"container_path", "container_path = \"/data\""}}}},
    {"step", {"[[steps]]", {}}},
    {"expect_file", {"[[steps]]\n[[steps.expect_file]]", {}}},
    {"expect_json", {"[[steps]]\n[[steps.expect_json]]", {}}},
    {"expect_http", {"[[steps]]\n[[steps.expect_http]]", {}}},
    {"scenario", {"[[scenario]]", {{"run", "run = \"true\""}}}},
    {"assertions", {"[assertions]", {}}},
    {"policy", {"[policy]", {}}},
    {"limits", {"[limits]", {}}},
    {"determinism", {"[determinism]", {}}},
    {"report", {"[report]", {}}},
};

// One value of each TOML type, and the parser's words for a wrong type in
// it ("..., not a string"; an array's entry may be the wrong one).
struct Sample {
  std::string toml;
  std::vector<std::string> wrong_type_words;
};
const std::vector<Sample> kSamples = {
    {"\"x\"", {", not a string"}}, {"1", {", not an integer"}}, {"1.5", {", not a float"}},
    {"true", {", not a boolean"}},  {"[\"x\"]", {", not an array", ", not a string"}},
    {"{}", {", not a table"}},
};

// Each key of each object of the schema, given a value of each TOML type in a
// file of its own: the schema accepts the value exactly when the parser
// reports no wrong type at it (a value out of range, a bad regex and the
// like are the parser's alone). So the kind each key has in
// src/spec/key_tables.cpp, which the schema is written from, is the kind its
// reader takes.
TEST(SchemaCommand, TakesTheTypesOfValuesTheParserTakes) {
  const nlohmann::json schema = nlohmann::json::parse(read_file(source_path("schema/clnrm.schema.json")));
  TempDir dir;
  struct Case {
    std::string object, key, sample, file;
    bool parser_type_error = false;
  };
  std::vector<Case> cases;
  std::vector<std::string> files;
  auto objects = schema.at("definitions");
  objects["root"] = schema;
  for (auto& [object, definition] : objects.items()) {
    const auto placement = kPlacements.find(object);
    ASSERT_NE(placement, kPlacements.end()) << "a new object '" << object << "': place it here";
    for (auto& [key, ignored] : definition.at("properties").items())
      for (const auto& [sample, wrong_type_words] : kSamples) {
        const std::string& header = placement->second.header;
        std::string text = header + "\n" + key + " = " + sample + "\n";
        // The line after the header (or after the empty first line).
        const auto line = static_cast<std::uint32_t>(std::count(header.begin(), header.end(), '\n') + 2);
        for (const auto& [needed_key, needed_line] : placement->second.needed)
          if (needed_key != key) text += needed_line + "\n";
        Case c{object, key, sample, dir.write(fmt::format("c{}.clnrm.toml", cases.size()), text)};
        for (const clnrm::Diagnostic& d : clnrm::parse_test_file(c.file).diagnostics)
          for (const std::string& words : wrong_type_words)
            if (d.severity == clnrm::Diagnostic::Severity::Error && d.pos.line == line &&
                d.message.find(words) != std::string::npos)
              c.parser_type_error = true;
        files.push_back(c.file);
        cases.push_back(std::move(c));
      }
  }
  ASSERT_GT(cases.size(), 600u);
  const auto verdicts = check_with_schema(source_path("schema/clnrm.schema.json"), files);
  for (const Case& c : cases) {
    const std::string verdict = verdicts.count(c.file) ? verdicts.at(c.file) : "";
    const bool schema_accepts = verdict == "ok " + c.file + "\n";
    EXPECT_EQ(schema_accepts, !c.parser_type_error)
        << c.object << " " << c.key << " = " << c.sample << ": the parser "
        << (c.parser_type_error ? "reports a wrong type" : "takes the type") << ", the schema says "
        << verdict;
  }
}

TEST(SchemaCommand, RejectsATypoAndAWrongTypeThatTheParserRejects) {
  TempDir dir;
  const std::string typo = dir.write("typo.clnrm.toml", R"([test.metadata]
name = "typo"

[[steps]]
name = "hello"
comand = ["echo", "hi"]
)");
  const std::string wrong_type = dir.write("wrong_type.clnrm.toml", R"([test.metadata]
name = "wrong type"

[[steps]]
name = "hello"
command = ["echo", "hi"]
expected_exit_code = "zero"
)");
  const std::string good = dir.write("good.clnrm.toml", R"(#:schema ./clnrm.schema.json
[test.metadata]
name = "good"

[services.web]
plugin = "process"
args = ["sleep", "1"]
wait_for = { port = 8080, timeout = "5s" }

[[steps]]
name = "hello"
command = "echo hi"
expect_file = { path = "/tmp", exists = true }
expect_json = [{ path = "/a", equals = { b = [1, 2] } }]
env = { A = 1, B = true }
)");
  EXPECT_FALSE(parser_accepts(typo));
  EXPECT_FALSE(parser_accepts(wrong_type));
  EXPECT_TRUE(parser_accepts(good));

  // The schema the binary prints, as an editor would fetch it.
  const run_e2e::Outcome o = run_clnrm({"schema"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const std::string schema = dir.write("clnrm.schema.json", o.out);
  const auto verdicts = check_with_schema(schema, {typo, wrong_type, good});
  ASSERT_EQ(verdicts.count(typo), 1u);
  EXPECT_NE(verdicts.at(typo).find("invalid " + typo + ": /steps/0: Additional properties are not "
                                                      "allowed ('comand' was unexpected)"),
            std::string::npos)
      << verdicts.at(typo);
  ASSERT_EQ(verdicts.count(wrong_type), 1u);
  EXPECT_NE(verdicts.at(wrong_type)
                .find("invalid " + wrong_type + ": /steps/0/expected_exit_code: 'zero' is not of "
                                                "type 'integer'"),
            std::string::npos)
      << verdicts.at(wrong_type);
  EXPECT_EQ(verdicts.at(good), "ok " + good + "\n");
}

}  // namespace
