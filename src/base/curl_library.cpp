// libcurl opened with dlopen on first use (src/base/curl_library.h says why).
#include "base/curl_library.h"

#include <clnrm/error.h>
#include <dlfcn.h>

namespace clnrm::http {
namespace {

// The soname of libcurl's ABI 4 (every libcurl since 7.16, 2006).
constexpr const char* kCurlSoname = "libcurl.so.4";

template <class Function>
bool look_up(void* handle, const char* name, Function& slot, std::string& missing) {
  slot = reinterpret_cast<Function>(::dlsym(handle, name));
  if (slot == nullptr && missing.empty()) missing = name;
  return slot != nullptr;
}

struct Loaded {
  CurlLibrary library;
  std::string problem;  // "" when loaded
};

Loaded load_once() {
  Loaded loaded;
  loaded.problem = load_curl_library(kCurlSoname, loaded.library);
  // curl_global_init is not thread-safe: once per process, before any
  // handle, here under the function-local static's once-only guard.
  if (loaded.problem.empty() && loaded.library.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    loaded.problem = "curl_global_init failed";
  return loaded;
}

}  // namespace

std::string load_curl_library(const char* soname, CurlLibrary& out) {
  // RTLD_LOCAL: its symbols serve only these pointers. Never closed: libcurl
  // and the libraries under it keep global state until the process exits.
  void* handle = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* reason = ::dlerror();
    return reason ? reason : std::string(soname) + ": cannot be opened";
  }
  CurlLibrary lib;
  std::string missing;
  look_up(handle, "curl_global_init", lib.global_init, missing);
  look_up(handle, "curl_easy_init", lib.easy_init, missing);
  look_up(handle, "curl_easy_setopt", lib.easy_setopt, missing);
  look_up(handle, "curl_easy_cleanup", lib.easy_cleanup, missing);
  look_up(handle, "curl_easy_perform", lib.easy_perform, missing);
  look_up(handle, "curl_easy_strerror", lib.easy_strerror, missing);
  look_up(handle, "curl_slist_append", lib.slist_append, missing);
  look_up(handle, "curl_slist_free_all", lib.slist_free_all, missing);
  look_up(handle, "curl_url", lib.url, missing);
  look_up(handle, "curl_url_cleanup", lib.url_cleanup, missing);
  look_up(handle, "curl_url_set", lib.url_set, missing);
  look_up(handle, "curl_url_get", lib.url_get, missing);
  look_up(handle, "curl_free", lib.free, missing);
  if (!missing.empty()) {
    ::dlclose(handle);  // nothing of it has run yet
    return std::string(soname) + " has no " + missing + " (libcurl older than 7.62?)";
  }
  out = lib;
  return {};
}

const CurlLibrary& curl_library() {
  static const Loaded loaded = load_once();
  if (!loaded.problem.empty()) {
    throw Error(ErrorKind::NotSupported,
                "cannot load libcurl (" + loaded.problem +
                    "); the Docker backend, its engine check and OTLP export need it: install libcurl "
                    "(Debian: apt-get install libcurl4)",
                kCurlSoname);
  }
  return loaded.library;
}

}  // namespace clnrm::http
