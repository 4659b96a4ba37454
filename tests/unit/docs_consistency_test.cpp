// The docs against the tool: every flag `--help` shows is documented, every
// documented flag exists (docs/running-tests.md, "Command-line reference");
// every key the parsers accept is documented, every documented key is
// accepted (docs/test-file-reference.md, against clnrm::test_file_key_tables()
// and project_config_key_tables()). A flag or key added without its doc, or a
// doc left behind after a removal, fails here.
#include <clnrm/key_tables.h>
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "e2e/run_process.h"

namespace {

using run_e2e::read_file;
using run_e2e::run_clnrm;
using run_e2e::source_path;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return lines;
}

// The body of the markdown section whose heading line is exactly `heading`,
// up to the next heading (of any level: a subsection's table is its own).
std::string section(const std::string& doc, const std::string& heading) {
  std::string body;
  bool inside = false;
  bool in_code = false;
  for (const std::string& line : lines_of(doc)) {
    if (line.rfind("```", 0) == 0) in_code = !in_code;
    if (inside && !in_code && !line.empty() && line[0] == '#') break;
    if (inside) body += line + "\n";
    if (line == heading) inside = true;
  }
  return body;
}

// The first cells of the rows of the markdown tables in `text`.
std::vector<std::string> first_cells(const std::string& text) {
  std::vector<std::string> cells;
  for (const std::string& line : lines_of(text)) {
    if (line.size() < 2 || line[0] != '|' || line.rfind("|---", 0) == 0) continue;
    const std::size_t end = line.find(" |", 1);
    cells.push_back(line.substr(1, end == std::string::npos ? std::string::npos : end - 1));
  }
  return cells;
}

// Every `code` span of `text`.
std::vector<std::string> code_spans(const std::string& text) {
  std::vector<std::string> spans;
  re2::StringPiece input(text);
  std::string span;
  while (RE2::FindAndConsume(&input, "`([^`]+)`", &span)) spans.push_back(span);
  return spans;
}

// ---- flags ----------------------------------------------------------------

struct Help {
  std::set<std::string> flags;           // "--jobs", "-j"
  std::vector<std::string> subcommands;  // "flaky", ...
};

Help help_of(const std::string& command) {
  std::vector<std::string> args;
  for (const std::string& word : lines_of(command))  // one word per line
    if (!word.empty()) args.push_back(word);
  args.push_back("--help");
  const run_e2e::Outcome o = run_clnrm(args);
  EXPECT_EQ(o.exit_code, 0) << command << ": " << o.err;
  Help h;
  bool in_subcommands = false;
  for (const std::string& line : lines_of(o.out)) {
    if (line.rfind("Subcommands:", 0) == 0)
      in_subcommands = true;
    else if (!line.empty() && line[0] != ' ')
      in_subcommands = false;
    std::string name;
    if (in_subcommands && RE2::PartialMatch(line, "^  ([a-z][a-z0-9-]*) ", &name)) {
      h.subcommands.push_back(name);
      continue;
    }
    // "  -j,--jobs INT ..." / "  --strict ..." / "  -k TEXT ..." (a short flag alone)
    std::string options;
    if (!in_subcommands &&
        RE2::PartialMatch(line, "^  ((?:-[A-Za-z],)?--[a-z][a-z0-9-]*|-[A-Za-z]\\b)", &options)) {
      re2::StringPiece rest(options);
      std::string flag;
      while (RE2::FindAndConsume(&rest, "(--?[A-Za-z][a-z0-9-]*)", &flag)) h.flags.insert(flag);
    }
  }
  h.flags.erase("--help");
  h.flags.erase("-h");
  return h;
}

// The flags the "### clnrm COMMAND" section's table documents.
std::set<std::string> documented_flags(const std::string& doc, const std::string& command) {
  std::set<std::string> flags;
  for (const std::string& cell : first_cells(section(doc, "### clnrm " + command))) {
    re2::StringPiece rest(cell);
    std::string flag;
    while (RE2::FindAndConsume(&rest, "(?:^|[^A-Za-z0-9-])(--?[A-Za-z][a-z0-9-]*)", &flag))
      flags.insert(flag);
  }
  return flags;
}

