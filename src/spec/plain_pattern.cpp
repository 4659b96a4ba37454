#include "spec/plain_pattern.h"

namespace clnrm::spec_detail {

bool is_plain_pattern(std::string_view pattern) noexcept {
  if (pattern.size() > kMaxPlainPatternBytes) return false;
  if (!pattern.empty() && pattern.front() == '^') pattern.remove_prefix(1);
  if (!pattern.empty() && pattern.back() == '$') pattern.remove_suffix(1);
  for (const char c : pattern) {
    if (c < 0x20 || c > 0x7E) return false;
    switch (c) {
      case '\\': case '.': case '+': case '*': case '?': case '(': case ')':
      case '|': case '[': case ']': case '{': case '}': case '^': case '$':
        return false;
      default:
        break;
    }
  }
  return true;
}

}  // namespace clnrm::spec_detail
