// One compose service's keys -> a clnrm service (src/compose/translation.h).
// The table of what maps to what is in docs/running-tests.md ("Importing a
// compose file"); every key not translated is noted with its line.
#include <clnrm/duration.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <string_view>

#include "compose/interpolation.h"
#include "compose/shell_words.h"
#include "compose/translation.h"

namespace clnrm::compose {
namespace {

// Why each compose key clnrm has no equivalent for is left out; a key not
// listed gets the generic reason.
std::string why_not(std::string_view key) {
  static const std::pair<std::string_view, std::string_view> kWhy[] = {
      {"networks", "every service of a cleanroom shares one loopback-only network: services reach each other at 127.0.0.1"},
      {"network_mode", "every service of a cleanroom shares one loopback-only network: services reach each other at 127.0.0.1"},
      {"links", "every service of a cleanroom shares one loopback-only network: services reach each other at 127.0.0.1"},
      {"external_links", "every service of a cleanroom shares one loopback-only network"},
      {"extra_hosts", "the cleanroom's network has only its loopback"},
      {"dns", "the cleanroom's network has only its loopback"},
      {"dns_search", "the cleanroom's network has only its loopback"},
      {"hostname", "the cleanroom names its hosts itself"},
      {"domainname", "the cleanroom names its hosts itself"},
      {"container_name", "clnrm names its containers itself (per test, so tests can run in parallel)"},
      {"restart", "a cleanroom's service is started once per test"},
      {"deploy", "limits are per test in clnrm: see [limits]"},
      {"cpus", "limits are per test in clnrm: see [limits]"},
      {"cpu_shares", "limits are per test in clnrm: see [limits]"},
      {"mem_limit", "limits are per test in clnrm: see [limits]"},
      {"memswap_limit", "limits are per test in clnrm: see [limits]"},
      {"pids_limit", "limits are per test in clnrm: see [limits]"},
      {"ulimits", "limits are per test in clnrm: see [limits]"},
      {"secrets", "clnrm does not hand host secrets to a cleanroom"},
      {"configs", "clnrm does not hand host configs to a cleanroom; a bind mount below the test's directory can"},
      {"env_file", "the host file is not read: copy its variables into `environment`"},
      {"extends", "clnrm does not read other compose files"},
      {"profiles", "every imported service is written; choose with --service"},
      {"privileged", "a cleanroom's isolation is its security level ([policy] security_level)"},
      {"cap_add", "a cleanroom's isolation is its security level ([policy] security_level)"},
      {"cap_drop", "a cleanroom's isolation is its security level ([policy] security_level)"},
      {"security_opt", "a cleanroom's isolation is its security level ([policy] security_level)"},
      {"devices", "a cleanroom gets no host devices"},
      {"pid", "each cleanroom has its own PID namespace"},
      {"ipc", "each cleanroom has its own IPC namespace"},
      {"userns_mode", "a cleanroom's isolation is its security level ([policy] security_level)"},
      {"sysctls", "a test file may not set sysctls"},
      {"user", "clnrm services run as their image's User (a service has no user key)"},
      {"tmpfs", "clnrm has no tmpfs mounts; the service's filesystem is fresh in every test"},
      {"labels", "clnrm labels its containers itself"},
      {"logging", "clnrm keeps every service's output itself"},
      {"stop_signal", "clnrm stops a cleanroom's services itself"},
      {"stop_grace_period", "clnrm stops a cleanroom's services itself"},
      {"init", "clnrm runs an init in every service itself"},
      {"platform", "the image is run as the local engine or store has it"},
      {"pull_policy", "clnrm never pulls during a run unless told (docs/images.md)"},
  };
  for (const auto& [k, why] : kWhy)
    if (k == key) return std::string(why);
  return "clnrm has no equivalent";
}

std::string kind_name(const YamlNode& n) {
  if (n.is_mapping()) return "a mapping";
  if (n.is_sequence()) return "a sequence";
  return "a scalar";
}

// Milliseconds as a clnrm duration string.
std::string duration_text(std::chrono::milliseconds d) {
  const auto ms = d.count();
  return ms % 1000 == 0 ? fmt::format("{}s", ms / 1000) : fmt::format("{}ms", ms);
}

class ServiceTranslator {
 public:
  ServiceTranslator(ImportContext& ctx, const std::string& name, TranslatedService& out)
      : ctx_(ctx), name_(name), out_(out) {}

