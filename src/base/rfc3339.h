#pragma once
// RFC 3339 timestamps ("2025-01-01T00:00:00Z", "2025-01-01T12:00:00.5+02:00"),
// the format of [determinism] freeze_clock: one parser for the test-file
// check (src/spec/settings_reader.cpp) and the clock the steps get
// (src/run/determinism.cpp).

#include <clnrm/parsed.h>

#include <cstdint>
#include <string_view>

namespace clnrm {

// A full RFC 3339 date-time: date, 'T' (or 't' or a space, as libfaketime
// writes it), time, optional fraction, and a zone ('Z' or +hh:mm / -hh:mm),
// every field range-checked (the day against its month). The value is the
// instant in whole seconds since the Unix epoch (the fraction is dropped).
Parsed<std::int64_t> parse_rfc3339(std::string_view text);

}  // namespace clnrm
