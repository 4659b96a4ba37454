#include <clnrm/health_check.h>

namespace clnrm {

std::string_view to_string(HealthCheck::Result result) noexcept {
  switch (result) {
    case HealthCheck::Result::Ok:
      return "ok";
    case HealthCheck::Result::Warn:
      return "warn";
    case HealthCheck::Result::Fail:
      return "fail";
  }
  return "unknown";
}

}  // namespace clnrm
