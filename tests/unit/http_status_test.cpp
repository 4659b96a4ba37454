// parse_http_status (include/clnrm/http_status.h): the one reader of an HTTP
// status line, for the libcurl client, the engine's attach upgrade and
// wait_for.http's wget output.
#include <clnrm/http_status.h>
#include <gtest/gtest.h>

namespace clnrm {
namespace {

TEST(HttpStatus, ReadsTheCodeOfTheFirstStatusLine) {
  EXPECT_EQ(*parse_http_status("HTTP/1.1 200 OK\r\n"), 200);
  EXPECT_EQ(*parse_http_status("HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\n\r\n"), 101);
  EXPECT_EQ(*parse_http_status("HTTP/2 204\r\n"), 204);        // no reason phrase
  EXPECT_EQ(*parse_http_status("HTTP/1.0 404"), 404);          // nothing after the code
  EXPECT_EQ(*parse_http_status("  HTTP/1.1 503 Service Unavailable\n"), 503);  // wget -S indents
  EXPECT_EQ(*parse_http_status("Connecting...\n  HTTP/1.1 302 Found\n  HTTP/1.1 200 OK\n"), 302);
}

TEST(HttpStatus, AnythingButThreeDigitsIn100To599IsRefused) {
  EXPECT_EQ(parse_http_status("garbage").error(), "no HTTP status line");
  EXPECT_EQ(parse_http_status("").error(), "no HTTP status line");
  for (const char* line : {"HTTP/1.1 2", "HTTP/1.1 20", "HTTP/1.1 -12 X", "HTTP/1.1 +20 X", "HTTP/1.1 2000 X",
                           "HTTP/1.1 20x OK", "HTTP/1.1", "HTTP/1.1 ", "HTTP/1.1\r\n200 OK", "HTTP/1.1 200OK"})
    EXPECT_EQ(parse_http_status(line).error(), "the HTTP status line has no three-digit status code") << line;
  EXPECT_EQ(parse_http_status("HTTP/1.1 099 X").error(), "the HTTP status code is not in 100..599");
  EXPECT_EQ(parse_http_status("HTTP/1.1 600 X").error(), "the HTTP status code is not in 100..599");
}

}  // namespace
}  // namespace clnrm