TEST(DocsConsistency, EveryFlagOfEveryCommandIsDocumentedAndEveryDocumentedFlagExists) {
  const std::string doc = read_file(source_path("docs/running-tests.md"));
  ASSERT_FALSE(section(doc, "## Command-line reference").empty())
      << "docs/running-tests.md has no '## Command-line reference' section";
  // Walk the command tree from `clnrm --help`; words separated by newlines.
  std::vector<std::string> pending = {""};
  std::size_t commands = 0;
  while (!pending.empty()) {
    const std::string command = pending.back();
    pending.pop_back();
    const Help help = help_of(command);
    for (const std::string& sub : help.subcommands)
      pending.push_back(command.empty() ? sub : command + "\n" + sub);
    if (command.empty()) continue;  // the top level has only --help / --version
    std::string spaced = command;
    for (char& c : spaced)
      if (c == '\n') c = ' ';
    if (help.flags.empty() && !help.subcommands.empty())
      continue;  // a group: its leaves are checked
    ++commands;
    const std::set<std::string> documented = documented_flags(doc, spaced);
    for (const std::string& flag : help.flags)
      EXPECT_TRUE(documented.count(flag))
          << "`clnrm " << spaced << " --help` shows " << flag
          << ", which docs/running-tests.md does not document under '### clnrm " << spaced << "'";
    for (const std::string& flag : documented)
      EXPECT_TRUE(help.flags.count(flag))
          << "docs/running-tests.md documents " << flag << " under '### clnrm " << spaced
          << "', which `clnrm " << spaced << " --help` does not show";
  }
  EXPECT_GT(commands, 10u);  // the walk found the command tree
}

// ---- keys -----------------------------------------------------------------

// Where each parser table is documented in docs/test-file-reference.md: the
// section whose tables list its keys in their first column.
const std::map<std::string_view, std::string> kTestFileSections = {
    {"the test file", "## Top-level tables"},
    {"[test]", "## Test metadata"},
    {"[test.metadata]", "## Test metadata"},
    {"[meta]", "## Test metadata"},
    {"[services.NAME]", "## Services"},
    {"wait_for", "### `wait_for`"},
    {"health_check", "### `health_check`"},
    {"volumes", "### `volumes`"},
    {"[[steps]]", "## Steps"},
    {"expect_file", "### `expect_file`"},
    {"expect_json", "### `expect_json`"},
    {"expect_http", "### `expect_http`"},
    {"[[scenario]]", "## Scenarios"},
    {"[assertions]", "## Assertions"},
    {"[policy]", "## Policy"},
    {"[limits]", "## Limits"},
    {"[determinism]", "## Determinism"},
    {"[report]", "## Report"},
};

// Keys named in the first cells of a section's tables: `name`, `cmd` (or
// `test`), `expected_output_regex`, `expected_exit_code`, `[assertions]`.
std::set<std::string> keys_in_first_cells(const std::string& body) {
  std::set<std::string> keys;
  for (const std::string& cell : first_cells(body))
    for (std::string span : code_spans(cell)) {
      if (span.size() > 2 && span.front() == '[') {
        // `[services.NAME]` -> services, `[[steps]]` -> steps
        span = span.substr(span.find_first_not_of('['));
        span = span.substr(0, span.find_first_of(".]"));
      }
      keys.insert(span);
    }
  return keys;
}

// "| where | keys |" rows of the upstream section: where -> keys.
std::map<std::string, std::set<std::string>> upstream_rows(const std::string& doc) {
  std::map<std::string, std::set<std::string>> rows;
  for (const std::string& line :
       lines_of(section(doc, "## Upstream keys clnrm does not implement"))) {
    if (line.size() < 2 || line[0] != '|' || line.rfind("|---", 0) == 0) continue;
    const std::size_t split = line.find(" | ", 1);
    if (split == std::string::npos) continue;
    std::string where = line.substr(2, split - 2);
    std::erase(where, '`');
    for (std::string span : code_spans(line.substr(split))) {
      if (span.size() > 2 && span.front() == '[') {
        span = span.substr(span.find_first_not_of('['));
        span = span.substr(0, span.find_first_of(".]"));
      }
      rows[where].insert(span);
    }
  }
  return rows;
}

