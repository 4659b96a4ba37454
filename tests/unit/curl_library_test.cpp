// libcurl opened at run time (src/base/curl_library.cpp): every function the
// HTTP client calls is found, and a library that cannot be opened is named
// with the loader's reason. Requests through it: tests/unit/http_client_test.cpp.
#include <gtest/gtest.h>

#include "base/curl_library.h"

using namespace clnrm::http;

TEST(CurlLibrary, FindsEveryFunctionTheClientCalls) {
  const CurlLibrary& curl = curl_library();
  EXPECT_NE(curl.global_init, nullptr);
  EXPECT_NE(curl.easy_init, nullptr);
  EXPECT_NE(curl.easy_setopt, nullptr);
  EXPECT_NE(curl.easy_cleanup, nullptr);
  EXPECT_NE(curl.easy_perform, nullptr);
  EXPECT_NE(curl.easy_strerror, nullptr);
  EXPECT_NE(curl.slist_append, nullptr);
  EXPECT_NE(curl.slist_free_all, nullptr);
  EXPECT_NE(curl.url, nullptr);
  EXPECT_NE(curl.url_cleanup, nullptr);
  EXPECT_NE(curl.url_set, nullptr);
  EXPECT_NE(curl.url_get, nullptr);
  EXPECT_NE(curl.free, nullptr);
  // The same table every time: loaded once per process.
  EXPECT_EQ(&curl_library(), &curl);
  EXPECT_STREQ(curl.easy_strerror(CURLE_OK), "No error");
}

TEST(CurlLibrary, AMissingLibraryIsNamedWithTheLoadersReason) {
  CurlLibrary out;
  const std::string problem = load_curl_library("libclnrm-no-such-curl.so.4", out);
  EXPECT_NE(problem.find("libclnrm-no-such-curl.so.4"), std::string::npos) << problem;
  EXPECT_NE(problem.find("No such file"), std::string::npos) << problem;
  EXPECT_EQ(out.easy_init, nullptr);
}

TEST(CurlLibrary, ALibraryWithoutCurlsFunctionsIsRefused) {
  CurlLibrary out;
  // libc is loaded and opens fine, but has no curl_global_init.
  const std::string problem = load_curl_library("libc.so.6", out);
  EXPECT_NE(problem.find("libc.so.6 has no curl_global_init"), std::string::npos) << problem;
  EXPECT_EQ(out.easy_init, nullptr);
}
