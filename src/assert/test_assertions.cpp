// Upstream's [assertions] table, checked against facts the runner gathered
// (never against what the test file merely claims).
#include <clnrm/assertions.h>
#include <fmt/format.h>

namespace clnrm {

bool check_test_assertions(const AssertionsSpec& spec, const TestFacts& facts,
                           std::vector<AssertionResult>& out) {
  bool ok = true;
  auto add = [&](const char* name, bool passed, std::string message) {
    AssertionResult& a = out.emplace_back();
    a.name = name;
    a.passed = passed;
    if (!passed) a.message = std::move(message);
    ok = ok && passed;
  };
  if (spec.execution_should_be_hermetic) {
    const bool hermetic = facts.capabilities.hermetic && facts.capabilities.network_isolation &&
                          facts.own_pod && facts.network_isolated;
    const bool want = *spec.execution_should_be_hermetic;
    std::string why;
    if (!facts.capabilities.hermetic)
      why = "the backend does not isolate processes (no own namespaces)";
    else if (!facts.capabilities.network_isolation)
      why = "the backend does not isolate the network";
    else if (!facts.own_pod)
      why = "the test did not run in a cleanroom of its own";
    else if (!facts.network_isolated)
      why = "the test used the host network ([policy] host_network)";
    add("execution_should_be_hermetic", hermetic == want,
        want ? fmt::format("execution_should_be_hermetic = true, but {}", why)
             : "execution_should_be_hermetic = false, but the test ran hermetically");
  }
  if (spec.container_should_have_executed_commands) {
    const auto want = static_cast<std::size_t>(*spec.container_should_have_executed_commands);
    add("container_should_have_executed_commands", facts.steps_executed >= want,
        fmt::format("container_should_have_executed_commands = {}, but {} step(s) ran", want,
                    facts.steps_executed));
  }
  if (spec.all_steps_should_pass) {
    const bool want = *spec.all_steps_should_pass;
    add("all_steps_should_pass", facts.all_steps_passed == want,
        want ? std::string("all_steps_should_pass = true, but a step did not pass")
             : std::string("all_steps_should_pass = false, but every step passed"));
  }
  if (spec.max_duration_ms) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(facts.duration).count();
    add("max_duration_ms", ms <= *spec.max_duration_ms,
        fmt::format("max_duration_ms = {}, but the test took {} ms", *spec.max_duration_ms, ms));
  }
  return ok;
}

}  // namespace clnrm
