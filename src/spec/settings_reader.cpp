// [assertions], [policy], [limits], [determinism], [report]: test-wide settings.
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <limits>
#include <sstream>

#include "base/atomic_file.h"
#include "spec/key_tables.h"
#include "base/rfc3339.h"
#include "spec/sections.h"
#include "spec/suggest.h"

namespace clnrm::spec_detail {
namespace {

const toml::table* section(ParseContext& ctx, const toml::table& root, std::string_view name) {
  const toml::node* node = root.get(name);
  if (!node) return nullptr;
  const toml::table* t = node->as_table();
  if (!t)
    ctx.error(pos_of(*node),
              fmt::format("'{}' must be a table ([{}]), not {}", name, name, type_name(*node)));
  return t;
}

void read_assertions(ParseContext& ctx, const toml::table& root, TestSpec& spec) {
  const toml::table* t = section(ctx, root, "assertions");
  if (!t) return;
  spec.assertions.pos = pos_of(*t);
  const std::vector<std::string_view> known = key_names(kAssertionKeys);
  // Upstream accepts any assertion key; clnrm checks the ones above. A near
  // miss of a known key is a typo (an error, a warning under --upstream);
  // anything else an upstream assertion clnrm does not check (a warning).
  for (auto&& [key, value] : *t) {
    const std::string_view name = key.str();
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    if (auto suggestion = closest_match(name, known))
      ctx.unacted_key(
          pos_of(key),
          fmt::format("unknown key '{}' in [assertions] (did you mean '{}'?)", name, *suggestion),
          false);
    else
      ctx.unacted_key(pos_of(key),
                      fmt::format("assertion '{}' in [assertions] is not implemented by clnrm "
                                  "(implemented: {})",
                                  name, fmt::join(known, ", ")),
                      true);
  }
  if (const toml::node* n = t->get("execution_should_be_hermetic"))
    spec.assertions.execution_should_be_hermetic =
        read_bool(ctx, *n, "execution_should_be_hermetic");
  if (const toml::node* n = t->get("all_steps_should_pass"))
    spec.assertions.all_steps_should_pass = read_bool(ctx, *n, "all_steps_should_pass");
  if (const toml::node* n = t->get("container_should_have_executed_commands")) {
    // Upstream writes either a count or `true` (meaning at least one).
    if (auto b = n->as_boolean())
      spec.assertions.container_should_have_executed_commands = b->get() ? 1 : 0;
    else if (auto v = read_int(ctx, *n, "container_should_have_executed_commands", 0, 1'000'000))
      spec.assertions.container_should_have_executed_commands = static_cast<int>(*v);
  }
  if (const toml::node* n = t->get("max_duration_ms"))
    if (auto v = read_int(ctx, *n, "max_duration_ms", 0, std::numeric_limits<int>::max()))
      spec.assertions.max_duration_ms = static_cast<int>(*v);
}

void read_policy(ParseContext& ctx, const toml::table& root, TestSpec& spec) {
  const toml::table* t = section(ctx, root, "policy");
  if (!t) return;
  spec.policy.pos = pos_of(*t);
  check_keys(ctx, *t, KeySchema{"[policy]", kPolicyKeys, kUpstreamPolicyKeys});
  if (const toml::node* n = t->get("security_level")) {
    spec.policy.level_pos = pos_of(*n);
    if (auto text = read_string(ctx, *n, "security_level")) {
      if (const auto level = parse_security_level(*text))
        spec.policy.level = *level;
      else
        ctx.error(pos_of(*n), level.error());
    }
  }
  if (const toml::node* n = t->get("host_network")) {
    if (auto b = read_bool(ctx, *n, "host_network")) {
      spec.policy.host_network = *b;
      if (*b && spec.policy.level != SecurityLevel::Low)
        ctx.error(pos_of(*n), "'host_network = true' needs security_level = \"low\"");
    }
  }
  // Upstream's policy limits map onto [limits] / the test timeout unless those are set.
  if (const toml::node* n = t->get("max_execution_time"))
    if (auto d = read_duration(ctx, *n, "max_execution_time", 1000))
      if (!spec.timeout) spec.timeout = d;
  if (const toml::node* n = t->get("max_memory_mb"))
    if (auto v = read_int(ctx, *n, "max_memory_mb", 1, 1 << 24))
      if (!spec.limits.memory_mb) spec.limits.memory_mb = static_cast<std::uint64_t>(*v);
  if (const toml::node* n = t->get("max_cpu_usage")) {
    std::optional<double> usage;
    if (auto f = n->as_floating_point())
      usage = f->get();
    else if (auto i = n->as_integer())
      usage = static_cast<double>(i->get());
    else
      ctx.error(pos_of(*n),
                fmt::format("'max_cpu_usage' must be a number between 0.0 and 1.0, not {}",
                            type_name(*n)));
    if (usage && (*usage <= 0.0 || *usage > 1.0))
      ctx.error(pos_of(*n), fmt::format("'max_cpu_usage' = {} must be in (0.0, 1.0]", *usage));
    else if (usage && !spec.limits.cpu_millicores)
      spec.limits.cpu_millicores = static_cast<std::uint32_t>(*usage * 1000 + 0.5);
  }
}

void read_limits(ParseContext& ctx, const toml::table& root, TestSpec& spec) {
  const toml::table* t = section(ctx, root, "limits");
  if (!t) return;
  spec.limits.pos = pos_of(*t);
  check_keys(ctx, *t, KeySchema{"[limits]", kLimitsKeys});
  if (const toml::node* n = t->get("memory_mb"))
    if (auto v = read_int(ctx, *n, "memory_mb", 1, 1 << 24))
      spec.limits.memory_mb = static_cast<std::uint64_t>(*v);
  if (const toml::node* n = t->get("cpu_millicores"))
    if (auto v = read_int(ctx, *n, "cpu_millicores", 1, 1'024'000))
      spec.limits.cpu_millicores = static_cast<std::uint32_t>(*v);
  if (const toml::node* n = t->get("pids"))
    if (auto v = read_int(ctx, *n, "pids", 1, 4'194'304))
      spec.limits.pids = static_cast<std::uint32_t>(*v);
}

void read_determinism(ParseContext& ctx, const toml::table& root, TestSpec& spec) {
  const toml::table* t = section(ctx, root, "determinism");
  if (!t) return;
  spec.determinism.pos = pos_of(*t);
  check_keys(ctx, *t, KeySchema{"[determinism]", kDeterminismKeys});
  if (const toml::node* n = t->get("seed"))
    if (auto v = read_int(ctx, *n, "seed", 0, std::numeric_limits<std::int64_t>::max()))
      spec.determinism.seed = static_cast<std::uint64_t>(*v);
  if (const toml::node* n = t->get("freeze_clock")) {
    std::optional<std::string> text;
    if (auto dt = n->as_date_time()) {
      // A bare TOML date-time; keep its RFC 3339 text.
      std::ostringstream out;
      out << *dt;
      text = out.str();
    } else if (n->is_date() || n->is_time()) {
      ctx.error(pos_of(*n),
                "'freeze_clock' needs a full date-time with a zone, e.g. \"2025-01-01T00:00:00Z\"");
    } else {
      text = read_string(ctx, *n, "freeze_clock");
    }
    if (text) {
      if (const auto instant = parse_rfc3339(*text))
        spec.determinism.freeze_clock = std::move(*text);
      else
        ctx.error(pos_of(*n), fmt::format("'freeze_clock' = \"{}\" is not an RFC 3339 timestamp: {}",
                                          *text, instant.error()));
    }
  }
}

// A test file is untrusted: the files it names stay inside the run's output
// directory (`clnrm run --output-dir`, default the current directory).
// write_file_atomically_beneath() enforces the rest (no symbolic links).
std::optional<std::string> read_report_path(ParseContext& ctx, const toml::node& node,
                                            std::string_view key) {
  std::optional<std::string> path = read_string(ctx, node, key);
  if (!path) return std::nullopt;
  if (auto why = why_not_beneath(*path)) {
    ctx.error(pos_of(node),
              fmt::format("[report] {} = \"{}\" {}: a path in a test file must stay inside the "
                          "output directory (a relative path without '..'; see clnrm run "
                          "--output-dir)",
                          key, *path, *why));
    return std::nullopt;
  }
  return path;
}

void read_report(ParseContext& ctx, const toml::table& root, TestSpec& spec) {
  const toml::table* t = section(ctx, root, "report");
  if (!t) return;
  check_keys(ctx, *t, KeySchema{"[report]", kReportKeys});
  if (const toml::node* n = t->get("json")) spec.report.json = read_report_path(ctx, *n, "json");
  if (const toml::node* n = t->get("junit")) spec.report.junit = read_report_path(ctx, *n, "junit");
  if (const toml::node* n = t->get("digest"))
    spec.report.digest = read_report_path(ctx, *n, "digest");
}

}  // namespace

void read_settings(ParseContext& ctx, const toml::table& root, TestSpec& spec) {
  read_limits(ctx, root, spec);  // before [policy], whose upstream limits only fill gaps
  read_assertions(ctx, root, spec);
  read_policy(ctx, root, spec);
  read_determinism(ctx, root, spec);
  read_report(ctx, root, spec);
}

}  // namespace clnrm::spec_detail
