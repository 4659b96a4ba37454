// cleanroom.toml loader. Shares the test-file readers so both files report
// problems the same way (file:line:col, "did you mean").
#include <clnrm/error.h>
#include <clnrm/project_config.h>
#include <fmt/format.h>

#include <filesystem>

#include "parse_context.h"
#include "source_file.h"
#include "toml_limits.h"

namespace clnrm {
namespace {

using namespace spec_detail;

const toml::table* table_of(ParseContext& ctx, const toml::table& root, std::string_view name) {
  const toml::node* n = root.get(name);
  if (!n) return nullptr;
  if (!n->is_table())
    ctx.error(pos_of(*n),
              fmt::format("'{}' must be a table ([{}]), not {}", name, name, type_name(*n)));
  return n->as_table();
}

void read_config(ParseContext& ctx, const toml::table& root, ProjectConfig& config) {
  check_keys(ctx, root,
             KeySchema{"cleanroom.toml",
                       {"project", "images", "defaults"},
                       {"cli", "containers", "services", "observability", "plugins", "performance",
                        "test_execution", "reporting", "security"}});
  if (const toml::table* p = table_of(ctx, root, "project")) {
    check_keys(ctx, *p, KeySchema{"[project]", {"name", "version", "description"}});
    if (const toml::node* n = p->get("name"))
      if (auto s = read_string(ctx, *n, "name")) config.name = std::move(*s);
    if (const toml::node* n = p->get("version")) read_string(ctx, *n, "version");
    if (const toml::node* n = p->get("description")) read_string(ctx, *n, "description");
  }
  if (const toml::table* images = table_of(ctx, root, "images")) {
    for (auto&& [key, value] : *images) {
      auto target = read_string(ctx, value, fmt::format("images.\"{}\"", key.str()));
      if (!target) continue;
      if (target->empty() || key.str().empty())
        ctx.error(pos_of(value), fmt::format("image mapping \"{}\" = \"{}\" needs both names",
                                             key.str(), *target));
      else
        config.images.emplace(std::string(key.str()), std::move(*target));
    }
  }
  if (const toml::table* d = table_of(ctx, root, "defaults")) {
    check_keys(ctx, *d, KeySchema{"[defaults]", {"backend", "jobs", "security_level", "timeout"}});
    if (const toml::node* n = d->get("backend")) {
      if (auto b = read_string(ctx, *n, "backend")) {
        if (*b == "auto" || *b == "sandbox" || *b == "docker")
          config.backend = std::move(*b);
        else
          ctx.error(pos_of(*n),
                    fmt::format("unknown backend \"{}\" (use auto, sandbox or docker)", *b));
      }
    }
    if (const toml::node* n = d->get("jobs"))
      if (auto j = read_int(ctx, *n, "jobs", 1, 1024)) config.jobs = static_cast<unsigned>(*j);
    if (const toml::node* n = d->get("security_level")) {
      if (auto s = read_string(ctx, *n, "security_level")) {
        config.security_level = parse_security_level(*s);
        if (!config.security_level)
          ctx.error(pos_of(*n),
                    fmt::format("unknown security_level \"{}\" (use low, medium or high)", *s));
      }
    }
    if (const toml::node* n = d->get("timeout"))
      config.timeout = read_duration(ctx, *n, "timeout", 1000);
  }
}

}  // namespace

ProjectConfig parse_project_config(std::string_view text, const std::string& file) {
  ProjectConfig config;
  config.file = file;
  std::vector<Diagnostic> diagnostics;
  ParseContext ctx(file, diagnostics);
  if (std::optional<toml::table> root = parse_bounded_toml(ctx, text, file))
    read_config(ctx, *root, config);
  if (ctx.has_errors()) {
    std::string message;
    for (const Diagnostic& d : diagnostics) {
      if (!message.empty()) message += '\n';
      message += d.format();
    }
    throw Error(ErrorKind::Config, message);
  }
  config.warnings = std::move(diagnostics);
  return config;
}

ProjectConfig load_project_config(const std::string& path) {
  SourceText source = read_source_file(path);
  if (!source.error.empty()) throw Error(ErrorKind::Config, source.error, path);
  return parse_project_config(source.text, path);
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

}  // namespace clnrm
