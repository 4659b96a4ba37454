#pragma once
// `--backend NAME` -> a Backend. The one place that knows every backend:
// adding one (docker, auto) means adding a row to the table in
// src/run/backend_choice.cpp.

#include <clnrm/backend.h>
#include <clnrm/spec.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace clnrm {

// Settings only some backends use (docker: --image-map, --reuse).
struct BackendChoiceOptions {
  std::vector<std::string> image_map;  // "FROM=TO" entries
  bool reuse = false;
};

// Names accepted by make_backend, for --help and error messages.
std::vector<std::string> backend_names();
// The default for `clnrm run`.
std::string_view default_backend_name();
// Throws Error(Usage) for an unknown name, Error(NotSupported) when the
// backend cannot work on this machine. `tests` lets `auto` pick by content:
// docker when a test names an image and an engine answers, else sandbox.
std::shared_ptr<Backend> make_backend(std::string_view name, const std::vector<TestSpec>& tests,
                                      const BackendChoiceOptions& options = {});

}  // namespace clnrm
