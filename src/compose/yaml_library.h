#pragma once
// libyaml, loaded when the first compose file is read (`clnrm import
// compose`), not when clnrm starts: every other command would otherwise pay
// the dynamic loader for a library it never calls (issue 17;
// tests/e2e/startup_libraries_test.cpp). The types and constants come from
// libyaml's own header; only the five functions of its event parser are
// looked up, as src/image/archive_library.h does for libarchive.

#include <yaml.h>

#include <string>

namespace clnrm::compose {

struct YamlLibrary {
  decltype(&::yaml_parser_initialize) parser_initialize = nullptr;
  decltype(&::yaml_parser_delete) parser_delete = nullptr;
  decltype(&::yaml_parser_set_input_string) set_input_string = nullptr;
  decltype(&::yaml_parser_parse) parse = nullptr;
  decltype(&::yaml_event_delete) event_delete = nullptr;
};

// The process's libyaml ("libyaml-0.so.2"), opened once (thread-safe) on the
// first call. Throws Error(NotSupported) naming the library, the loader's
// reason and the Debian package when it cannot be loaded.
const YamlLibrary& yaml_library();

// Opens `soname` and looks up every function. Returns "" and fills `out`, or
// the reason it could not. Separate so a test can name a missing library.
std::string load_yaml_library(const char* soname, YamlLibrary& out);

// The yaml_library() error for `problem` (what load_yaml_library returned).
std::string yaml_library_error(const std::string& problem);

}  // namespace clnrm::compose
