// libyaml opened with dlopen on first use (src/compose/yaml_library.h says why).
#include "compose/yaml_library.h"

#include <clnrm/error.h>

#include "base/shared_library.h"

namespace clnrm::compose {
namespace {

// The soname of libyaml's ABI 2 (libyaml 0.2.x, Debian's libyaml-0-2).
constexpr const char* kYamlSoname = "libyaml-0.so.2";

}  // namespace

std::string load_yaml_library(const char* soname, YamlLibrary& out) {
  SharedLibrary library(soname);
  YamlLibrary lib;
  library.look_up("yaml_parser_initialize", lib.parser_initialize);
  library.look_up("yaml_parser_delete", lib.parser_delete);
  library.look_up("yaml_parser_set_input_string", lib.set_input_string);
  library.look_up("yaml_parser_parse", lib.parse);
  library.look_up("yaml_event_delete", lib.event_delete);
  if (!library.ok()) return library.problem();
  out = lib;
  return {};
}

std::string yaml_library_error(const std::string& problem) {
  return "cannot load libyaml (" + problem +
         "); clnrm import compose needs it to read YAML: install libyaml (Debian: apt-get install libyaml-0-2)";
}

const YamlLibrary& yaml_library() {
  return load_once<YamlLibrary>(
      kYamlSoname, [](YamlLibrary& lib) { return load_yaml_library(kYamlSoname, lib); }, yaml_library_error);
}

}  // namespace clnrm::compose
