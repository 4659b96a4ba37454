#pragma once
// Internal to src/spec: bounds on how deep a TOML document may nest, checked
// by a linear scan of the text BEFORE toml++ sees it. toml++ builds (and
// destroys) nested tables recursively: 40,000 dotted key segments
// (`[a.a.a.…]`) overflow the stack. Test files are untrusted, so every
// document clnrm parses goes through parse_bounded_toml(), or through
// parse_scanned_toml() right after its own scan_toml_limits().

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "spec/parse_context.h"

namespace clnrm::spec_detail {

// The limits (documented in docs/test-file-reference.md). Real files use a
// handful of levels; these are far above that and far below a stack overflow.
inline constexpr int kMaxKeySegments = 128;  // `a.b.c` is 3 segments, in a header or a key
inline constexpr int kMaxValueNesting = 64;  // arrays and inline tables inside each other
inline constexpr int kMaxDepth = 256;        // header + key segments + nesting, on one path

struct TomlLimitViolation {
  SourcePos pos;
  std::string message;
};

struct TomlScan {
  std::optional<TomlLimitViolation> violation;
  // False when the scan stopped at text that is not TOML (toml++ then reports
  // the syntax error at or before that point: it stops at its first error).
  bool reached_end = true;
};

// Linear in the text; knows basic, literal and multi-line strings and comments.
TomlScan scan_toml_limits(std::string_view text);

// toml::parse behind scan_toml_limits: a violation or a syntax error becomes
// an error in `ctx` (at ctx.file()), and nullopt is returned.
std::optional<toml::table> parse_bounded_toml(ParseContext& ctx, std::string_view text);
// The same for text whose scan_toml_limits found no violation (the caller
// scanned it already: the scan is a pass over the whole text).
std::optional<toml::table> parse_scanned_toml(ParseContext& ctx, std::string_view text);

}  // namespace clnrm::spec_detail
