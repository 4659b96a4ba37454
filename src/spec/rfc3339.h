#pragma once
// RFC 3339 timestamps ("2025-01-01T00:00:00Z", "2025-01-01T12:00:00.5+02:00"),
// the format upstream's [determinism] freeze_clock uses.

#include <string>
#include <string_view>

namespace clnrm::spec_detail {

// True when `text` is a full RFC 3339 date-time with a zone (Z or +hh:mm);
// otherwise false and `reason` says what is wrong.
bool is_rfc3339(std::string_view text, std::string* reason);

}  // namespace clnrm::spec_detail
