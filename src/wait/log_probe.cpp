// Log readiness: the n-th match of a regex in the service's combined output.
#include <clnrm/wait.h>
#include <fmt/format.h>
#include <re2/re2.h>

namespace clnrm {

int count_matches(const Pattern& pattern, std::string_view text, int limit) {
  if (!pattern.re || limit <= 0) return 0;
  re2::StringPiece input(text.data(), text.size());
  int n = 0;
  while (n < limit && !input.empty()) {
    re2::StringPiece match;
    if (!pattern.re->Match(input, 0, input.size(), re2::RE2::UNANCHORED, &match, 1)) break;
    ++n;
    // Continue after the match; an empty match advances one byte so the loop ends.
    std::size_t next = static_cast<std::size_t>(match.data() - input.data()) + match.size();
    if (match.empty()) ++next;
    if (next > input.size()) break;
    input.remove_prefix(next);
  }
  return n;
}

ProbeOutcome probe_log(ServiceInstance* instance, const Pattern& pattern, int occurrences) {
  if (!instance) return {false, "the service has no process whose log could be read"};
  const int wanted = occurrences < 1 ? 1 : occurrences;
  const int seen = count_matches(pattern, instance->logs(), wanted);
  if (seen >= wanted) return {true, {}};
  return {false, fmt::format("log matched /{}/ {} of {} time(s)", pattern.source, seen, wanted)};
}

}  // namespace clnrm
