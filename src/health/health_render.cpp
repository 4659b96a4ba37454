#include <clnrm/health.h>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace clnrm {

std::string render_health_human(const HealthReport& report) {
  std::string out;
  std::string category;
  for (const auto& c : report.checks) {
    if (c.category != category) {
      category = c.category;
      fmt::format_to(std::back_inserter(out), "{}\n", category);
    }
    const char* mark = c.result == HealthCheck::Result::Ok     ? "ok  "
                       : c.result == HealthCheck::Result::Warn ? "WARN"
                                                               : "FAIL";
    fmt::format_to(std::back_inserter(out), "  {}  {}: {}\n", mark, c.name, c.detail);
    if (!c.fix.empty()) fmt::format_to(std::back_inserter(out), "        fix: {}\n", c.fix);
  }
  std::size_t failed = 0, warned = 0;
  for (const auto& c : report.checks) {
    if (c.result == HealthCheck::Result::Fail && c.required && c.category != "engine") ++failed;
    if (c.result != HealthCheck::Result::Ok &&
        !(c.result == HealthCheck::Result::Fail && c.required))
      ++warned;
  }
  if (report.sandbox_ready()) {
    fmt::format_to(std::back_inserter(out), "\nsandbox: ready{}\n",
                   warned ? fmt::format(" ({} warning{}: some features are limited, see above)",
                                        warned, warned == 1 ? "" : "s")
                          : std::string());
  } else {
    fmt::format_to(std::back_inserter(out),
                   "\nsandbox: cannot run ({} required check{} failed, see FAIL above)\n", failed,
                   failed == 1 ? "" : "s");
  }
  for (const auto& c : report.checks)
    if (c.category == "engine" && c.required && c.result == HealthCheck::Result::Fail)
      fmt::format_to(std::back_inserter(out), "engine: cannot run tests on docker ({})\n",
                     c.detail);
  return out;
}

nlohmann::json health_to_json(const HealthReport& report) {
  nlohmann::json checks = nlohmann::json::array();
  for (const auto& c : report.checks) {
    checks.push_back({{"category", c.category},
                      {"name", c.name},
                      {"status", to_string(c.result)},
                      {"required", c.required},
                      {"detail", c.detail},
                      {"fix", c.fix}});
  }
  return {{"sandbox_ready", report.sandbox_ready()},
          {"ready", report.ready()},
          {"checks", std::move(checks)}};
}

}  // namespace clnrm