  void run(const YamlNode& service) {
    const YamlNode* command = service.get("command");
    const YamlNode* entrypoint = service.get("entrypoint");
    for (const auto& [k, v] : service.entries) {
      const std::string& key = k->text;
      if (key.starts_with("x-")) continue;  // extension fields hold anchors, not settings
      const int line = k->line;
      if (key == "image") {
        if (auto t = scalar_text(*v, key)) out_.image = *t;
      } else if (key == "build") {
        // Decided below, once `image` is known.
      } else if (key == "command") {
        if (!entrypoint) out_.args = words(*v, key);
      } else if (key == "entrypoint") {
        translate_entrypoint(*v, command, line);
      } else if (key == "environment") {
        environment(*v, line);
      } else if (key == "healthcheck") {
        healthcheck(*v, line);
      } else if (key == "depends_on") {
        depends_on(*v, line);
      } else if (key == "ports" || key == "expose") {
        ports(*v, key, line);
      } else if (key == "volumes") {
        if (v->is_sequence())
          translate_volumes(ctx_, out_, *v, out_.volumes);
        else
          note(line, key, "expected a sequence, found " + kind_name(*v));
      } else if (key == "working_dir") {
        if (auto t = scalar_text(*v, key)) out_.workdir = *t;
      } else {
        note(line, key, why_not(key));
      }
    }
    if (const YamlNode* build = service.get("build")) {
      const int line = key_line(service, "build", build->line);
      if (out_.image.empty()) {
        out_.skipped = true;
        note(line, "build",
             "clnrm runs images and does not build them, and the service has no `image`: the service is not written "
             "(build the image, then name it in `image` or map it with --image-map)");
      } else {
        note(line, "build",
             "clnrm runs images and does not build them: the service runs `image` as it is");
      }
    } else if (out_.image.empty()) {
      out_.skipped = true;
      note(out_.line, "image", "the service has no `image`: the service is not written");
    }
  }

 private:
  static int key_line(const YamlNode& mapping, std::string_view key, int fallback) {
    for (const auto& [k, v] : mapping.entries)
      if (k->text == key) return k->line;
    return fallback;
  }

  void note(int line, const std::string& key, std::string why) { ctx_.note(line, name_, key, std::move(why)); }

  std::optional<std::string> scalar_text(const YamlNode& v, const std::string& key) {
    if (!v.is_scalar()) {
      note(v.line, key, "expected a string, found " + kind_name(v));
      return std::nullopt;
    }
    return ctx_.text(v, name_, key);
  }

  // A command in either form: a list as it is, a string split into words as
  // compose splits it (src/compose/shell_words.h). nullopt when not translated.
  std::optional<std::vector<std::string>> words(const YamlNode& v, const std::string& key) {
    std::vector<std::string> raw;
    std::vector<const YamlNode*> at;
    if (v.is_scalar() && !v.is_null()) {
      std::string problem;
      auto split = split_shell_words(v.text, &problem);
      if (!split) {
        note(v.line, key, "the command " + problem);
        return std::nullopt;
      }
      for (std::string& w : *split) {
        YamlNode word = v;
        word.text = std::move(w);
        auto t = ctx_.text(word, name_, key);
        if (!t) return std::nullopt;
        raw.push_back(*t);
      }
      return raw;
    }
    if (v.is_null()) return raw;
    if (!v.is_sequence()) {
      note(v.line, key, "expected a string or a sequence, found " + kind_name(v));
      return std::nullopt;
    }
    for (const YamlPtr& item : v.items) {
      if (!item->is_scalar()) {
        note(item->line, key, "expected a sequence of strings, found " + kind_name(*item) + " in it");
        return std::nullopt;
      }
      auto t = ctx_.text(*item, name_, key);
      if (!t) return std::nullopt;
      raw.push_back(*t);
    }
    return raw;
  }

