// A compose file -> a clnrm test file (include/clnrm/compose.h): the file's
// shape (top-level keys, which services, [vars], the header and the
// placeholder step) and the check that the result parses. The keys of one
// service are src/compose/service_keys.cpp and src/compose/volume_keys.cpp.
#include <clnrm/compose.h>
#include <clnrm/control_characters.h>
#include <clnrm/error.h>
#include <clnrm/parser.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

#include "base/unique_fd.h"
#include "compose/interpolation.h"
#include "compose/toml_text.h"
#include "compose/translation.h"

namespace clnrm {

std::string ComposeNote::format() const {
  const std::string who = service.empty() ? "" : fmt::format("service '{}': ", escape_control_characters(service));
  return fmt::format("{}:{}: {}key '{}' not translated: {}", file, line, who, escape_control_characters(key),
                     escape_control_characters(why));
}

namespace compose {

// The size limit of a compose file (as YamlLimits::max_bytes).
constexpr std::size_t kMaxComposeBytes = 4u << 20;

namespace {

namespace fs = std::filesystem;

// Compose's project name (the `name:` key, else the compose file's
// directory), as a test name: lower case, [a-z0-9_-].
std::string test_name(const YamlNode& root, const std::string& compose_dir) {
  std::string raw = fs::path(compose_dir).filename().string();
  if (const YamlNode* n = root.get("name"); n && n->is_scalar() && !n->text.empty() && n->text.find('$') == std::string::npos)
    raw = n->text;
  std::string name;
  for (const char c : raw) {
    const char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if ((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '_' || l == '-') name += l;
  }
  return name.empty() ? "compose" : name;
}

// The depends_on names of a service as written (list or map form), for --service's closure.
std::vector<std::string> dependency_names(const YamlNode& service) {
  std::vector<std::string> names;
  const YamlNode* d = service.is_mapping() ? service.get("depends_on") : nullptr;
  if (!d) return names;
  if (d->is_sequence())
    for (const YamlPtr& item : d->items) names.push_back(item->text);
  if (d->is_mapping())
    for (const auto& [k, v] : d->entries) names.push_back(k->text);
  return names;
}

std::string why_not_top_level(std::string_view key) {
  if (key == "networks") return "every service of a cleanroom shares one loopback-only network";
  if (key == "volumes") return "clnrm has no named volumes: each service's filesystem is fresh in every test";
  if (key == "secrets" || key == "configs") return "clnrm does not hand host files to a cleanroom this way";
  if (key == "include") return "clnrm does not read other compose files";
  return "clnrm has no equivalent";
}

std::string render(const ImportContext& ctx, const std::string& name, const std::vector<TranslatedService>& services) {
  std::string out;
  out += fmt::format("# Imported from {} by `clnrm import compose`.\n",
                     escape_control_characters(ctx.options.file));
  out += "# In a cleanroom the services share one loopback-only network: they reach each\n"
         "# other at 127.0.0.1, not by their compose names. Replace the placeholder step\n"
         "# with the test's own checks.\n";
  if (!ctx.notes.empty()) {
    out += "#\n# Not translated:\n";
    for (const ComposeNote& n : ctx.notes) out += "#   " + n.format() + "\n";
  }
  out += fmt::format("\n[test.metadata]\nname = {}\ndescription = {}\n", toml_string(name),
                     toml_string("services imported from " + ctx.options.file));
  if (!ctx.vars.empty()) {
    out += "\n# Defaults of the compose file's ${VARIABLES}; override with clnrm run --var NAME=VALUE.\n[vars]\n";
    for (const auto& [var, value] : ctx.vars) out += fmt::format("{} = {}\n", toml_key(var), toml_string(value));
  }
  for (const TranslatedService& s : services) {
    const std::string table = "services." + toml_key(s.name);
    out += fmt::format("\n[{}]\nimage = {}\n", table, toml_string(s.image));
    if (s.args) out += fmt::format("args = {}\n", toml_string_array(*s.args));
    if (!s.workdir.empty()) out += fmt::format("workdir = {}\n", toml_string(s.workdir));
    if (!s.ports.empty()) {
      std::vector<std::string> ports;
      for (int p : s.ports) ports.push_back(std::to_string(p));
      out += fmt::format("ports = [{}]\n", fmt::join(ports, ", "));
    }
    if (!s.depends_on.empty()) out += fmt::format("depends_on = {}\n", toml_string_array(s.depends_on));
    if (s.wait_exec_argv)
      out += fmt::format("wait_for = {{ exec = {}, timeout = {} }}\n", toml_string_array(*s.wait_exec_argv),
                         toml_string(s.wait_timeout));
    else if (s.wait_exec_shell)
      out += fmt::format("wait_for = {{ exec = {}, timeout = {} }}\n", toml_string(*s.wait_exec_shell),
                         toml_string(s.wait_timeout));
    if (!s.env.empty()) {
      out += fmt::format("\n[{}.env]\n", table);
      for (const auto& [k, v] : s.env) out += fmt::format("{} = {}\n", toml_key(k), toml_string(v));
    }
    for (const TranslatedVolume& v : s.volumes)
      out += fmt::format("\n[[{}.volumes]]\nhost_path = {}\ncontainer_path = {}\nread_only = {}\n", table,
                         toml_string(v.host_path), toml_string(v.container_path), v.read_only ? "true" : "false");
  }
  out += "\n# A placeholder: clnrm runs a test's steps once its services are ready.\n"
         "[[steps]]\nname = \"services_up\"\ncommand = [\"true\"]\n";
  return out;
}

std::string canonical_dir(const fs::path& file) {
  std::error_code ec;
  fs::path dir = fs::absolute(file, ec).parent_path();
  const fs::path c = fs::weakly_canonical(dir, ec);
  return ec ? dir.lexically_normal().string() : c.string();
}

}  // namespace

std::optional<std::string> ImportContext::text(const YamlNode& value, const std::string& service,
                                               const std::string& key) {
  Interpolated i = interpolate(value.text);
  if (!i.problem.empty()) {
    note(value.line, service, key, i.problem);
    return std::nullopt;
  }
  for (const VariableUse& use : i.uses) {
    if (!use.default_value) {
      bare_uses.push_back({value.line, service, key, use.name});
      continue;
    }
    const auto [it, inserted] = defaults.emplace(use.name, *use.default_value);
    if (!inserted && it->second != *use.default_value)
      note(value.line, service, key,
           fmt::format("${{{}}} has the default '{}' here and '{}' earlier; [vars] keeps the first", use.name,
                       *use.default_value, it->second));
  }
  return i.text;
}

}  // namespace compose

ComposeImport import_compose(std::string_view yaml, const ComposeImportOptions& options) {
  using namespace compose;
  const YamlPtr root = parse_yaml(yaml, options.file);
  if (!root->is_mapping())
    throw Error(ErrorKind::Config, "not a compose file: the top level is not a mapping",
                fmt::format("{}:{}:{}", options.file, root->line, root->column));
  const YamlNode* services = root->get("services");
  if (!services || !services->is_mapping() || services->entries.empty())
    throw Error(ErrorKind::Config, "not a compose file: no `services` mapping with a service in it", options.file);

  ImportContext ctx(options);
  ctx.compose_dir = canonical_dir(options.file);
  if (options.output_path.empty()) {
    std::error_code ec;
    ctx.test_path = (fs::current_path(ec) / "compose.clnrm.toml").string();
  } else {
    std::error_code ec;
    const fs::path out = fs::absolute(options.output_path, ec);
    const fs::path dir = fs::canonical(out.parent_path(), ec);
    if (ec)
      throw Error(ErrorKind::Io, fmt::format("the output's directory cannot be resolved: {}", ec.message()),
                  options.output_path);
    ctx.test_path = (dir / out.filename()).string();
  }

  for (const auto& [k, v] : root->entries) {
    const std::string& key = k->text;
    if (key == "services" || key == "name" || key == "version" || key.starts_with("x-")) continue;
    ctx.note(k->line, "", key, why_not_top_level(key));
  }
  for (const auto& [k, v] : services->entries) ctx.service_names.push_back(k->text);

  // --service: those and what they depend on, as `docker compose up NAME` starts them.
  std::set<std::string> wanted;
  if (options.services.empty()) {
    wanted.insert(ctx.service_names.begin(), ctx.service_names.end());
  } else {
    std::vector<std::string> todo;
    for (const std::string& s : options.services) {
      if (std::find(ctx.service_names.begin(), ctx.service_names.end(), s) == ctx.service_names.end())
        throw Error(ErrorKind::Usage,
                    fmt::format("no service '{}' in {} (it has: {})", escape_control_characters(s), options.file,
                                escape_control_characters(fmt::format("{}", fmt::join(ctx.service_names, ", ")))),
                    "--service");
      todo.push_back(s);
    }
    while (!todo.empty()) {
      const std::string s = todo.back();
      todo.pop_back();
      if (!wanted.insert(s).second) continue;
      if (const YamlNode* node = services->get(s))
        for (std::string& dep : dependency_names(*node)) todo.push_back(std::move(dep));
    }
  }

  std::vector<TranslatedService> translated;
  for (const auto& [k, v] : services->entries) {
    if (!wanted.count(k->text)) continue;
    TranslatedService t;
    t.name = k->text;
    t.line = k->line;
    if (!v->is_mapping()) {
      ctx.note(k->line, k->text, "services", "the service is not a mapping: the service is not written");
      continue;
    }
    translate_service(ctx, k->text, *v, t);
    if (!t.skipped) translated.push_back(std::move(t));
  }
  if (translated.empty())
    throw Error(ErrorKind::Config, "no service could be translated (each is listed above)", options.file);
  for (TranslatedService& t : translated) {
    std::vector<std::string> kept;
    for (const std::string& dep : t.depends_on) {
      const bool written = std::any_of(translated.begin(), translated.end(),
                                       [&](const TranslatedService& o) { return o.name == dep; });
      if (written)
        kept.push_back(dep);
      else
        ctx.note(t.line, t.name, "depends_on", fmt::format("'{}' is not written, so neither is the dependency", dep));
    }
    t.depends_on = std::move(kept);
  }
  for (const auto& use : ctx.bare_uses) {
    if (ctx.defaults.count(use.name)) continue;
    ctx.note(use.line, use.service, use.key,
             fmt::format("${{{}}} has no default, and import does not read the host environment: written as "
                         "{{{{ vars.{} }}}} with [vars] {} = \"\" (set it with clnrm run --var {}=VALUE)",
                         use.name, use.name, use.name, use.name));
  }
  ctx.vars = ctx.defaults;
  for (const auto& use : ctx.bare_uses) ctx.vars.emplace(use.name, "");
  std::stable_sort(ctx.notes.begin(), ctx.notes.end(),
                   [](const ComposeNote& a, const ComposeNote& b) { return a.line < b.line; });

  ComposeImport result;
  result.toml = render(ctx, test_name(*root, ctx.compose_dir), translated);
  for (const TranslatedService& t : translated) result.services.push_back(t.name);
  result.not_translated = ctx.notes;

  // The promise: what is written passes `clnrm validate` as it is.
  const ParseResult check = parse_test_text(result.toml, ctx.test_path);
  std::string problems;
  for (const Diagnostic& d : check.diagnostics)
    if (d.severity == Diagnostic::Severity::Error) problems += "\n  " + d.message;
  if (!problems.empty())
    throw Error(ErrorKind::Config, "the translation is not a valid test file:" + problems, options.file);
  return result;
}

ComposeImport import_compose_file(const ComposeImportOptions& options) {
  UniqueFd fd(::open(options.file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) throw_errno("cannot read " + options.file);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw_errno("cannot read " + options.file);
  if (!S_ISREG(st.st_mode)) throw Error(ErrorKind::Config, "cannot read file: not a regular file", options.file);
  if (static_cast<std::size_t>(st.st_size) > compose::kMaxComposeBytes)
    throw Error(ErrorKind::Config,
                fmt::format("the file has {} bytes; the limit for a compose file is {} bytes", st.st_size,
                            compose::kMaxComposeBytes),
                options.file);
  std::string text;
  char buf[65536];
  while (true) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("cannot read " + options.file);
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > compose::kMaxComposeBytes)
      throw Error(ErrorKind::Config, fmt::format("the file grew past the {}-byte limit while read", compose::kMaxComposeBytes),
                  options.file);
  }
  return import_compose(text, options);
}

}  // namespace clnrm
