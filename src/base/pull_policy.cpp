// Pull policy names (include/clnrm/pull_policy.h).
#include <clnrm/pull_policy.h>
#include <fmt/format.h>

namespace clnrm {

Parsed<PullPolicy> parse_pull_policy(std::string_view text) {
  if (text == "never") return PullPolicy::Never;
  if (text == "missing") return PullPolicy::Missing;
  if (text == "always") return PullPolicy::Always;
  return Parsed<PullPolicy>::failure(fmt::format("unknown pull policy '{}' (never, missing or always)", text));
}

std::string_view to_string(PullPolicy policy) noexcept {
  switch (policy) {
    case PullPolicy::Never: return "never";
    case PullPolicy::Missing: return "missing";
    case PullPolicy::Always: return "always";
  }
  return "?";
}

}  // namespace clnrm
