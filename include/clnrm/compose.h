#pragma once
// `clnrm import compose`: the services of a docker-compose.yml (Compose
// spec) as a clnrm test file, and everything that could not be translated,
// each with the compose file's line (docs/running-tests.md, "Importing a
// compose file").

#include <string>
#include <string_view>
#include <vector>

namespace clnrm {

struct ComposeImportOptions {
  // The compose file as the user named it: messages and the header comment.
  std::string file;
  // The test file the text is for. A bind mount's host path is written
  // relative to its directory (which must exist), and confined to it as the
  // parser confines `volumes`. Empty: the text goes to standard output, and
  // the current directory stands for the test file's.
  std::string output_path;
  // Only these services and the ones they depend on (as `docker compose up
  // NAME` starts them); empty: every service. An unknown name is Error(Usage).
  std::vector<std::string> services;
};

// Something of the compose file the test file does not say, and why.
struct ComposeNote {
  std::string file;
  int line = 0;
  std::string service;  // empty for a top-level key
  std::string key;
  std::string why;
  // "FILE:LINE: service 'x': key 'y' not translated: why" ("FILE:LINE: key 'y' ..." at the top level).
  std::string format() const;
};

struct ComposeImport {
  std::string toml;                         // the test file, valid for `clnrm validate`
  std::vector<ComposeNote> not_translated;  // sorted by line
  std::vector<std::string> services;        // the services written, in file order
};

// Translates compose YAML text. Throws Error(Config) naming file:line:col for
// YAML it cannot read (syntax, limits: docs/running-tests.md) or a file that
// is not a compose file, Error(Usage) for an unknown --service name, and
// Error(Config) listing the diagnostics when the translation does not parse
// as a test file (a depends_on cycle, two volumes at one path).
ComposeImport import_compose(std::string_view yaml, const ComposeImportOptions& options);

// Reads options.file (a regular file of at most 4 MiB) and translates it.
ComposeImport import_compose_file(const ComposeImportOptions& options);

}  // namespace clnrm
