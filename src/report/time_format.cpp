#include <clnrm/report.h>

#include "base/utc_time.h"

namespace clnrm {

std::string format_rfc3339(SystemTime t) {
  if (t == SystemTime{}) return {};
  return format_utc(t, UtcStyle::Rfc3339Millis);
}

}  // namespace clnrm