  // compose: an entrypoint replaces the image's Entrypoint, and `command`
  // becomes its arguments (the image's Cmd is dropped). clnrm's `args`
  // replace the image's Cmd and keep its Entrypoint, so the exact
  // equivalent exists only for an image without an Entrypoint: args =
  // entrypoint + command, noted.
  void translate_entrypoint(const YamlNode& v, const YamlNode* command, int line) {
    auto entry = words(v, "entrypoint");
    if (!entry) return;
    std::vector<std::string> argv = *entry;
    if (command) {
      auto rest = words(*command, "command");
      if (!rest) return;
      argv.insert(argv.end(), rest->begin(), rest->end());
    }
    if (argv.empty()) {
      note(line, "entrypoint", "an empty entrypoint resets the image's; clnrm always runs the image's Entrypoint");
      if (command) out_.args = argv;
      return;
    }
    out_.args = argv;
    note(line, "entrypoint",
         "clnrm keeps the image's own Entrypoint and replaces only its Cmd: written as args = entrypoint + command, "
         "which runs the same only when the image has no Entrypoint");
  }

  void env_entry(const std::string& key, const YamlNode* value, int line) {
    if (!value || value->is_null()) {
      note(line, "environment",
           fmt::format("'{}' has no value: compose takes it from the host environment, which import does not read "
                       "(give it a value, or `{}: ${{{}:-default}}`)",
                       key, key, key));
      return;
    }
    if (!value->is_scalar()) {
      note(value->line, "environment", fmt::format("'{}' is {}, not a scalar", key, kind_name(*value)));
      return;
    }
    if (auto t = ctx_.text(*value, name_, "environment")) out_.env.emplace_back(key, *t);
  }

  void environment(const YamlNode& v, int line) {
    if (v.is_mapping()) {
      for (const auto& [k, value] : v.entries) env_entry(k->text, value.get(), k->line);
    } else if (v.is_sequence()) {
      for (const YamlPtr& item : v.items) {
        if (!item->is_scalar()) {
          note(item->line, "environment", "expected KEY=VALUE, found " + kind_name(*item));
          continue;
        }
        const std::size_t eq = item->text.find('=');
        if (eq == std::string::npos) {
          env_entry(item->text, nullptr, item->line);
          continue;
        }
        YamlNode value = *item;
        value.text = item->text.substr(eq + 1);
        env_entry(item->text.substr(0, eq), &value, item->line);
      }
    } else if (!v.is_null()) {
      note(line, "environment", "expected a mapping or a sequence, found " + kind_name(v));
    }
  }

  // A compose duration (Go syntax: "1m30s", "500ms"), defaults applied.
  std::optional<std::chrono::milliseconds> duration(const YamlNode& h, std::string_view key,
                                                    std::chrono::milliseconds fallback) {
    const YamlNode* v = h.get(key);
    if (!v) return fallback;
    std::string problem;
    auto text = v->is_scalar() ? with_defaults(v->text, &problem) : std::nullopt;
    if (!text) {
      note(v->line, "healthcheck", fmt::format("{}: {}", key, problem.empty() ? "expected a duration" : problem));
      return std::nullopt;
    }
    const Parsed<Duration> d = parse_duration(*text);
    if (!d) {
      note(v->line, "healthcheck", fmt::format("{} '{}': {}", key, *text, d.error()));
      return std::nullopt;
    }
    return *d;
  }

