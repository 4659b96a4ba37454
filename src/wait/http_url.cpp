// The tiny part of HTTP parsing an HTTP readiness probe needs (the URL is
// parsed by parse_loopback_http_url, include/clnrm/loopback.h).
#include <clnrm/wait.h>

#include <charconv>

namespace clnrm {

Parsed<int> parse_http_status(std::string_view response) {
  // "HTTP/1.1 200 OK"; wget -S indents it with spaces.
  const std::size_t at = response.find("HTTP/");
  if (at == std::string_view::npos) return Parsed<int>::failure("no HTTP status line");
  std::string_view line = response.substr(at);
  const std::size_t space = line.find(' ');
  if (space == std::string_view::npos || space + 4 > line.size())
    return Parsed<int>::failure("the HTTP status line has no three-digit status code");
  int status = 0;
  auto [p, ec] = std::from_chars(line.data() + space + 1, line.data() + space + 4, status);
  if (ec != std::errc() || p != line.data() + space + 4)
    return Parsed<int>::failure("the HTTP status line has no three-digit status code");
  return status;
}

}  // namespace clnrm
