#include <clnrm/backend_choice.h>
#include <clnrm/error.h>
#include <clnrm/sandbox.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace clnrm {
namespace {

struct BackendEntry {
  std::string_view name;
  std::shared_ptr<Backend> (*make)(const std::vector<TestSpec>& tests);
};

std::shared_ptr<Backend> make_null(const std::vector<TestSpec>&) { return make_null_backend(); }

std::shared_ptr<Backend> make_sandbox(const std::vector<TestSpec>&) {
  // Say exactly which kernel feature is missing instead of failing per test.
  if (std::optional<std::string> why = probe_sandbox_support())
    throw Error(ErrorKind::NotSupported, *why, "--backend sandbox");
  return make_sandbox_backend();
}

// Add docker / auto here.
constexpr BackendEntry kBackends[] = {
    {"sandbox", &make_sandbox},
    {"null", &make_null},
};

}  // namespace

std::vector<std::string> backend_names() {
  std::vector<std::string> names;
  for (const BackendEntry& e : kBackends) names.emplace_back(e.name);
  return names;
}

std::string_view default_backend_name() { return "sandbox"; }

std::shared_ptr<Backend> make_backend(std::string_view name, const std::vector<TestSpec>& tests) {
  for (const BackendEntry& e : kBackends)
    if (e.name == name) return e.make(tests);
  throw Error(ErrorKind::Usage,
              fmt::format("unknown backend '{}' (choose one of: {})", name, fmt::join(backend_names(), ", ")),
              "--backend");
}

}  // namespace clnrm
