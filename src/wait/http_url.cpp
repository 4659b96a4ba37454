// The tiny part of URL and HTTP parsing an HTTP readiness probe needs.
#include <clnrm/wait.h>

#include <charconv>

namespace clnrm {

Parsed<HttpTarget> parse_http_url(const std::string& url) {
  auto fail = [](std::string why) { return Parsed<HttpTarget>::failure(std::move(why)); };
  constexpr std::string_view kScheme = "http://";
  if (url.compare(0, kScheme.size(), kScheme) != 0)
    return fail("wait_for http needs an http:// URL to 127.0.0.1 or localhost, got \"" + url +
                "\"");
  std::string_view rest(url);
  rest.remove_prefix(kScheme.size());
  const std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  HttpTarget t;
  t.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  const std::size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    std::string_view port = authority.substr(colon + 1);
    unsigned value = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || p != port.data() + port.size() || value == 0 || value > 65535)
      return fail("invalid port in URL \"" + url + "\"");
    t.port = static_cast<std::uint16_t>(value);
    authority = authority.substr(0, colon);
  }
  t.host = std::string(authority);
  // Readiness probes stay inside the cleanroom (docs/security.md: a cleanroom's network is its own loopback).
  if (t.host != "127.0.0.1" && t.host != "localhost" && t.host.rfind("127.", 0) != 0)
    return fail(
        "wait_for http must target 127.0.0.1 or localhost inside the cleanroom, got host \"" +
        t.host + "\"");
  return t;
}

int parse_http_status(std::string_view response) {
  // "HTTP/1.1 200 OK"; wget -S indents it with spaces.
  const std::size_t at = response.find("HTTP/");
  if (at == std::string_view::npos) return -1;
  std::string_view line = response.substr(at);
  const std::size_t space = line.find(' ');
  if (space == std::string_view::npos || space + 4 > line.size()) return -1;
  int status = 0;
  auto [p, ec] = std::from_chars(line.data() + space + 1, line.data() + space + 4, status);
  if (ec != std::errc() || p != line.data() + space + 4) return -1;
  return status;
}

}  // namespace clnrm
