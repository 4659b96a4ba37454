// libyaml opened with dlopen on first use (src/compose/yaml_library.h says why).
#include "compose/yaml_library.h"

#include <clnrm/error.h>
#include <dlfcn.h>

namespace clnrm::compose {
namespace {

// The soname of libyaml's ABI 2 (libyaml 0.2.x, Debian's libyaml-0-2).
constexpr const char* kYamlSoname = "libyaml-0.so.2";

template <class Function>
void look_up(void* handle, const char* name, Function& slot, std::string& missing) {
  slot = reinterpret_cast<Function>(::dlsym(handle, name));
  if (slot == nullptr && missing.empty()) missing = name;
}

struct Loaded {
  YamlLibrary library;
  std::string problem;  // "" when loaded
};

}  // namespace

std::string load_yaml_library(const char* soname, YamlLibrary& out) {
  // RTLD_LOCAL: its symbols serve only these pointers. Never closed.
  void* handle = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* reason = ::dlerror();
    return reason ? reason : std::string(soname) + ": cannot be opened";
  }
  YamlLibrary lib;
  std::string missing;
  look_up(handle, "yaml_parser_initialize", lib.parser_initialize, missing);
  look_up(handle, "yaml_parser_delete", lib.parser_delete, missing);
  look_up(handle, "yaml_parser_set_input_string", lib.set_input_string, missing);
  look_up(handle, "yaml_parser_parse", lib.parse, missing);
  look_up(handle, "yaml_event_delete", lib.event_delete, missing);
  if (!missing.empty()) {
    ::dlclose(handle);  // nothing of it has run yet
    return std::string(soname) + " has no " + missing;
  }
  out = lib;
  return {};
}

std::string yaml_library_error(const std::string& problem) {
  return "cannot load libyaml (" + problem +
         "); clnrm import compose needs it to read YAML: install libyaml (Debian: apt-get install libyaml-0-2)";
}

const YamlLibrary& yaml_library() {
  static const Loaded loaded = [] {
    Loaded l;
    l.problem = load_yaml_library(kYamlSoname, l.library);
    return l;
  }();
  if (!loaded.problem.empty()) throw Error(ErrorKind::NotSupported, yaml_library_error(loaded.problem), kYamlSoname);
  return loaded.library;
}

}  // namespace clnrm::compose
