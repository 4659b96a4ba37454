#include <clnrm/backend_choice.h>
#include <clnrm/docker.h>
#include <clnrm/error.h>
#include <clnrm/image.h>
#include <clnrm/sandbox.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <unistd.h>

namespace clnrm {
namespace {

struct BackendEntry {
  std::string_view name;
  BackendChoice (*make)(const std::vector<TestSpec>& tests, const BackendChoiceOptions& options);
};

BackendChoice make_null(const std::vector<TestSpec>&, const BackendChoiceOptions&) {
  return {make_null_backend(), ""};
}

// The "FROM=TO" entries in order (later ones win); Error(Usage) naming a bad
// one.
ImageMap image_map_of(const std::vector<std::string>& entries) {
  ImageMap map;
  for (const std::string& entry : entries) {
    const Parsed<ImageMapping> mapping = parse_image_mapping(entry);
    if (!mapping) throw Error(ErrorKind::Usage, mapping.error());
    map[mapping->from] = mapping->to;
  }
  return map;
}

DockerOptions docker_options(const BackendChoiceOptions& options) {
  DockerOptions d = docker_options_from_environment();
  d.image_map = image_map_of(options.image_map);
  d.reuse = options.reuse;
  d.host = options.docker_host;
  if (options.offline) d.pull_missing = false;  // --offline: the engine pulls nothing either
  return d;
}

BackendChoice make_docker(const std::vector<TestSpec>&, const BackendChoiceOptions& options) {
  DockerOptions d = docker_options(options);
  // As on the sandbox: a standby anchor made for the next pod of a one-pod
  // run is never taken; its create + start would compete with the test's
  // own containers for the engine and the CPU.
  if (options.pods_planned == 1) d.standby = false;
  d.detach_teardown = options.detach_teardown;
  d.pool = options.pool;
  d.pool_ttl = std::chrono::duration_cast<std::chrono::seconds>(options.pool_ttl);
  return {make_docker_backend(std::move(d)), ""};
}

// The sandbox's images come from the store (src/image/): a file reference
// inside the test file's directory, the local engine's store, the cache, and
// a registry as --pull allows; --offline never touches the network
// (docs/images.md, "clnrm run and the network").
std::function<ImageRootfs(const std::string&, const std::string&)> image_resolver(
    const BackendChoiceOptions& options, const SandboxOptions& sandbox) {
  ImageOptions images;
  images.image_map = image_map_of(options.image_map);
  images.pull_policy = options.image_pull;
  images.offline = options.offline;
  // A root runner's pods see host uid pod_id_base + N as N: the layers are
  // unpacked in that form (as `clnrm image pull` does).
  if (::geteuid() == 0) images.ownership = {true, sandbox.pod_id_base, kPodIdCount};
  // The engine is looked up when a pod needs an image, not when the backend
  // is made: a run without images pays nothing for it.
  return [images, host = options.docker_host](const std::string& reference, const std::string& base_dir) {
    ImageOptions o = images;
    o.engine = docker_image_engine(host);
    o.base_dir = base_dir;
    return resolve_image(reference, o);
  };
}

BackendChoice make_sandbox(const std::vector<TestSpec>&, const BackendChoiceOptions& options) {
  // Say exactly which kernel feature is missing instead of failing per test.
  // Not for a run of one pod: its one failure says the same (a pod that
  // cannot be cloned runs the probe for its message: sandbox_pod.cpp), and
  // the probe's throw-away namespaces cost ~5 ms of CPU, a fifth of what
  // `clnrm run one.clnrm.toml` spends (issue 17).
  SandboxOptions sandbox;
  if (options.pods_planned != 1)
    if (std::optional<std::string> why = probe_sandbox_support(sandbox).blocker())
      throw Error(ErrorKind::NotSupported, *why, options.name_as + " sandbox");
  // Standby pods are made for pods still to come only (a spare after the
  // last pod would cost a set of namespaces on the CPU the test needs, and
  // be destroyed unused).
  sandbox.pods_planned = options.pods_planned;
  sandbox.resolve_image = image_resolver(options, sandbox);
  return {make_sandbox_backend(sandbox), ""};
}

// Docker when a test names an image and an engine answers; otherwise the
// sandbox, and the reason says why, so a fallback is never silent. The one
// rule of `auto`: make_auto and decide_backend both ask it.
BackendDecision decide_auto(const std::vector<TestSpec>& tests, const BackendChoiceOptions& options) {
  std::vector<std::string> with_images;
  for (const TestSpec& t : tests)
    if (t.uses_images()) with_images.push_back(t.name);
  if (with_images.empty()) return {"sandbox", "auto: no test names an image"};
  const std::string named =
      with_images.size() <= 3 ? fmt::format("{}", fmt::join(with_images, ", "))
                              : fmt::format("{}, ... ({} tests)", fmt::join(with_images.begin(),
                                                                             with_images.begin() + 3,
                                                                             ", "),
                                            with_images.size());
  const std::string problem =
      docker_engine_problem(options.docker_host, std::chrono::milliseconds(500));
  if (problem.empty())
    return {"docker", fmt::format("auto: tests name images ({}) and the engine answers", named)};
  return {"sandbox",
          fmt::format("auto: tests name images ({}) but {}; the sandbox runs them from its image store "
                      "(docs/images.md)",
                      named, problem)};
}

BackendChoice make_auto(const std::vector<TestSpec>& tests, const BackendChoiceOptions& options) {
  const BackendDecision decided = decide_auto(tests, options);
  BackendChoice c = decided.name == "docker" ? make_docker(tests, options)
                                             : make_sandbox(tests, options);
  c.reason = decided.reason;
  return c;
}

// Every backend `--backend` knows; the first row is not the default (see
// default_backend_name).
constexpr BackendEntry kBackends[] = {
    {"sandbox", &make_sandbox},
    {"docker", &make_docker},
    {"auto", &make_auto},
    {"null", &make_null},
};

[[noreturn]] void throw_unknown_backend(std::string_view name, const BackendChoiceOptions& options) {
  throw Error(ErrorKind::Usage,
              fmt::format("unknown backend '{}' (choose one of: {})", name,
                          fmt::join(backend_names(), ", ")),
              options.name_as);
}

}  // namespace

std::vector<std::string> backend_names() {
  std::vector<std::string> names;
  for (const BackendEntry& e : kBackends) names.emplace_back(e.name);
  return names;
}

std::string_view default_backend_name() { return "sandbox"; }

BackendChoice choose_backend(std::string_view name, const std::vector<TestSpec>& tests,
                             const BackendChoiceOptions& options) {
  for (const BackendEntry& e : kBackends)
    if (e.name == name) return e.make(tests, options);
  throw_unknown_backend(name, options);
}

BackendDecision decide_backend(std::string_view name, const std::vector<TestSpec>& tests,
                               const BackendChoiceOptions& options) {
  if (name == "auto") return decide_auto(tests, options);
  for (const BackendEntry& e : kBackends)
    if (e.name == name) return {std::string(name), ""};
  throw_unknown_backend(name, options);
}

std::shared_ptr<Backend> make_backend(std::string_view name, const std::vector<TestSpec>& tests,
                                      const BackendChoiceOptions& options) {
  return choose_backend(name, tests, options).backend;
}

}  // namespace clnrm
