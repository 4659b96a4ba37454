#include "suite/backend_setup.h"

#include <clnrm/control_characters.h>
#include <fmt/format.h>

namespace clnrm::suite {

std::vector<std::string> reuse_ignored_warnings(const Backend& backend,
                                                const std::vector<TestSpec>& tests,
                                                bool reuse_option) {
  if (backend.capabilities().keeps_services) return {};
  const std::string why = fmt::format(
      "has no effect on the {} backend: each test starts its own service instance (use --backend docker to keep "
      "and share services)",
      backend.name());
  if (reuse_option) return {fmt::format("--reuse {}", why)};
  std::vector<std::string> warnings;
  for (const TestSpec& t : tests)
    for (const ServiceSpec& s : t.services)
      if (s.reuse)
        warnings.push_back(fmt::format("{}: service '{}': reuse = true {}",
                                       escape_control_characters(t.file),
                                       escape_control_characters(s.name), why));
  return warnings;
}

}  // namespace clnrm::suite
