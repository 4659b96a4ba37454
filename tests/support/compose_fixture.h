#pragma once
// A compose file in a scratch directory, translated by import_compose with
// the test file beside it (tests/unit/*compose*, service_keys, volume_keys).
#include <clnrm/compose.h>

#include <string>
#include <string_view>
#include <vector>

#include "support/temp_dir.h"

namespace clnrm::testing {

struct ComposeFixture {
  TempDir dir{"clnrm-compose"};

  ComposeImport import(std::string_view yaml, std::vector<std::string> services = {}) const {
    ComposeImportOptions o;
    o.file = dir.write("docker-compose.yml", yaml);
    o.output_path = dir.file("app.clnrm.toml");
    o.services = std::move(services);
    return import_compose(yaml, o);
  }

  // The notes as "LINE: service 'x': key 'y' not translated: why" (no file name).
  static std::vector<std::string> notes(const ComposeImport& r) {
    std::vector<std::string> out;
    for (const ComposeNote& n : r.not_translated) {
      const std::string f = n.format();
      out.push_back(f.substr(f.find(':') + 1));
    }
    return out;
  }

  // True when some note starts with "LINE: service 'S': key 'K' not translated: " and contains `why`.
  static bool noted(const ComposeImport& r, int line, std::string_view service, std::string_view key,
                    std::string_view why) {
    for (const ComposeNote& n : r.not_translated)
      if (n.line == line && n.service == service && n.key == key && n.why.find(why) != std::string::npos) return true;
    return false;
  }
};

}  // namespace clnrm::testing