  // healthcheck -> wait_for.exec, run in the service as compose runs the
  // check; compose gives up after start_period + retries x (interval +
  // timeout), which becomes the wait's timeout.
  void healthcheck(const YamlNode& h, int line) {
    if (!h.is_mapping()) {
      note(line, "healthcheck", "expected a mapping, found " + kind_name(h));
      return;
    }
    if (const YamlNode* d = h.get("disable"); d && d->is_scalar() && (d->text == "true" || d->text == "True")) return;
    const YamlNode* test = h.get("test");
    if (!test) {
      note(line, "healthcheck", "no `test`: the image's own health check is not known to import");
      return;
    }
    std::optional<std::vector<std::string>> argv;
    std::optional<std::string> shell;
    if (test->is_scalar()) {
      shell = ctx_.text(*test, name_, "healthcheck");
      if (!shell) return;
    } else if (test->is_sequence() && !test->items.empty() && test->items[0]->is_scalar()) {
      const std::string form = test->items[0]->text;
      std::vector<std::string> rest;
      for (std::size_t i = 1; i < test->items.size(); ++i) {
        const YamlNode& item = *test->items[i];
        if (!item.is_scalar()) {
          note(item.line, "healthcheck", "test: expected strings, found " + kind_name(item));
          return;
        }
        auto t = ctx_.text(item, name_, "healthcheck");
        if (!t) return;
        rest.push_back(*t);
      }
      if (form == "NONE") return;
      if (form == "CMD" && !rest.empty()) {
        argv = rest;
      } else if (form == "CMD-SHELL" && rest.size() == 1) {
        shell = rest[0];
      } else {
        note(test->line, "healthcheck", fmt::format("test: expected [\"CMD\", ...], [\"CMD-SHELL\", \"...\"] or [\"NONE\"], found '{}'", form));
        return;
      }
    } else {
      note(test->line, "healthcheck", "test: expected a string or a sequence");
      return;
    }
    using std::chrono::milliseconds;
    const auto interval = duration(h, "interval", milliseconds(30000));
    const auto timeout = duration(h, "timeout", milliseconds(30000));
    const auto start = duration(h, "start_period", milliseconds(0));
    if (!interval || !timeout || !start) return;
    long long retries = 3;
    if (const YamlNode* r = h.get("retries")) {
      std::string problem;
      auto text = r->is_scalar() ? with_defaults(r->text, &problem) : std::nullopt;
      try {
        std::size_t used = 0;
        retries = text ? std::stoll(*text, &used) : -1;
        if (text && used != text->size()) retries = -1;
      } catch (const std::exception&) {
        retries = -1;
      }
      if (retries < 1 || retries > 1000) {
        note(r->line, "healthcheck", "retries: expected an integer from 1 to 1000");
        return;
      }
    }
    const milliseconds total = *start + retries * (*interval + *timeout);
    if (total > std::chrono::hours(24 * 30)) {
      note(line, "healthcheck", "start_period + retries x (interval + timeout) is over 30 days, clnrm's longest timeout");
      return;
    }
    out_.wait_exec_argv = argv;
    out_.wait_exec_shell = shell;
    out_.wait_timeout = duration_text(total);
    for (const auto& [k, v] : h.entries) {
      const std::string& key = k->text;
      if (key != "test" && key != "interval" && key != "timeout" && key != "retries" && key != "start_period" &&
          key != "disable")
        note(k->line, "healthcheck", fmt::format("{}: clnrm's wait has no equivalent", key));
    }
  }

  void add_dependency(const std::string& dep, int line) {
    const auto& names = ctx_.service_names;
    if (std::find(names.begin(), names.end(), dep) == names.end()) {
      note(line, "depends_on", fmt::format("'{}' is not a service of this file", dep));
      return;
    }
    if (std::find(out_.depends_on.begin(), out_.depends_on.end(), dep) == out_.depends_on.end())
      out_.depends_on.push_back(dep);
  }

  // clnrm starts a service after the ones it depends on are ready (their
  // wait_for passed), so service_started and service_healthy both hold.
  void depends_on(const YamlNode& v, int line) {
    if (v.is_sequence()) {
      for (const YamlPtr& item : v.items)
        if (item->is_scalar()) add_dependency(item->text, item->line);
      return;
    }
    if (!v.is_mapping()) {
      note(line, "depends_on", "expected a sequence or a mapping, found " + kind_name(v));
      return;
    }
    for (const auto& [k, options] : v.entries) {
      bool take = true;
      if (options->is_mapping()) {
        for (const auto& [ok, ov] : options->entries) {
          if (ok->text == "condition") {
            if (ov->text == "service_completed_successfully") {
              note(ov->line, "depends_on",
                   fmt::format("'{}': condition service_completed_successfully: a clnrm service runs for the whole "
                               "test; make a one-off job a [[steps]] entry",
                               k->text));
              take = false;
            } else if (ov->text != "service_started" && ov->text != "service_healthy") {
              note(ov->line, "depends_on", fmt::format("'{}': unknown condition '{}'", k->text, ov->text));
            }
          } else if (ok->text == "restart" || ok->text == "required") {
            note(ok->line, "depends_on",
                 fmt::format("'{}': {}: a cleanroom's services start once, and every dependency is required",
                             k->text, ok->text));
          } else {
            note(ok->line, "depends_on", fmt::format("'{}': {}: clnrm has no equivalent", k->text, ok->text));
          }
        }
      }
      if (take) add_dependency(k->text, k->line);
    }
  }

