#include "run/cleanroom.h"

#include <clnrm/error.h>
#include <fmt/format.h>

namespace clnrm::run {

std::string Cleanroom::close() noexcept {
  if (closed_) return {};
  closed_ = true;
  std::string problems;
  auto note = [&](const std::string& what) {
    if (!problems.empty()) problems += "; ";
    problems += what;
  };
  for (auto it = services_.rbegin(); it != services_.rend(); ++it) {
    try {
      env_.stop_service(*it);
    } catch (const std::exception& e) {
      note(fmt::format("stopping service '{}': {}", it->service_name, e.what()));
    }
  }
  services_.clear();
  if (pod_) {
    try {
      pod_->destroy();
    } catch (const std::exception& e) {
      note(fmt::format("destroying the cleanroom: {}", e.what()));
    }
    pod_.reset();
  }
  return problems;
}

}  // namespace clnrm::run
