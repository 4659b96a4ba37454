// libcurl opened with dlopen on first use (src/base/curl_library.h says why).
#include "base/curl_library.h"

#include <clnrm/error.h>

#include "base/shared_library.h"

namespace clnrm::http {
namespace {

// The soname of libcurl's ABI 4 (every libcurl since 7.16, 2006).
constexpr const char* kCurlSoname = "libcurl.so.4";

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
  SharedLibrary library(soname);
  CurlLibrary lib;
  library.look_up("curl_global_init", lib.global_init);
  library.look_up("curl_easy_init", lib.easy_init);
  library.look_up("curl_easy_setopt", lib.easy_setopt);
  library.look_up("curl_easy_cleanup", lib.easy_cleanup);
  library.look_up("curl_easy_perform", lib.easy_perform);
  library.look_up("curl_easy_strerror", lib.easy_strerror);
  library.look_up("curl_slist_append", lib.slist_append);
  library.look_up("curl_slist_free_all", lib.slist_free_all);
  library.look_up("curl_url", lib.url);
  library.look_up("curl_url_cleanup", lib.url_cleanup);
  library.look_up("curl_url_set", lib.url_set);
  library.look_up("curl_url_get", lib.url_get);
  library.look_up("curl_free", lib.free);
  if (!library.ok()) return library.problem() + (library.opened() ? " (libcurl older than 7.62?)" : "");
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
