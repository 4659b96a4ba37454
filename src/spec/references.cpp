// Checks that need the whole file: service dependencies and "has something to run".
#include <fmt/format.h>

#include <functional>

#include "spec/sections.h"

namespace clnrm::spec_detail {
namespace {

const toml::node* depends_on_node(const toml::table& root, const ServiceSpec& s) {
  for (std::string_view section : {"services", "service"}) {
    const toml::node* n = root.at_path(section).node();
    if (!n || !n->is_table()) continue;
    const toml::node* svc = n->as_table()->get(s.name);
    if (svc && svc->is_table() && svc->source().begin.line != 0) {
      if (const toml::node* d = svc->as_table()->get("depends_on")) return d;
    }
  }
  return nullptr;
}

}  // namespace

void check_references(ParseContext& ctx, const toml::table& root, const TestSpec& spec) {
  bool deps_ok = true;
  for (const ServiceSpec& s : spec.services) {
    for (const std::string& dep : s.depends_on) {
      const toml::node* at = depends_on_node(root, s);
      if (dep == s.name) {
        ctx.error(at ? pos_of(*at) : s.pos, fmt::format("service '{}' depends on itself", s.name));
        deps_ok = false;
      } else if (!spec.find_service(dep)) {
        if (at) check_service_exists(ctx, *at, dep, spec);
        deps_ok = false;
      }
    }
  }
  if (deps_ok) {
    // Depth-first search; a back edge is a cycle, reported once with its path.
    enum class Mark { New, Active, Done };
    std::map<std::string_view, Mark> marks;
    std::vector<std::string_view> path;
    bool reported = false;
    std::function<void(const ServiceSpec&)> visit = [&](const ServiceSpec& s) {
      marks[s.name] = Mark::Active;
      path.push_back(s.name);
      for (const std::string& dep : s.depends_on) {
        if (reported) break;
        Mark m = marks[dep];
        if (m == Mark::Active) {
          auto from = std::find(path.begin(), path.end(), std::string_view(dep));
          std::vector<std::string_view> cycle(from, path.end());
          cycle.push_back(dep);
          const toml::node* at = depends_on_node(root, s);
          ctx.error(at ? pos_of(*at) : s.pos,
                    fmt::format("depends_on cycle: {}", fmt::join(cycle, " -> ")));
          reported = true;
        } else if (m == Mark::New) {
          visit(*spec.find_service(dep));
        }
      }
      path.pop_back();
      marks[s.name] = Mark::Done;
    };
    for (const ServiceSpec& s : spec.services)
      if (!reported && marks[s.name] == Mark::New) visit(s);
  }
  if (spec.steps.empty() && spec.scenarios.empty() && !root.get("steps") && !root.get("scenario"))
    ctx.error(SourcePos{1, 1},
              "the test has nothing to run: add at least one [[steps]] (or [[scenario]])");
}

}  // namespace clnrm::spec_detail
