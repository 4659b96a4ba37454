#include <clnrm/backend_choice.h>
#include <clnrm/docker.h>
#include <clnrm/error.h>
#include <clnrm/sandbox.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace clnrm {
namespace {

struct BackendEntry {
  std::string_view name;
  std::shared_ptr<Backend> (*make)(const std::vector<TestSpec>& tests,
                                   const BackendChoiceOptions& options);
};

std::shared_ptr<Backend> make_null(const std::vector<TestSpec>&, const BackendChoiceOptions&) {
  return make_null_backend();
}

DockerOptions docker_options(const BackendChoiceOptions& options) {
  DockerOptions d = docker_options_from_environment();
  for (const std::string& entry : options.image_map) add_image_mapping(d.image_map, entry);
  d.reuse = options.reuse;
  return d;
}

std::shared_ptr<Backend> make_docker(const std::vector<TestSpec>&,
                                     const BackendChoiceOptions& options) {
  return make_docker_backend(docker_options(options));
}

std::shared_ptr<Backend> make_sandbox(const std::vector<TestSpec>&, const BackendChoiceOptions&) {
  // Say exactly which kernel feature is missing instead of failing per test.
  if (std::optional<std::string> why = probe_sandbox_support())
    throw Error(ErrorKind::NotSupported, *why, "--backend sandbox");
  return make_sandbox_backend();
}

std::shared_ptr<Backend> make_auto(const std::vector<TestSpec>& tests,
                                   const BackendChoiceOptions& options) {
  const bool wants_images =
      std::any_of(tests.begin(), tests.end(), [](const TestSpec& t) { return t.uses_images(); });
  if (wants_images && docker_engine_available(docker_options(options)))
    return make_docker(tests, options);
  return make_sandbox(tests, options);
}

// Every backend `--backend` knows; the first row is not the default (see
// default_backend_name).
constexpr BackendEntry kBackends[] = {
    {"sandbox", &make_sandbox},
    {"docker", &make_docker},
    {"auto", &make_auto},
    {"null", &make_null},
};

}  // namespace

std::vector<std::string> backend_names() {
  std::vector<std::string> names;
  for (const BackendEntry& e : kBackends) names.emplace_back(e.name);
  return names;
}

std::string_view default_backend_name() { return "sandbox"; }

std::shared_ptr<Backend> make_backend(std::string_view name, const std::vector<TestSpec>& tests,
                                      const BackendChoiceOptions& options) {
  for (const BackendEntry& e : kBackends)
    if (e.name == name) return e.make(tests, options);
  throw Error(ErrorKind::Usage,
              fmt::format("unknown backend '{}' (choose one of: {})", name,
                          fmt::join(backend_names(), ", ")),
              "--backend");
}

}  // namespace clnrm
