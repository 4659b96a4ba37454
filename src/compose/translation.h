#pragma once
// What the translation of one compose file builds before it is written out
// (src/compose/compose_import.cpp), shared by the per-key translators:
// src/compose/service_keys.cpp and src/compose/volume_keys.cpp.

#include <clnrm/compose.h>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "compose/yaml_tree.h"

namespace clnrm::compose {

struct TranslatedVolume {
  std::string host_path;       // relative to the test file's directory
  std::string container_path;
  bool read_only = false;      // compose's default is read-write
};

struct TranslatedService {
  std::string name;
  int line = 0;
  std::string image;
  std::optional<std::vector<std::string>> args;
  std::vector<std::pair<std::string, std::string>> env;
  std::string workdir;
  std::vector<int> ports;
  std::vector<std::string> depends_on;
  // healthcheck -> wait_for: exec as argv, or a string run with `sh -c`.
  std::optional<std::vector<std::string>> wait_exec_argv;
  std::optional<std::string> wait_exec_shell;
  std::string wait_timeout;   // "90s"
  std::vector<TranslatedVolume> volumes;
  bool skipped = false;       // not written (no image)
};

// The state of one import: where notes and [vars] go.
struct ImportContext {
  explicit ImportContext(const ComposeImportOptions& o) : options(o) {}
  const ComposeImportOptions& options;
  std::string compose_dir;   // canonical directory of the compose file
  std::string test_path;     // the test file (real or standing in for standard output)
  std::vector<ComposeNote> notes;
  std::map<std::string, std::string> vars;      // [vars] as written, by name
  std::map<std::string, std::string> defaults;  // the first default each variable was given
  // A variable used without a default: noted at the end unless another use gives one.
  struct BareUse {
    int line;
    std::string service;
    std::string key;
    std::string name;
  };
  std::vector<BareUse> bare_uses;
  // Service names of the file, for depends_on.
  std::vector<std::string> service_names;

  void note(int line, const std::string& service, const std::string& key, std::string why) {
    notes.push_back({options.file, line, service, key, std::move(why)});
  }
  // A compose string as a clnrm template string (src/compose/interpolation.h):
  // its variables go to [vars]; nullopt (and a note) when it cannot be.
  std::optional<std::string> text(const YamlNode& value, const std::string& service, const std::string& key);
};

// One service's keys, into `out`; what is not translated is noted in `ctx`.
void translate_service(ImportContext& ctx, const std::string& name, const YamlNode& service,
                       TranslatedService& out);

// `volumes` of one service.
void translate_volumes(ImportContext& ctx, const TranslatedService& service, const YamlNode& volumes,
                       std::vector<TranslatedVolume>& out);

}  // namespace clnrm::compose
