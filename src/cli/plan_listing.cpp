#include "cli/plan_listing.h"

#include <clnrm/test_filter.h>

#include <clnrm/control_characters.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>

namespace clnrm::cli {
namespace {

using nlohmann::json;

// Names, commands and images come from test files: never raw control
// characters on a terminal.
std::string shown(std::string_view text) { return escape_control_characters(text); }

std::string joined(const std::vector<std::string>& words) {
  return shown(fmt::format("{}", fmt::join(words, " ")));
}

json steps_json(const std::vector<StepSpec>& steps) {
  json out = json::array();
  for (const StepSpec& s : steps)
    out.push_back({{"name", s.name}, {"command", s.command}, {"service", s.service}});
  return out;
}

json services_json(const TestSpec& t, bool detailed) {
  json out = json::array();
  for (const ServiceSpec& s : t.services) {
    json j = {{"name", s.name}, {"plugin", s.plugin}, {"image", s.image}};
    if (detailed) {
      j["args"] = s.args;
      j["depends_on"] = s.depends_on;
      if (!s.rootfs.empty()) j["rootfs"] = s.rootfs;
    }
    out.push_back(std::move(j));
  }
  return out;
}

std::string dump(const json& j) {
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

void append_steps(std::string& out, const std::vector<StepSpec>& steps, const char* indent) {
  int n = 0;
  for (const StepSpec& s : steps) {
    out += fmt::format("{}step {} {}: {}", indent, ++n, shown(s.name), joined(s.command));
    if (!s.service.empty()) out += fmt::format("  (in service {})", shown(s.service));
    out += "\n";
  }
}

std::string backend_line(const SuitePlan& plan, const DryRunFacts& facts) {
  return fmt::format("{} ({})", plan.backend.name,
                     shown(plan.backend.reason.empty() ? facts.backend_from : plan.backend.reason));
}

}  // namespace

std::string list_text(const SuitePlan& plan) {
  std::string out;
  for (const TestSpec& t : plan.tests) out += shown(test_identity(t.file, t.name)) + "\n";
  return out;
}

std::string list_json(const SuitePlan& plan) {
  json out = json::array();
  for (const TestSpec& t : plan.tests)
    out.push_back({{"file", t.file},
                   {"name", t.name},
                   {"tags", t.tags},
                   {"services", services_json(t, false)}});
  return dump(out);
}

std::string dry_run_text(const SuitePlan& plan, const DryRunFacts& facts) {
  std::string out = fmt::format(
      "dry run: {} test{} on {} lane{} (each lane takes the next test when it is free), "
      "backend {}; nothing was started\n",
      plan.tests.size(), plan.tests.size() == 1 ? "" : "s", plan.jobs, plan.jobs == 1 ? "" : "s",
      backend_line(plan, facts));
  out += fmt::format("order: {}{}{}", shown(facts.order),
                     facts.shard.empty() ? "" : ", shard " + shown(facts.shard),
                     facts.rerun_failed ? ", only tests that failed last" : "");
  if (facts.repeat > 1) out += fmt::format(", every test {} times", facts.repeat);
  if (facts.retries > 0) out += fmt::format(", up to {} retries", facts.retries);
  out += "\n";
  int n = 0;
  for (const TestSpec& t : plan.tests) {
    out += fmt::format("\n{}. {}", ++n, shown(test_identity(t.file, t.name)));
    if (!t.tags.empty()) out += fmt::format("  [tags: {}]", shown(fmt::format("{}", fmt::join(t.tags, ", "))));
    const std::optional<Duration> timeout = t.timeout ? t.timeout : facts.default_timeout;
    out += fmt::format("\n   security level {}, timeout {}\n", to_string(t.policy.level),
                       timeout ? format_duration(*timeout) : "none");
    for (const ServiceSpec& s : t.services) {
      out += fmt::format("   service {}: plugin {}", shown(s.name), shown(s.plugin));
      if (!s.image.empty()) out += fmt::format(", image {}", shown(s.image));
      if (!s.rootfs.empty()) out += fmt::format(", rootfs {}", shown(s.rootfs));
      if (!s.args.empty()) out += fmt::format(", args: {}", joined(s.args));
      if (!s.depends_on.empty()) out += fmt::format(", after {}", joined(s.depends_on));
      out += "\n";
    }
    append_steps(out, t.steps, "   ");
    for (const ScenarioSpec& sc : t.scenarios) {
      out += fmt::format("   scenario {}{}:\n", shown(sc.name), sc.concurrent ? " (concurrent)" : "");
      append_steps(out, sc.steps, "     ");
    }
  }
  return out;
}

std::string dry_run_json(const SuitePlan& plan, const DryRunFacts& facts) {
  json tests = json::array();
  for (const TestSpec& t : plan.tests) {
    json scenarios = json::array();
    for (const ScenarioSpec& sc : t.scenarios)
      scenarios.push_back(
          {{"name", sc.name}, {"concurrent", sc.concurrent}, {"steps", steps_json(sc.steps)}});
    const std::optional<Duration> timeout = t.timeout ? t.timeout : facts.default_timeout;
    tests.push_back({{"file", t.file},
                     {"name", t.name},
                     {"tags", t.tags},
                     {"security_level", to_string(t.policy.level)},
                     {"timeout_ms", timeout ? json(timeout->count()) : json(nullptr)},
                     {"services", services_json(t, true)},
                     {"steps", steps_json(t.steps)},
                     {"scenarios", std::move(scenarios)}});
  }
  const json out = {
      {"schema", "clnrm.plan.v1"},
      {"backend",
       {{"name", plan.backend.name},
        {"reason", plan.backend.reason.empty() ? facts.backend_from : plan.backend.reason}}},
      {"jobs", plan.jobs},
      {"order", facts.order},
      {"shard", facts.shard},
      {"rerun_failed", facts.rerun_failed},
      {"repeat", facts.repeat},
      {"retries", facts.retries},
      {"tests", std::move(tests)},
  };
  return dump(out);
}

}  // namespace clnrm::cli
