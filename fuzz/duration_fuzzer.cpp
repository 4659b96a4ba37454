// parse_duration: any text gives a duration in [0, 30 days] or nullopt with
// a reason. format_duration (the compact report form) parses back to the
// same value below a minute and to the same whole seconds above it (it
// drops sub-second digits from "4m10s" by design).
#include <clnrm/duration.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"

namespace clnrm::fuzz {

inline void duration_one_input(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto d = parse_duration(text);
  if (!d) {
    FUZZ_CHECK(!d.error().empty());
    return;
  }
  FUZZ_CHECK(d->count() >= 0 && *d <= std::chrono::hours(24 * 30));
  const auto again = parse_duration(format_duration(*d));
  FUZZ_CHECK(again.ok());
  if (*d < std::chrono::minutes(1)) {
    FUZZ_CHECK(*again == *d);
  } else {
    FUZZ_CHECK(*again == std::chrono::duration_cast<std::chrono::seconds>(*d));
  }
}

}  // namespace clnrm::fuzz

CLNRM_FUZZ_ENTRY(clnrm::fuzz::duration_one_input)
