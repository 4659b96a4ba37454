// cleanroom.toml loader. Shares the test-file readers so both files report
// problems the same way (file:line:col, "did you mean").
#include <clnrm/error.h>
#include <clnrm/key_tables.h>
#include <clnrm/project_config.h>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "spec/parse_context.h"
#include "spec/sections.h"
#include "spec/source_file.h"
#include "spec/toml_limits.h"

namespace clnrm {
namespace {

using namespace spec_detail;

// The keys of cleanroom.toml (project_config_key_tables() exposes them).
using K = ValueKind;
const KeyDef kConfigKeyDefs[] = {
    {"project", K::Table, "The project's name, version and description"},
    {"images", K::OpenTable, "Image names used in tests mapped to images to use instead"},
    {"defaults", K::Table, "Defaults of clnrm run that its flags override"},
    {"vars", K::OpenTable, "Defaults for {{ vars.NAME }} in every test file"},
};
const KeyList kConfigKeys = kConfigKeyDefs;
const NameList kUpstreamConfigKeys = {
    "cli",         "containers",     "services",  "observability", "plugins",
    "performance", "test_execution", "reporting", "security"};
const KeyDef kProjectKeyDefs[] = {
    {"name", K::String, "The project's name"},
    {"version", K::String, "The project's version"},
    {"description", K::String, "What the project is"},
};
const KeyList kProjectKeys = kProjectKeyDefs;
const KeyDef kDefaultsKeyDefs[] = {
    {"backend", K::String, "auto, sandbox or docker; --backend wins"},
    {"jobs", K::Integer, "Parallel tests, 1..1024; --jobs wins"},
    {"security_level", K::String, "The project's lowest security level"},
    {"timeout", K::Duration, "Whole-test timeout of tests without their own; --timeout wins"},
    {"pull", K::String, "never, missing or always: when a registry is asked for an image; --pull and CLNRM_PULL win"},
    {"pool", K::Integer,
     "docker: fresh, never-used containers kept per shape between runs, 0..8 (0: off); --pool, --no-pool and "
     "CLNRM_DOCKER_POOL win"},
    {"pool_ttl", K::Duration, "docker: how long an unclaimed pool container is kept (at least 1s)"},
};
const KeyList kDefaultsKeys = kDefaultsKeyDefs;

const toml::table* table_of(ParseContext& ctx, const toml::table& root, std::string_view name) {
  const toml::node* n = root.get(name);
  if (!n) return nullptr;
  if (!n->is_table())
    ctx.error(pos_of(*n),
              fmt::format("'{}' must be a table ([{}]), not {}", name, name, type_name(*n)));
  return n->as_table();
}

// An image reference as --image-map takes it (FROM=TO, comma-separated).
bool plain_image_name(std::string_view name) {
  return std::none_of(name.begin(), name.end(), [](char c) {
    return c == '=' || c == ',' || static_cast<unsigned char>(c) <= ' ' || c == 0x7f;
  });
}

void read_config(ParseContext& ctx, const toml::table& root, ProjectConfig& config) {
  check_keys(ctx, root,
             KeySchema{"cleanroom.toml", kConfigKeys, kUpstreamConfigKeys});
  if (const toml::table* p = table_of(ctx, root, "project")) {
    check_keys(ctx, *p, KeySchema{"[project]", kProjectKeys});
    if (const toml::node* n = p->get("name"))
      if (auto s = read_string(ctx, *n, "name")) config.name = std::move(*s);
    if (const toml::node* n = p->get("version")) read_string(ctx, *n, "version");
    if (const toml::node* n = p->get("description")) read_string(ctx, *n, "description");
  }
  config.vars = read_vars(ctx, root);
  if (const toml::table* images = table_of(ctx, root, "images")) {
    for (auto&& [key, value] : *images) {
      auto target = read_string(ctx, value, fmt::format("images.\"{}\"", key.str()));
      if (!target) continue;
      if (target->empty() || key.str().empty())
        ctx.error(pos_of(value), fmt::format("image mapping \"{}\" = \"{}\" needs both names",
                                             key.str(), *target));
      else if (!plain_image_name(key.str()) || !plain_image_name(*target))
        ctx.error(pos_of(value),
                  fmt::format("image mapping \"{}\" = \"{}\": an image name has no spaces, "
                              "'=' or ','",
                              key.str(), *target));
      else
        config.images.emplace(std::string(key.str()), std::move(*target));
    }
  }
  if (const toml::table* d = table_of(ctx, root, "defaults")) {
    check_keys(ctx, *d, KeySchema{"[defaults]", kDefaultsKeys});
    if (const toml::node* n = d->get("backend")) {
      if (auto b = read_string(ctx, *n, "backend")) {
        if (*b == "auto" || *b == "sandbox" || *b == "docker") {
          config.backend = std::move(*b);
          config.positions["backend"] = pos_of(*n);
        } else {
          ctx.error(pos_of(*n),
                    fmt::format("unknown backend \"{}\" (use auto, sandbox or docker)", *b));
        }
      }
    }
    if (const toml::node* n = d->get("jobs")) {
      if (auto j = read_int(ctx, *n, "jobs", kMinJobs, kMaxJobs))
        config.jobs = static_cast<unsigned>(*j);
      config.positions["jobs"] = pos_of(*n);
    }
    if (const toml::node* n = d->get("security_level")) {
      if (auto s = read_string(ctx, *n, "security_level")) {
        const auto level = parse_security_level(*s);
        config.security_level = level.optional();
        config.positions["security_level"] = pos_of(*n);
        if (!level) ctx.error(pos_of(*n), level.error());
      }
    }
    if (const toml::node* n = d->get("timeout")) {
      config.timeout = read_duration(ctx, *n, "timeout", 1000);
      config.positions["timeout"] = pos_of(*n);
    }
    if (const toml::node* n = d->get("pull")) {
      if (auto s = read_string(ctx, *n, "pull")) {
        const Parsed<PullPolicy> policy = parse_pull_policy(*s);
        config.pull = policy.optional();
        config.positions["pull"] = pos_of(*n);
        if (!policy) ctx.error(pos_of(*n), "pull: " + policy.error());
      }
    }
    if (const toml::node* n = d->get("pool")) {
      if (auto p = read_int(ctx, *n, "pool", 0, kMaxPool)) config.pool = static_cast<int>(*p);
      config.positions["pool"] = pos_of(*n);
    }
    if (const toml::node* n = d->get("pool_ttl")) {
      config.pool_ttl = read_duration(ctx, *n, "pool_ttl", 1000);
      if (config.pool_ttl && config.pool_ttl->count() < 1000) {
        ctx.error(pos_of(*n), "'pool_ttl' must be at least 1s (use pool = 0 to switch the pool off)");
        config.pool_ttl.reset();
      }
      config.positions["pool_ttl"] = pos_of(*n);
    }
  }
}

}  // namespace

std::string ProjectConfig::where(std::string_view key) const {
  const auto it = positions.find(key);
  if (it == positions.end() || it->second.line == 0) return file;
  return fmt::format("{}:{}:{}", file, it->second.line, it->second.column);
}

ProjectConfigCheck check_project_config(std::string_view text, const std::string& file) {
  ProjectConfigCheck check;
  ProjectConfig config;
  config.file = file;
  ParseContext ctx(file, check.diagnostics);
  if (std::optional<toml::table> root = parse_bounded_toml(ctx, text))
    read_config(ctx, *root, config);
  if (ctx.has_errors()) return check;
  config.warnings = check.diagnostics;
  check.config = std::move(config);
  return check;
}

ProjectConfigCheck check_project_config_file(const std::string& path) {
  SourceText source = read_source_file(path);
  if (!source.error.empty()) {
    ProjectConfigCheck check;
    check.diagnostics.push_back({Diagnostic::Severity::Error, path, {}, source.error});
    return check;
  }
  return check_project_config(source.text, path);
}

namespace {

ProjectConfig config_or_throw(ProjectConfigCheck check) {
  if (check.ok()) return std::move(*check.config);
  std::string message;
  for (const Diagnostic& d : check.diagnostics) {
    if (!message.empty()) message += '\n';
    message += d.format();
  }
  throw Error(ErrorKind::Config, message);
}

}  // namespace

std::vector<KeyTable> project_config_key_tables() {
  auto v = [](KeyList list) { return key_names(list); };
  return {{"cleanroom.toml", v(kConfigKeys),
           std::vector<std::string_view>(kUpstreamConfigKeys.begin(), kUpstreamConfigKeys.end()),
           false},
          {"[project]", v(kProjectKeys), {}, false},
          {"[images]", {}, {}, true},
          {"[vars]", {}, {}, true},
          {"[defaults]", v(kDefaultsKeys), {}, false}};
}

ProjectConfig parse_project_config(std::string_view text, const std::string& file) {
  return config_or_throw(check_project_config(text, file));
}

ProjectConfig load_project_config(const std::string& path) {
  return config_or_throw(check_project_config_file(path));
}

std::optional<std::string> find_project_config(const std::string& start_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path dir = fs::absolute(start_dir, ec);
  if (ec) return std::nullopt;
  while (true) {
    fs::path candidate = dir / "cleanroom.toml";
    if (fs::is_regular_file(candidate, ec)) return candidate.string();
    if (!dir.has_parent_path() || dir.parent_path() == dir) return std::nullopt;
    dir = dir.parent_path();
  }
}

std::optional<Diagnostic> apply_project_security_level(const ProjectConfig& config,
                                                       TestSpec& test) {
  if (!config.security_level) return std::nullopt;
  const SecurityLevel floor = *config.security_level;
  const std::optional<SourcePos>& written = test.policy.level_pos;
  if (!written) {
    test.policy.level = floor;
    return std::nullopt;
  }
  if (test.policy.level >= floor) return std::nullopt;
  return Diagnostic{
      Diagnostic::Severity::Error, test.file, *written,
      fmt::format("security_level \"{}\" is below the project's \"{}\" ({}): a test may raise "
                  "its project's security level, never lower it; lower [defaults] "
                  "security_level in cleanroom.toml if this test really needs \"{}\"",
                  to_string(test.policy.level), to_string(floor), config.where("security_level"),
                  to_string(test.policy.level))};
}

}  // namespace clnrm