TEST(DocsConsistency, EveryKeyOfEveryTestFileTableIsDocumentedAndEveryDocumentedKeyIsAccepted) {
  const std::string doc = read_file(source_path("docs/test-file-reference.md"));
  const auto upstream = upstream_rows(doc);
  for (const clnrm::KeyTable& table : clnrm::test_file_key_tables()) {
    if (table.open) continue;  // [vars], env: any key
    const auto where = kTestFileSections.find(table.where);
    ASSERT_NE(where, kTestFileSections.end())
        << "a new parser table " << table.where
        << ": map it to its section of docs/test-file-reference.md here";
    const std::string body = section(doc, where->second);
    ASSERT_FALSE(body.empty()) << "docs/test-file-reference.md has no section '" << where->second
                               << "' (for " << table.where << ")";
    const std::set<std::string> documented = keys_in_first_cells(body);
    for (std::string_view key : table.keys)
      EXPECT_TRUE(documented.count(std::string(key)))
          << table.where << " accepts '" << key << "', which the tables of '" << where->second
          << "' in docs/test-file-reference.md do not list";
    // Documented keys the parser does not accept. [test], [test.metadata] and
    // [meta] share a section: check against their union.
    std::set<std::string> accepted;
    for (const clnrm::KeyTable& t : clnrm::test_file_key_tables())
      if (kTestFileSections.count(t.where) && kTestFileSections.at(t.where) == where->second)
        accepted.insert(t.keys.begin(), t.keys.end());
    for (const std::string& key : documented)
      EXPECT_TRUE(accepted.count(key))
          << "docs/test-file-reference.md documents '" << key << "' in '" << where->second
          << "', which the parser does not accept there";
    // Upstream's keys clnrm does not implement: listed in the row for this table.
    const auto row = upstream.find(std::string(table.where));
    if (table.upstream_only.empty()) {
      EXPECT_TRUE(row == upstream.end())
          << "the upstream-keys table lists " << table.where << ", which has no upstream keys";
      continue;
    }
    ASSERT_NE(row, upstream.end())
        << "docs/test-file-reference.md's upstream-keys table has no row `| " << table.where
        << " | ... |`";
    const std::set<std::string> listed = row->second;
    for (std::string_view key : table.upstream_only)
      EXPECT_TRUE(listed.count(std::string(key)))
          << table.where << " warns about upstream key '" << key
          << "', which the upstream-keys table does not list";
    for (const std::string& key : listed)
      EXPECT_TRUE(std::find(table.upstream_only.begin(), table.upstream_only.end(), key) !=
                  table.upstream_only.end())
          << "the upstream-keys table lists '" << key << "' for " << table.where
          << ", which the parser does not treat as an upstream key there";
  }
}

