// libcurl opened with dlopen on first use (src/base/curl_library.h says why).
#include "base/curl_library.h"

#include <clnrm/error.h>

#include "base/shared_library.h"

namespace clnrm::http {
namespace {

// The soname of libcurl's ABI 4 (every libcurl since 7.16, 2006).
constexpr const char* kCurlSoname = "libcurl.so.4";

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
  return load_once<CurlLibrary>(
      kCurlSoname,
      [](CurlLibrary& lib) {
        std::string problem = load_curl_library(kCurlSoname, lib);
        // curl_global_init is not thread-safe: once per process, before any
        // handle, under load_once's once-only guard.
        if (problem.empty() && lib.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) problem = "curl_global_init failed";
        return problem;
      },
      [](const std::string& problem) {
        return "cannot load libcurl (" + problem +
               "); the Docker backend, its engine check and OTLP export need it: install libcurl "
               "(Debian: apt-get install libcurl4)";
      });
}

}  // namespace clnrm::http
