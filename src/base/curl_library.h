#pragma once
// libcurl, loaded when the first HTTP request or URL needs it, not when clnrm
// starts. libcurl.so.4 brings ~30 shared libraries (TLS, Kerberos, LDAP,
// SSH, IDN, ...) whose symbol relocations were 80 % of the instructions of
// `clnrm --version`; only the Docker backend, the engine health check and
// OTLP export speak HTTP (src/base/http_client.cpp, the one user of this
// table). The headers are still curl's own: the types and constants are
// compiled in, only the functions are looked up.

#include <curl/curl.h>

#include <string>

namespace clnrm::http {

// The libcurl functions src/base/http_client.cpp calls, typed from curl.h.
struct CurlLibrary {
  decltype(&::curl_global_init) global_init = nullptr;
  decltype(&::curl_easy_init) easy_init = nullptr;
  decltype(&::curl_easy_setopt) easy_setopt = nullptr;
  decltype(&::curl_easy_cleanup) easy_cleanup = nullptr;
  decltype(&::curl_easy_perform) easy_perform = nullptr;
  decltype(&::curl_easy_strerror) easy_strerror = nullptr;
  decltype(&::curl_slist_append) slist_append = nullptr;
  decltype(&::curl_slist_free_all) slist_free_all = nullptr;
  decltype(&::curl_url) url = nullptr;
  decltype(&::curl_url_cleanup) url_cleanup = nullptr;
  decltype(&::curl_url_set) url_set = nullptr;
  decltype(&::curl_url_get) url_get = nullptr;
  decltype(&::curl_free) free = nullptr;

  // curl_easy_setopt is variadic: one typed entry per kind of value, so a
  // value of the wrong type does not compile (curl.h's own check works on
  // the macro, which a function pointer bypasses).
  CURLcode set(CURL* h, CURLoption option, long value) const { return easy_setopt(h, option, value); }
  CURLcode set(CURL* h, CURLoption option, const char* value) const { return easy_setopt(h, option, value); }
  CURLcode set(CURL* h, CURLoption option, void* value) const { return easy_setopt(h, option, value); }
  CURLcode set(CURL* h, CURLoption option, curl_slist* value) const { return easy_setopt(h, option, value); }
  CURLcode set(CURL* h, CURLoption option, curl_write_callback value) const {
    return easy_setopt(h, option, value);
  }
  CURLcode set(CURL* h, CURLoption option, curl_xferinfo_callback value) const {
    return easy_setopt(h, option, value);
  }
  CURLcode set(CURL* h, CURLoption option, curl_opensocket_callback value) const {
    return easy_setopt(h, option, value);
  }
  CURLcode set(CURL* h, CURLoption option, curl_sockopt_callback value) const {
    return easy_setopt(h, option, value);
  }
  // The *_LARGE options take a curl_off_t (not always a long).
  CURLcode set_large(CURL* h, CURLoption option, curl_off_t value) const {
    return easy_setopt(h, option, value);
  }
};

// The process's libcurl ("libcurl.so.4"), opened and curl_global_init'ed once
// (thread-safe) on the first call. Throws Error(NotSupported) naming the
// library, the loader's reason and what needs it when it cannot be loaded.
const CurlLibrary& curl_library();

// Opens `soname` and looks up every function of CurlLibrary, without
// curl_global_init. Returns "" and fills `out`, or the reason it could not
// (the loader's message, or the missing function). curl_library() uses it;
// it is separate so a test can name a library that does not exist.
std::string load_curl_library(const char* soname, CurlLibrary& out);

}  // namespace clnrm::http
