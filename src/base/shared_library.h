#pragma once
// A library opened with dlopen(3) when a command first needs it, so that
// `clnrm --version`, `validate` and a plain `run` do not load it (libcurl:
// src/base/curl_library.cpp, libarchive: src/image/archive_library.cpp,
// libyaml: src/compose/yaml_library.cpp). Opened RTLD_NOW | RTLD_LOCAL (its
// symbols serve only the caller's pointers) and never closed once a symbol
// of it may have run: such libraries keep global state until exit.

#include <clnrm/error.h>
#include <dlfcn.h>

#include <string>

namespace clnrm {

class SharedLibrary {
 public:
  // Opens `soname`; ok() is false and problem() says why when it cannot.
  explicit SharedLibrary(const char* soname);
  SharedLibrary(const SharedLibrary&) = delete;
  SharedLibrary& operator=(const SharedLibrary&) = delete;
  // Closes the library only when a symbol is missing (nothing of it has run).
  ~SharedLibrary();

  // Sets `slot` to the symbol `name`; the first missing one is remembered.
  template <class Function>
  void look_up(const char* name, Function& slot) {
    slot = handle_ ? reinterpret_cast<Function>(::dlsym(handle_, name)) : nullptr;
    if (slot == nullptr && missing_.empty()) missing_ = name;
  }

  bool opened() const { return handle_ != nullptr; }
  bool ok() const { return handle_ != nullptr && missing_.empty(); }
  // "" when ok(); else dlerror's reason or "<soname> has no <symbol>".
  std::string problem() const;

 private:
  std::string soname_;
  void* handle_ = nullptr;
  std::string open_error_;
  std::string missing_;
};

// A library's function table, loaded once per process: the first call runs
// `load(table)` (it returns "" or why the library cannot be used) under the
// once-only guard of a function-local static, so a not thread-safe global
// init (curl_global_init) belongs there too; every call returns that table,
// or throws Error(NotSupported, explain(problem), soname). Each caller's
// lambdas make their own instantiation, so each library has its own static.
template <class Table, class Load, class Explain>
const Table& load_once(const char* soname, Load load, Explain explain) {
  struct Loaded {
    Table table;
    std::string problem;  // "" when loaded
  };
  static const Loaded loaded = [&] {
    Loaded l;
    l.problem = load(l.table);
    return l;
  }();
  if (!loaded.problem.empty()) throw Error(ErrorKind::NotSupported, explain(loaded.problem), soname);
  return loaded.table;
}

}  // namespace clnrm
