// [[steps]] and [[scenario]]: the commands a test runs and what they must produce.
#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "spec/key_tables.h"
#include "spec/sections.h"
#include "spec/step_names.h"
#include "spec/suggest.h"
#include "spec/table_keys.h"

namespace clnrm::spec_detail {
namespace {

bool has_misspelt_command(const toml::table& t) {
  for (auto&& [key, value] : t) {
    const std::string_view k = key.str();
    if (k == "exec" || k == "cmd" || k == "run" ||
        (k != "command" && closest_match(k, {"command"})))
      return true;
  }
  return false;
}

}  // namespace

void check_service_exists(ParseContext& ctx, const toml::node& at, const std::string& name,
                          const TestSpec& spec) {
  if (spec.find_service(name)) return;
  std::vector<std::string_view> names;
  for (const ServiceSpec& s : spec.services) names.push_back(s.name);
  if (auto suggestion = closest_match(name, names))
    ctx.error(pos_of(at),
              fmt::format("service '{}' does not exist (did you mean '{}'?)", name, *suggestion));
  else if (names.empty())
    ctx.error(pos_of(at),
              fmt::format("service '{}' does not exist (the file declares no [services])", name));
  else
    ctx.error(pos_of(at), fmt::format("service '{}' does not exist (declared: {})", name,
                                      fmt::join(names, ", ")));
}

bool read_step(ParseContext& ctx, const toml::table& t, std::string_view where,
               const TestSpec& spec, StepSpec& s) {
  check_keys(ctx, t, KeySchema{where, kStepKeys, kUpstreamStepKeys});
  const TableKeys keys(t);
  s.pos = pos_of(t);
  bool ok = true;
  if (const toml::node* n = keys.get("name")) {
    if (auto name = read_string(ctx, *n, "name")) {
      if (name->find_first_not_of(" \t") == std::string::npos) {
        ctx.error(pos_of(*n), "step 'name' must not be empty");
        ok = false;
      }
      s.name = std::move(*name);
    } else {
      ok = false;
    }
  } else {
    ctx.error(pos_of(t), fmt::format("a step in {} needs a 'name'", where));
    ok = false;
  }
  if (const toml::node* n = keys.get("command")) {
    if (auto c = read_command(ctx, *n, "command"))
      s.command = std::move(*c);
    else
      ok = false;
  } else {
    // A misspelt command ('comand', 'exec') already has its error; one cause, one message.
    if (!has_misspelt_command(t))
      ctx.error(pos_of(t), fmt::format("step '{}' needs a 'command'", s.name));
    ok = false;
  }
  if (const toml::node* n = keys.get("service")) {
    if (auto svc = read_string(ctx, *n, "service")) {
      check_service_exists(ctx, *n, *svc, spec);
      s.service = std::move(*svc);
    }
  }
  if (const toml::node* n = keys.get("expected_output_regex"))
    s.expected_output_regex = read_pattern(ctx, *n, "expected_output_regex");
  if (const toml::node* n = keys.get("expected_output_regex_not"))
    s.expected_output_regex_not = read_pattern(ctx, *n, "expected_output_regex_not");
  if (const toml::node* n = keys.get("expected_stderr_regex"))
    s.expected_stderr_regex = read_pattern(ctx, *n, "expected_stderr_regex");
  if (const toml::node* n = keys.get("expected_stderr_regex_not"))
    s.expected_stderr_regex_not = read_pattern(ctx, *n, "expected_stderr_regex_not");
  if (const toml::node* n = keys.get("expected_exit_code"))
    if (auto code = read_int(ctx, *n, "expected_exit_code", 0, 255))
      s.expected_exit_code = static_cast<int>(*code);
  if (const toml::node* n = keys.get("env"))
    if (auto env = read_env(ctx, *n, "env")) s.env = std::move(*env);
  if (const toml::node* n = keys.get("workdir"))
    if (auto w = read_string(ctx, *n, "workdir")) s.workdir = std::move(*w);
  if (const toml::node* n = keys.get("description")) read_string(ctx, *n, "description");
  if (const toml::node* n = keys.get("stdin"))
    if (auto in = read_string(ctx, *n, "stdin")) s.stdin_data = std::move(*in);
  if (const toml::node* n = keys.get("timeout")) {
    s.timeout = read_duration(ctx, *n, "timeout", 1000);
    if (s.timeout && s.timeout->count() == 0)
      ctx.error(pos_of(*n), "step 'timeout' must be greater than 0");
  }
  if (const toml::node* n = keys.get("max_duration"))
    s.max_duration = read_duration(ctx, *n, "max_duration", 1);
  if (const toml::node* n = keys.get("continue_on_failure"))
    if (auto b = read_bool(ctx, *n, "continue_on_failure")) s.continue_on_failure = *b;
  read_step_expectations(ctx, keys, s);
  return ok;
}

void read_steps(ParseContext& ctx, toml::table& root, TestSpec& spec) {
  toml::node* node = root.get("steps");
  if (!node) return;
  toml::array* arr = node->as_array();
  if (!arr) {
    ctx.error(pos_of(*node), fmt::format("'steps' must be an array of tables ([[steps]]), not {}",
                                         type_name(*node)));
    return;
  }
  spec.steps.reserve(spec.steps.size() + arr->size());
  StepNames names(arr->size());
  for (toml::node& element : *arr) {
    toml::table* t = element.as_table();
    if (!t) {
      ctx.error(pos_of(element),
                fmt::format("each entry of 'steps' must be a table, not {}", type_name(element)));
      continue;
    }
    // Read in place: a StepSpec is ~600 bytes, not moved on its way into the list.
    StepSpec& step = spec.steps.emplace_back();
    if (read_step(ctx, *t, "[[steps]]", spec, step))
      names.add(step, pos_of(*t->get("name")));
    else
      spec.steps.pop_back();
    // Nothing reads a step's table again: its keys and values are freed now,
    // while they are in the cache, instead of by a walk over the whole
    // document when it is destroyed (cold for a large file).
    t->clear();
  }
  names.report(ctx, spec.steps);
}

void read_scenarios(ParseContext& ctx, const toml::table& root, TestSpec& spec) {
  const toml::node* node = root.get("scenario");
  if (!node) return;
  const toml::array* arr = node->as_array();
  if (!arr) {
    ctx.error(pos_of(*node),
              fmt::format("'scenario' must be an array of tables ([[scenario]]), not {}",
                          type_name(*node)));
    return;
  }
  for (const toml::node& element : *arr) {
    const toml::table* t = element.as_table();
    if (!t) {
      ctx.error(pos_of(element), fmt::format("each entry of 'scenario' must be a table, not {}",
                                             type_name(element)));
      continue;
    }
    check_keys(ctx, *t,
               KeySchema{"[[scenario]]", kScenarioKeys, kUpstreamScenarioKeys});
    ScenarioSpec sc;
    sc.pos = pos_of(*t);
    if (const toml::node* n = t->get("name")) {
      if (auto name = read_string(ctx, *n, "name")) {
        if (name->find_first_not_of(" \t") == std::string::npos)
          ctx.error(pos_of(*n), "scenario 'name' must not be empty");
        sc.name = std::move(*name);
      }
    } else {
      ctx.error(pos_of(*t), "a [[scenario]] needs a 'name'");
    }
    if (const toml::node* n = t->get("description")) read_string(ctx, *n, "description");
    std::string service;
    if (const toml::node* n = t->get("service")) {
      if (auto s = read_string(ctx, *n, "service")) {
        check_service_exists(ctx, *n, *s, spec);
        service = std::move(*s);
      }
    }
    if (const toml::node* n = t->get("concurrent"))
      if (auto b = read_bool(ctx, *n, "concurrent")) sc.concurrent = *b;
    const toml::node* timeout = t->get("timeout");
    const toml::node* timeout_ms = t->get("timeout_ms");
    if (timeout && timeout_ms)
      ctx.error(pos_of(*timeout_ms), "give either 'timeout' or 'timeout_ms', not both");
    if (timeout)
      sc.timeout = read_duration(ctx, *timeout, "timeout", 1000);
    else if (timeout_ms)
      sc.timeout = read_duration(ctx, *timeout_ms, "timeout_ms", 1);

    const toml::node* steps = t->get("steps");
    const toml::node* run = t->get("run");
    if (steps && run)
      ctx.error(pos_of(*run), "a [[scenario]] takes either 'run' or 'steps', not both");
    if (steps) {
      if (const toml::array* sa = steps->as_array()) {
        sc.steps.reserve(sa->size());
        StepNames names(sa->size());
        for (const toml::node& st : *sa) {
          const toml::table* stt = st.as_table();
          if (!stt) {
            ctx.error(pos_of(st),
                      fmt::format("each scenario step must be a table, not {}", type_name(st)));
            continue;
          }
          StepSpec& step = sc.steps.emplace_back();
          if (read_step(ctx, *stt, "[[scenario.steps]]", spec, step)) {
            if (step.service.empty())
              step.service = service;  // the scenario's service is the default
            names.add(step, pos_of(*stt->get("name")));
          } else {
            sc.steps.pop_back();
          }
        }
        names.report(ctx, sc.steps);
      } else {
        ctx.error(pos_of(*steps),
                  fmt::format("'steps' of a scenario must be an array of tables, not {}",
                              type_name(*steps)));
      }
    } else if (run) {
      // Upstream v1.0: `run = "..."` on `service`, a single step named after the scenario.
      if (auto cmd = read_command(ctx, *run, "run")) {
        StepSpec step;
        step.name = sc.name;
        step.command = std::move(*cmd);
        step.service = service;
        step.pos = pos_of(*run);
        if (const toml::node* n = t->get("expected_output_regex"))
          step.expected_output_regex = read_pattern(ctx, *n, "expected_output_regex");
        if (const toml::node* n = t->get("expected_exit_code"))
          if (auto code = read_int(ctx, *n, "expected_exit_code", 0, 255))
            step.expected_exit_code = static_cast<int>(*code);
        sc.steps.push_back(std::move(step));
      }
    } else if (service.empty()) {
      ctx.error(pos_of(*t),
                fmt::format("scenario '{}' needs 'steps', or 'run' with a 'service'", sc.name));
    }
    if (!run) {
      for (std::string_view k : {"expected_output_regex", "expected_exit_code"})
        if (const toml::node* n = t->get(k))
          ctx.error(pos_of(*n),
                    fmt::format("'{}' on a [[scenario]] applies only to its 'run' command", k));
    }
    for (const ScenarioSpec& other : spec.scenarios)
      if (other.name == sc.name && t->get("name")) {
        ctx.error(pos_of(*t->get("name")),
                  fmt::format("duplicate scenario name '{}' (first defined at line {})", sc.name,
                              other.pos.line));
        break;
      }
    spec.scenarios.push_back(std::move(sc));
  }
}

}  // namespace clnrm::spec_detail
