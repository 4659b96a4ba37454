#pragma once
// One finding of `clnrm health`: what was checked, what was found, how to fix
// it. Plain data below every module, so each part of clnrm checks its own
// requirements (the backends their engines, include/clnrm/docker.h) and
// `clnrm health` (include/clnrm/health.h) only collects the findings.

#include <string>
#include <string_view>

namespace clnrm {

struct HealthCheck {
  enum class Result { Ok, Warn, Fail };
  std::string category;  // "namespaces", "cgroups", "engine", "faketime", "history"
  std::string name;      // "user namespace", "cgroup v1 memory", "docker /var/run/docker.sock", ...
  Result result = Result::Ok;
  bool required = false;  // the sandbox cannot run when this fails
  std::string detail;     // what was found
  std::string fix;        // what to do (empty when ok)
};
std::string_view to_string(HealthCheck::Result result) noexcept;

}  // namespace clnrm
