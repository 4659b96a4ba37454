// Test-file parser: any bytes give a TestSpec or diagnostics, never a crash,
// an exception or a hang. A successful parse carries no error diagnostic.
#include <clnrm/parser.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"

namespace clnrm::fuzz {

inline void parser_one_input(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const ParseResult result = parse_test_text(text, "fuzz.clnrm.toml");
  for (const auto& d : result.diagnostics) {
    FUZZ_CHECK(!d.format().empty());
    FUZZ_CHECK(!(result.ok() && d.severity == Diagnostic::Severity::Error));
  }
  FUZZ_CHECK(result.ok() || !result.diagnostics.empty());  // a failure says why
}

}  // namespace clnrm::fuzz

CLNRM_FUZZ_ENTRY(clnrm::fuzz::parser_one_input)
