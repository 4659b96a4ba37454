// [services.X] / [service.X]: what runs beside the steps in a cleanroom.
#include <clnrm/loopback.h>
#include <clnrm/plugin_requirements.h>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "base/image_file_source.h"
#include "spec/host_paths.h"
#include "spec/key_tables.h"
#include "spec/sections.h"
#include "spec/suggest.h"

namespace clnrm::spec_detail {
namespace {

std::optional<std::uint16_t> read_port(ParseContext& ctx, const toml::node& node,
                                       std::string_view key) {
  auto p = read_int(ctx, node, key, 1, 65535);
  if (!p) return std::nullopt;
  return static_cast<std::uint16_t>(*p);
}

WaitFor read_wait_for(ParseContext& ctx, const toml::node& node) {
  WaitFor w;
  w.pos = pos_of(node);
  const toml::table* t = node.as_table();
  if (!t) {
    ctx.error(pos_of(node),
              fmt::format("'wait_for' must be a table such as {{ port = 6379 }}, not {}",
                          type_name(node)));
    return w;
  }
  check_keys(ctx, *t, KeySchema{"wait_for", kWaitForKeys});
  int kinds = 0;
  if (const toml::node* n = t->get("port")) {
    ++kinds;
    w.kind = WaitFor::Kind::Port;
    if (auto p = read_port(ctx, *n, "wait_for.port")) w.port = *p;
  }
  if (const toml::node* n = t->get("log")) {
    ++kinds;
    w.kind = WaitFor::Kind::Log;
    w.log = read_pattern(ctx, *n, "wait_for.log");
  }
  if (const toml::node* n = t->get("exec")) {
    ++kinds;
    w.kind = WaitFor::Kind::Exec;
    if (auto cmd = read_command(ctx, *n, "wait_for.exec")) w.exec = std::move(*cmd);
  }
  if (const toml::node* n = t->get("http")) {
    ++kinds;
    w.kind = WaitFor::Kind::Http;
    if (n->is_integer()) {
      if (auto p = read_port(ctx, *n, "wait_for.http")) {
        w.port = *p;
        w.http_url = fmt::format("http://127.0.0.1:{}/", *p);
      }
    } else if (auto url = read_string(ctx, *n, "wait_for.http")) {
      // The same parser the probe uses at run time (src/wait/http_probe.cpp),
      // so `validate` accepts exactly what `run` can wait for.
      if (const auto parsed = parse_loopback_http_url(*url); !parsed)
        ctx.error(
            pos_of(*n),
            fmt::format("'wait_for.http' = \"{}\" must be an http:// URL on a loopback address "
                        "(127.0.0.1, localhost or [::1]): services live in the test's cleanroom "
                        "({})",
                        *url, parsed.error()));
      w.http_url = std::move(*url);
    }
  }
  if (kinds == 0)
    ctx.error(pos_of(node), "'wait_for' needs one of: port, log, exec, http");
  else if (kinds > 1)
    ctx.error(pos_of(node),
              "'wait_for' takes only one of: port, log, exec, http (use health_check for more)");
  if (const toml::node* n = t->get("status")) {
    if (auto s = read_int(ctx, *n, "wait_for.status", 100, 599))
      w.http_status = static_cast<int>(*s);
    if (w.kind != WaitFor::Kind::Http)
      ctx.error(pos_of(*n), "'wait_for.status' only applies to an http wait");
  }
  if (const toml::node* n = t->get("occurrences")) {
    if (auto o = read_int(ctx, *n, "wait_for.occurrences", 1, 1'000'000))
      w.log_occurrences = static_cast<int>(*o);
    if (w.kind != WaitFor::Kind::Log)
      ctx.error(pos_of(*n), "'wait_for.occurrences' only applies to a log wait");
  }
  if (const toml::node* n = t->get("timeout"))
    if (auto d = read_duration(ctx, *n, "wait_for.timeout", 1000)) w.timeout = *d;
  if (const toml::node* n = t->get("interval")) {
    if (auto d = read_duration(ctx, *n, "wait_for.interval", 1)) {
      if (d->count() == 0)
        ctx.error(pos_of(*n), "'wait_for.interval' must be greater than 0");
      else
        w.interval = *d;
    }
  }
  return w;
}

std::optional<HealthCheckSpec> read_health_check(ParseContext& ctx, const toml::node& node) {
  const toml::table* t = node.as_table();
  if (!t) {
    ctx.error(pos_of(node), fmt::format("'health_check' must be a table {{ cmd = [...] }}, not {}",
                                        type_name(node)));
    return std::nullopt;
  }
  check_keys(ctx, *t, KeySchema{"health_check", kHealthCheckKeys});
  HealthCheckSpec h;
  h.pos = pos_of(node);
  const toml::node* cmd = t->get("cmd");
  if (!cmd) cmd = t->get("test");  // Docker's spelling
  if (!cmd) {
    ctx.error(pos_of(node),
              "'health_check' needs 'cmd' (the command that exits 0 when the service is healthy)");
  } else if (auto c = read_command(ctx, *cmd, "health_check.cmd")) {
    h.cmd = std::move(*c);
  }
  // Upstream writes interval/timeout as integer seconds.
  if (const toml::node* n = t->get("interval")) {
    if (auto d = read_duration(ctx, *n, "health_check.interval", 1000)) {
      if (d->count() == 0) ctx.error(pos_of(*n), "'health_check.interval' must be greater than 0");
      h.interval = *d;
    }
  }
  if (const toml::node* n = t->get("timeout")) {
    if (auto d = read_duration(ctx, *n, "health_check.timeout", 1000)) {
      if (d->count() == 0) ctx.error(pos_of(*n), "'health_check.timeout' must be greater than 0");
      h.timeout = *d;
    }
  }
  if (const toml::node* n = t->get("retries"))
    if (auto r = read_int(ctx, *n, "health_check.retries", 0, 1000))
      h.retries = static_cast<int>(*r);
  return h;
}

// A volume: `host_path` inside the test file's directory (host_paths.h),
// bound at `container_path`, read-only unless `read_only = false` / ":rw".
std::optional<VolumeSpec> read_volume(ParseContext& ctx, const toml::node& node) {
  VolumeSpec v;
  v.pos = pos_of(node);
  SourcePos host_pos = v.pos;
  SourcePos container_pos = v.pos;
  if (auto s = node.as_string()) {
    // "host:container[:ro|rw]", Docker's short form.
    const std::string& text = s->get();
    const auto first = text.find(':');
    if (first == std::string::npos) {
      ctx.error(pos_of(node),
                fmt::format("volume \"{}\" must be \"host/path:/container/path[:ro|rw]\"", text));
      return std::nullopt;
    }
    v.host_path = text.substr(0, first);
    std::string rest = text.substr(first + 1);
    const auto second = rest.find(':');
    if (second != std::string::npos) {
      const std::string mode = rest.substr(second + 1);
      rest.resize(second);
      if (mode == "rw")
        v.read_only = false;
      else if (mode != "ro") {
        ctx.error(pos_of(node),
                  fmt::format("volume \"{}\": mode must be 'ro' or 'rw', not '{}'", text, mode));
        return std::nullopt;
      }
    }
    v.container_path = std::move(rest);
  } else if (const toml::table* t = node.as_table()) {
    check_keys(ctx, *t, KeySchema{"volumes", kVolumeKeys});
    const toml::node* host = t->get("host_path");
    const toml::node* container = t->get("container_path");
    if (!host || !container) {
      ctx.error(pos_of(node), "a volume needs 'host_path' and 'container_path'");
      return std::nullopt;
    }
    auto h = read_string(ctx, *host, "host_path");
    auto c = read_string(ctx, *container, "container_path");
    if (!h || !c) return std::nullopt;
    host_pos = pos_of(*host);
    container_pos = pos_of(*container);
    v.host_path = std::move(*h);
    v.container_path = std::move(*c);
    if (const toml::node* ro = t->get("read_only"))
      if (auto b = read_bool(ctx, *ro, "read_only")) v.read_only = *b;
  } else {
    ctx.error(pos_of(node),
              fmt::format("a volume must be a table {{ host_path, container_path }} or a "
                          "\"host:container\" string, not {}",
                          type_name(node)));
    return std::nullopt;
  }
  const std::optional<std::string> target = normal_absolute_path(v.container_path);
  if (!target) {
    ctx.error(container_pos, fmt::format("volume container_path \"{}\" must be an absolute path without "
                                         "'.' or '..' components",
                                         v.container_path));
    return std::nullopt;
  }
  if (auto why = why_not_mount_target(*target)) {
    ctx.error(container_pos, fmt::format("volume container_path \"{}\" {}", *target, *why));
    return std::nullopt;
  }
  v.container_path = *target;
  v.host_path = host_path_in_test_dir(ctx, host_pos, v.host_path, {"volume host_path", false, true});
  if (v.host_path.empty()) return std::nullopt;
  return v;
}

bool is_below(std::string_view path, std::string_view dir) {
  return path.size() > dir.size() && path.starts_with(dir) && path[dir.size()] == '/';
}

// One cleanroom, one mount namespace: two mounts at the same place, or one
// inside another (whose mount point would be made inside the first: on the
// host, when that one is a writable volume), cannot both be honoured.
void check_mount_targets(ParseContext& ctx, const TestSpec& spec) {
  const std::vector<VolumeSpec> all = spec.cleanroom_volumes();
  for (std::size_t i = 0; i < all.size(); ++i) {
    for (std::size_t j = 0; j < all.size(); ++j) {
      const VolumeSpec& a = all[i];
      const VolumeSpec& b = all[j];
      const bool same = i < j && a.container_path == b.container_path;
      if (!same && !is_below(b.container_path, a.container_path)) continue;
      const SourcePos at = b.pos.line != 0 ? b.pos : a.pos;
      auto name = [&](const VolumeSpec& v) {
        return spec.test_dir_volume && v == *spec.test_dir_volume ? std::string("mount_test_dir")
                                                                  : "the volume at " + v.container_path;
      };
      ctx.error(at, fmt::format("volume container_path \"{}\" {} {} (the services and steps of a test share "
                                "one cleanroom: every volume is mounted in all of it)",
                                b.container_path, same ? "is also the place of" : "lies inside", name(a)));
    }
  }
}

// A service names a plugin with `plugin` or `type`; one no built-in plugin
// answers to is an error here, in the words `clnrm run` would use
// (plugin_requirements.h): never a warning that then fails the run.
// An `image` naming a file (oci:, oci-archive:, docker-archive:) must name
// one inside the test file's directory, by the host-path rule every path of
// a test file follows: `clnrm validate` says so at the key, before a run
// finds out (the store resolves it again, the same way: src/image/file_sources.cpp).
void check_image_file(ParseContext& ctx, SourcePos at, const std::string& image) {
  const std::optional<image::FileSource> file = image::parse_file_source(image);
  if (!file) return;
  std::string path = file->path;
  while (path.size() > 1 && path.back() == '/') path.pop_back();  // a layout written "dir/"
  if (path.empty()) {
    ctx.error(at, fmt::format("image '{}' names no file after its prefix (e.g. oci:images/app:1, "
                              "docker-archive:app.tar)",
                              image));
    return;
  }
  host_path_in_test_dir(ctx, at, path, {"the image file", false, false});
}

void read_plugin(ParseContext& ctx, const toml::table& t, ServiceSpec& s) {
  // Upstream files carry `plugin`, `type`, or both with one of them a loose
  // hint ("container", "alpine"): prefer the one clnrm implements, else `plugin`.
  const toml::node* plugin = t.get("plugin");
  const toml::node* type = t.get("type");
  std::optional<std::string> plugin_name, type_name_;
  if (plugin) plugin_name = read_string(ctx, *plugin, "plugin");
  if (type) type_name_ = read_string(ctx, *type, "type");
  if (!plugin && !type) {
    s.plugin =
        (s.image.empty() && s.rootfs.empty() && !s.args.empty()) ? "process" : "generic_container";
    return;
  }
  if (plugin_name && is_builtin_plugin(*plugin_name)) {
    s.plugin = *plugin_name;
    return;
  }
  if (type_name_ && is_builtin_plugin(*type_name_)) {
    s.plugin = *type_name_;
    return;
  }
  const toml::node* node = plugin_name ? plugin : type;
  if (!plugin_name && !type_name_) return;  // wrong type already reported
  s.plugin = plugin_name ? *plugin_name : *type_name_;
  if (auto suggestion = closest_match(s.plugin, builtin_plugin_names()))
    ctx.error(pos_of(*node), fmt::format("service '{}': unknown plugin '{}' (did you mean '{}'?)",
                                         s.name, s.plugin, *suggestion));
  else
    ctx.error(pos_of(*node),
              fmt::format("service '{}': {}", s.name, unknown_plugin_message(s.plugin)));
}

void read_service(ParseContext& ctx, const toml::key& key, const toml::node& node,
                  std::string_view section, TestSpec& spec) {
  const std::string where = fmt::format("[{}.{}]", section, key.str());
  const toml::table* t = node.as_table();
  if (!t) {
    ctx.error(pos_of(node), fmt::format("{} must be a table, not {}", where, type_name(node)));
    return;
  }
  check_keys(ctx, *t, KeySchema{where, kServiceKeys, kUpstreamServiceKeys});
  ServiceSpec s;
  s.name = std::string(key.str());
  s.pos = pos_of(key);
  if (s.name.empty()) ctx.error(pos_of(key), "service name must not be empty");
  if (const toml::node* n = t->get("image")) {
    if (auto image = read_string(ctx, *n, "image")) {
      if (image->empty())
        ctx.error(pos_of(*n), fmt::format("'image' of service '{}' must not be empty", s.name));
      check_image_file(ctx, pos_of(*n), *image);
      s.image = std::move(*image);
    }
  }
  if (const toml::node* n = t->get("rootfs"))
    if (auto r = read_string(ctx, *n, "rootfs"))
      s.rootfs = host_path_in_test_dir(ctx, pos_of(*n), *r, {"'rootfs'", true, false});
  const toml::node* args = t->get("args");
  const toml::node* command = t->get("command");
  if (args && command)
    ctx.error(pos_of(*command), "give either 'args' or 'command' for a service, not both");
  if (args) {
    if (auto a = read_string_list(ctx, *args, "args")) s.args = std::move(*a);
  } else if (command) {
    if (auto c = read_command(ctx, *command, "command")) s.args = std::move(*c);
  }
  read_plugin(ctx, *t, s);
  if (const toml::node* n = t->get("env"))
    if (auto env = read_env(ctx, *n, "env")) s.env = std::move(*env);
  if (const toml::node* n = t->get("ports")) {
    if (const toml::array* a = n->as_array()) {
      for (const toml::node& p : *a)
        if (auto port = read_port(ctx, p, "ports")) s.ports.push_back(*port);
    } else {
      ctx.error(pos_of(*n),
                fmt::format("'ports' must be an array of port numbers, not {}", type_name(*n)));
    }
  }
  if (const toml::node* n = t->get("volumes")) {
    if (const toml::array* a = n->as_array()) {
      for (const toml::node& v : *a)
        if (auto volume = read_volume(ctx, v)) s.volumes.push_back(std::move(*volume));
    } else {
      ctx.error(pos_of(*n), fmt::format("'volumes' must be an array, not {}", type_name(*n)));
    }
  }
  if (const toml::node* n = t->get("health_check")) s.health_check = read_health_check(ctx, *n);
  if (const toml::node* n = t->get("wait_for")) {
    s.wait_for = read_wait_for(ctx, *n);
  } else if (s.health_check) {
    // Without an explicit wait, readiness is the health check passing.
    s.wait_for.kind = WaitFor::Kind::HealthCheck;
    s.wait_for.exec = s.health_check->cmd;
    s.wait_for.interval = s.health_check->interval;
    s.wait_for.timeout =
        s.health_check->timeout + s.health_check->interval * (s.health_check->retries + 1);
    s.wait_for.pos = s.health_check->pos;
  } else if (!s.ports.empty()) {
    // Without either, a service that lists `ports` is ready when every one
    // of them accepts a connection on the cleanroom's loopback.
    s.wait_for.kind = WaitFor::Kind::Port;
    s.wait_for.port = 0;
    s.wait_for.pos = pos_of(*t->get("ports"));
  }
  if (const toml::node* n = t->get("reuse"))
    if (auto b = read_bool(ctx, *n, "reuse")) s.reuse = *b;
  if (const toml::node* n = t->get("depends_on"))
    if (auto d = read_string_list(ctx, *n, "depends_on")) s.depends_on = std::move(*d);
  if (const toml::node* n = t->get("workdir"))
    if (auto w = read_string(ctx, *n, "workdir")) s.workdir = std::move(*w);
  if (auto problem = plugin_requirement_problem(s.plugin, s))
    ctx.error(s.pos, fmt::format("service '{}': {}", s.name, *problem));
  if (!s.rootfs.empty() && !s.volumes.empty()) {
    ctx.error(s.volumes.front().pos,
              fmt::format("service '{}' has both 'rootfs' and 'volumes': a rootfs is the service's whole "
                          "view, volumes are mounted in the cleanroom's own root (put the files into the "
                          "rootfs instead)",
                          s.name));
  }

  if (spec.find_service(s.name)) {
    ctx.error(pos_of(key), fmt::format("service '{}' is declared twice", s.name));
    return;
  }
  spec.services.push_back(std::move(s));
}

}  // namespace

void read_services(ParseContext& ctx, const toml::table& root, TestSpec& spec) {
  for (std::string_view section : {"services", "service"}) {
    const toml::node* node = root.get(section);
    if (!node) continue;
    const toml::table* t = node->as_table();
    if (!t) {
      ctx.error(pos_of(*node), fmt::format("'{}' must be a table of services ([{}.NAME]), not {}",
                                           section, section, type_name(*node)));
      continue;
    }
    for (auto&& [key, value] : *t) read_service(ctx, key, value, section, spec);
  }
  // toml++ keeps tables sorted by key; the runner wants declaration order.
  std::stable_sort(
      spec.services.begin(), spec.services.end(), [](const ServiceSpec& a, const ServiceSpec& b) {
        return a.pos.line != b.pos.line ? a.pos.line < b.pos.line : a.pos.column < b.pos.column;
      });
  check_mount_targets(ctx, spec);
}

}  // namespace clnrm::spec_detail