TEST(DocsConsistency, EveryCleanroomTomlKeyIsDocumentedAndEveryDocumentedKeyIsAccepted) {
  const std::string doc = read_file(source_path("docs/test-file-reference.md"));
  const std::string body = section(doc, "## cleanroom.toml");
  ASSERT_FALSE(body.empty());
  // First cells read "`[defaults] jobs`" or "`[project] name`, `version`" or
  // "`[images]` ...": a "[table]" prefix sets the table of the keys after it.
  std::map<std::string, std::set<std::string>> documented;  // table -> keys
  for (const std::string& cell : first_cells(body)) {
    std::string table = "cleanroom.toml";
    for (const std::string& span : code_spans(cell)) {
      std::string key = span;
      if (!span.empty() && span.front() == '[') {
        const std::size_t close = span.find(']');
        table = span.substr(0, close + 1);
        documented["cleanroom.toml"].insert(span.substr(1, close - 1));
        key = close + 1 < span.size() ? span.substr(span.find_first_not_of(' ', close + 1)) : "";
      }
      if (!key.empty() && key.front() != '"') documented[table].insert(key);
    }
  }
  std::set<std::string> tables;
  for (const clnrm::KeyTable& table : clnrm::project_config_key_tables()) {
    tables.insert(std::string(table.where));
    const std::set<std::string>& listed = documented[std::string(table.where)];
    for (std::string_view key : table.keys)
      EXPECT_TRUE(listed.count(std::string(key)))
          << "cleanroom.toml " << table.where << " accepts '" << key
          << "', which docs/test-file-reference.md's cleanroom.toml table does not list";
    if (table.open) continue;
    for (const std::string& key : listed)
      EXPECT_TRUE(std::find(table.keys.begin(), table.keys.end(), key) != table.keys.end())
          << "docs/test-file-reference.md documents cleanroom.toml " << table.where << " '" << key
          << "', which the parser does not accept";
    // Upstream's sections are named in the text after the table.
    for (std::string_view key : table.upstream_only)
      EXPECT_NE(body.find("`[" + std::string(key) + "]`"), std::string::npos)
          << "cleanroom.toml warns about upstream section [" << key
          << "], which docs/test-file-reference.md does not name";
  }
  for (const auto& [table, keys] : documented)
    EXPECT_TRUE(tables.count(table)) << "docs/test-file-reference.md documents a cleanroom.toml "
                                     << table << " the parser does not have";
}

}  // namespace

namespace {

// The source modules: every directory under src/ and src/backend/ (the
// backends are modules of their own), spelled as the docs spell them.
std::vector<std::string> source_modules() {
  std::vector<std::string> modules;
  for (const char* parent : {"src", "src/backend"}) {
    for (const auto& entry : std::filesystem::directory_iterator(source_path(parent))) {
      if (!entry.is_directory()) continue;
      modules.push_back(std::string(parent) + "/" + entry.path().filename().string() + "/");
    }
  }
  std::sort(modules.begin(), modules.end());
  return modules;
}

}  // namespace

// docs/ARCHITECTURE.md's module table is the map a new maintainer reads
// first: a module or a public header added without its row, or a row left
// behind after a removal, fails here.
TEST(DocsConsistency, ArchitectureNamesEveryModuleAndEveryPublicHeader) {
  const std::string modules_section = section(read_file(source_path("docs/ARCHITECTURE.md")), "## Modules");
  ASSERT_FALSE(modules_section.empty()) << "docs/ARCHITECTURE.md has no '## Modules' section";
  std::set<std::string> rows;
  for (const std::string& cell : first_cells(modules_section)) {
    const std::size_t start = cell.find_first_not_of(' ');
    if (start != std::string::npos) rows.insert(cell.substr(start, cell.find_last_not_of(' ') - start + 1));
  }
  for (const std::string& module : source_modules())
    EXPECT_TRUE(rows.count("`" + module + "`")) << module << " has no row in docs/ARCHITECTURE.md, '## Modules'";
  for (const std::string& row : rows) {
    if (row.rfind("`src/", 0) != 0) continue;
    const std::string dir = row.substr(1, row.size() - 2);
    EXPECT_TRUE(std::filesystem::is_directory(source_path(dir))) << "docs/ARCHITECTURE.md lists " << dir << ", which is gone";
  }
  for (const auto& entry : std::filesystem::directory_iterator(source_path("include/clnrm"))) {
    const std::string header = entry.path().filename().string();
    EXPECT_NE(modules_section.find("`" + header + "`"), std::string::npos)
        << "include/clnrm/" << header << " is in no module's row of docs/ARCHITECTURE.md, '## Modules'";
  }
}

// README's Layout table names every source module (a row may name several).
TEST(DocsConsistency, ReadmeLayoutNamesEveryModule) {
  const std::string layout = section(read_file(source_path("README.md")), "## Layout");
  ASSERT_FALSE(layout.empty()) << "README.md has no '## Layout' section";
  for (std::string module : source_modules()) {
    // The backends' own directories are named inside src/backend/'s row.
    if (module.rfind("src/backend/", 0) == 0 && module != "src/backend/") module = module.substr(std::string("src/backend/").size());
    EXPECT_NE(layout.find("`" + module + "`"), std::string::npos) << module << " is not in README.md's Layout table";
  }
}
