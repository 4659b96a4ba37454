// depends_on -> start order (Kahn's algorithm, stable in declaration order).
#include <clnrm/error.h>
#include <clnrm/runner.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace clnrm {

std::vector<const ServiceSpec*> service_start_order(const TestSpec& spec) {
  const auto& services = spec.services;
  const std::size_t n = services.size();
  auto index_of = [&](const std::string& name) -> std::size_t {
    for (std::size_t i = 0; i < n; ++i)
      if (services[i].name == name) return i;
    return n;
  };
  std::vector<std::size_t> pending(n, 0);  // unmet dependencies
  std::vector<std::vector<std::size_t>> dependents(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (const std::string& dep : services[i].depends_on) {
      const std::size_t d = index_of(dep);
      if (d == n)
        throw Error(ErrorKind::Config, fmt::format("depends_on names unknown service '{}'", dep),
                    fmt::format("{}: service '{}'", spec.file, services[i].name));
      if (d == i)
        throw Error(ErrorKind::Config, "a service cannot depend on itself",
                    fmt::format("{}: service '{}'", spec.file, services[i].name));
      ++pending[i];
      dependents[d].push_back(i);
    }
  }
  std::vector<const ServiceSpec*> order;
  order.reserve(n);
  std::vector<bool> done(n, false);
  // n is small (a handful of services): the quadratic scan keeps declaration order stable.
  while (order.size() < n) {
    bool progressed = false;
    for (std::size_t i = 0; i < n; ++i) {
      if (done[i] || pending[i] != 0) continue;
      done[i] = true;
      order.push_back(&services[i]);
      for (std::size_t j : dependents[i]) --pending[j];
      progressed = true;
      break;
    }
    if (!progressed) {
      std::vector<std::string> cycle;
      for (std::size_t i = 0; i < n; ++i)
        if (!done[i]) cycle.push_back(services[i].name);
      throw Error(
          ErrorKind::Config,
          fmt::format("services depend on each other in a cycle: {}", fmt::join(cycle, ", ")),
          spec.file);
    }
  }
  return order;
}

}  // namespace clnrm
