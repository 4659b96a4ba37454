#pragma once
// Internal to src/spec: patterns RE2 accepts, known without compiling them.
// A check that keeps no compiled regex (ParseOptions::keep_patterns false:
// `clnrm validate`) skips RE2 for them: RE2's parse and compile of a short
// literal take ~50 allocations and ~17,000 instructions, a third of
// validating a step with one regex (bench/peers/parse_scaling.sh).

#include <cstddef>
#include <string_view>

namespace clnrm::spec_detail {

// Longest pattern taken as plain: far below RE2's program size limit (one
// instruction per byte of a literal; the limit is ~87,000 at RE2's default
// max_mem).
inline constexpr std::size_t kMaxPlainPatternBytes = 4096;

// True when `pattern` is printable ASCII without a metacharacter of RE2's
// syntax (\ . + * ? ( ) | [ ] { } ^ $), except '^' first and '$' last: a
// literal, perhaps anchored, which RE2 compiles without error. False says
// nothing (RE2 decides).
bool is_plain_pattern(std::string_view pattern) noexcept;

}  // namespace clnrm::spec_detail
