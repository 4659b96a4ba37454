#pragma once
// `--backend NAME` -> a Backend. The one place that knows every backend:
// adding one (docker, auto) means adding a row to the table in
// src/run/backend_choice.cpp.

#include <clnrm/backend.h>
#include <clnrm/image.h>
#include <clnrm/spec.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace clnrm {

// Settings only some backends use (docker: --image-map, --reuse, --docker-host).
struct BackendChoiceOptions {
  std::vector<std::string> image_map;  // "FROM=TO" entries; later entries win
  bool reuse = false;
  std::string docker_host;  // --docker-host; empty: the resolver's order (DOCKER_HOST, ...)
  // The sandbox's images (docs/images.md, "clnrm run and the network"):
  // when a registry is asked (--pull), and --offline (no network at all).
  PullPolicy image_pull = PullPolicy::Missing;
  bool offline = false;
  // Pods the run will ask for at most (tests × repeats); 0: not known. With
  // one, the sandbox makes no standby pod: nobody would take it.
  std::size_t pods_planned = 0;
  // Docker: containers still to remove when the backend is destroyed are
  // left to a teardown process of their own, so the caller (the CLI, which
  // exits right after) does not wait for the engine (docs/docker-backend.md,
  // "Teardown").
  bool detach_teardown = false;
  // Where the backend's name came from, named in its errors (the CLI: the
  // RunSettings::backend_from, "--backend" or a cleanroom.toml position;
  // docs/ARCHITECTURE.md, "Errors").
  std::string name_as = "backend";
  // Docker's fresh pool (DockerOptions::pool): entries per shape; 0: off.
  int pool = 0;
  Duration pool_ttl{10 * 60 * 1000};
};

// The backend and, for people reading the output, why it was chosen.
struct BackendChoice {
  std::shared_ptr<Backend> backend;
  // "no test names an image", "tests name images and the engine at
  // unix:///var/run/docker.sock (from default socket) answers", "the engine ...
  // cannot be reached: ...". Empty when the name was taken as given.
  std::string reason;
};

// Which backend choose_backend would make, and why, without making it:
// nothing is started (no sandbox probe, no pod, no container). For `auto`
// the engine is asked whether it answers (a ping). `clnrm run --dry-run`.
struct BackendDecision {
  std::string name;    // a name of backend_names() other than "auto"
  std::string reason;  // as BackendChoice::reason
};
// Throws Error(Usage) for an unknown name.
BackendDecision decide_backend(std::string_view name, const std::vector<TestSpec>& tests,
                               const BackendChoiceOptions& options = {});

// Names accepted by make_backend, for --help and error messages.
std::vector<std::string> backend_names();
// The default for `clnrm run`.
std::string_view default_backend_name();
// Throws Error(Usage) for an unknown name, Error(NotSupported) when the
// backend cannot work on this machine. `tests` lets `auto` pick by content:
// docker for the whole run when any test names an image and an engine
// answers, else sandbox (whose tests naming an image then fail, saying so).
BackendChoice choose_backend(std::string_view name, const std::vector<TestSpec>& tests,
                             const BackendChoiceOptions& options = {});
// choose_backend(...).backend.
std::shared_ptr<Backend> make_backend(std::string_view name, const std::vector<TestSpec>& tests,
                                      const BackendChoiceOptions& options = {});

}  // namespace clnrm