  void add_port(long long port, int line, const std::string& key) {
    if (port < 1 || port > 65535) {
      note(line, key, fmt::format("port {} is outside 1..65535", port));
      return;
    }
    if (std::find(out_.ports.begin(), out_.ports.end(), port) == out_.ports.end())
      out_.ports.push_back(static_cast<int>(port));
  }

  // "80", "8080:80", "127.0.0.1:8080:80", "8000-8002:8000-8002", "80/tcp":
  // the container side is what the service listens on in the cleanroom.
  void port_text(const std::string& text, int line, const std::string& key) {
    std::string spec = text;
    if (const auto slash = spec.find('/'); slash != std::string::npos) {
      const std::string protocol = spec.substr(slash + 1);
      spec.resize(slash);
      if (protocol != "tcp") {
        note(line, key, fmt::format("'{}': clnrm's ports are TCP ports", text));
        return;
      }
    }
    const auto colon = spec.rfind(':');
    const std::string container = colon == std::string::npos ? spec : spec.substr(colon + 1);
    const std::string published = colon == std::string::npos ? "" : spec.substr(0, colon);
    long long first = 0;
    long long last = 0;
    try {
      std::size_t used = 0;
      const auto dash = container.find('-');
      first = std::stoll(container.substr(0, dash), &used);
      if (used != container.substr(0, dash).size()) throw std::invalid_argument(container);
      last = first;
      if (dash != std::string::npos) {
        last = std::stoll(container.substr(dash + 1), &used);
        if (used != container.size() - dash - 1) throw std::invalid_argument(container);
      }
    } catch (const std::exception&) {
      note(line, key, fmt::format("'{}' is not a port mapping", text));
      return;
    }
    if (last < first || last - first >= 100) {
      note(line, key, fmt::format("'{}': a range of more than 100 ports (or a reversed one)", text));
      return;
    }
    for (long long p = first; p <= last; ++p) add_port(p, line, key);
    if (!published.empty() && published != container)
      note(line, key,
           fmt::format("'{}': the host side is not published (a cleanroom is loopback-only): steps reach the "
                       "service at 127.0.0.1:{}",
                       text, container));
  }

  void ports(const YamlNode& v, const std::string& key, int line) {
    if (!v.is_sequence()) {
      note(line, key, "expected a sequence, found " + kind_name(v));
      return;
    }
    for (const YamlPtr& item : v.items) {
      if (item->is_scalar()) {
        std::string problem;
        auto text = with_defaults(item->text, &problem);
        if (!text)
          note(item->line, key, problem);
        else
          port_text(*text, item->line, key);
        continue;
      }
      if (!item->is_mapping()) {
        note(item->line, key, "expected a port or a mapping, found " + kind_name(*item));
        continue;
      }
      const YamlNode* target = item->get("target");
      const YamlNode* protocol = item->get("protocol");
      if (!target || !target->is_scalar()) {
        note(item->line, key, "a port mapping without `target`");
        continue;
      }
      std::string text = target->text;
      if (protocol && protocol->is_scalar()) text += "/" + protocol->text;
      const YamlNode* published = item->get("published");
      if (published && published->is_scalar()) text = published->text + ":" + text;
      port_text(text, item->line, key);
    }
  }

  ImportContext& ctx_;
  const std::string& name_;
  TranslatedService& out_;
};

}  // namespace

void translate_service(ImportContext& ctx, const std::string& name, const YamlNode& service, TranslatedService& out) {
  out.name = name;
  ServiceTranslator(ctx, name, out).run(service);
}

}  // namespace clnrm::compose
