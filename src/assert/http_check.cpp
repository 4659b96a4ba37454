// expect_http: one request to the pod's loopback, from the runner, over a
// socket the backend connects inside the pod's network (Pod::connect_tcp:
// the sandbox enters the pod's network namespace, docker the anchor
// container's), sent by the one HTTP client (src/base/http_client.h). The
// parser lets a test file name only localhost or a 127.0.0.0/8 address, and
// the socket goes to that address inside the pod: nothing else is reachable.
#include <clnrm/assertions.h>
#include <clnrm/error.h>
#include <clnrm/control_characters.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/http_client.h"

namespace clnrm {
namespace {

constexpr std::size_t kMaxBody = 16u << 20;

std::string begins(std::string_view body) {
  const bool cut = body.size() > 80;
  return fmt::format("\"{}\"{}", escape_control_characters(body.substr(0, 80)), cut ? "..." : "");
}

}  // namespace

std::optional<std::string> http_mismatch(const HttpCheck& check, Pod& pod,
                                         const CancelToken* cancel,
                                         std::optional<std::chrono::milliseconds> limit) {
  bool unreachable_backend = false;
  http::Request request;
  request.method = check.method;
  request.url = check.url;
  if (check.body) request.body = *check.body;
  request.headers = check.request_headers;
  request.connect_timeout = std::chrono::milliseconds(5000);
  request.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
      check.timeout.value_or(std::chrono::seconds(10)));
  if (limit && *limit < request.timeout) request.timeout = *limit;
  if (limit && *limit < request.connect_timeout) request.connect_timeout = *limit;
  request.max_body = kMaxBody;
  request.open_socket = [&]() -> int {
    const std::optional<int> fd = pod.connect_tcp(check.address, check.port);
    if (!fd) {
      unreachable_backend = true;
      return -1;
    }
    return *fd;
  };
  http::Response response;
  try {
    response = http::send(request, nullptr, cancel);
  } catch (const Error& e) {
    if (unreachable_backend)
      return fmt::format("{} {}: this backend cannot reach the pod's network from the runner",
                         check.method, check.url);
    return fmt::format("{} {}: no response ({}; nothing listening on {}:{} in the cleanroom?)", check.method,
                       check.url, e.what(), check.address.to_string(), check.port);
  }
  if (response.outcome != http::Response::Outcome::Complete)
    return fmt::format("{} {}: the response did not complete ({})", check.method, check.url,
                       response.error.empty() ? "cancelled" : response.error);

  std::vector<std::string> claims;
  if (response.status != check.status)
    claims.push_back(fmt::format("status: expected {}, got {}", check.status, response.status));
  for (const auto& [name, pattern] : check.headers) {
    const auto it = response.headers.find([&] {
      std::string lower(name);
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return lower;
    }());
    if (it == response.headers.end())
      claims.push_back(fmt::format("header {}: expected /{}/, the response has no such header",
                                   name, pattern.source));
    else if (!pattern.search(it->second))
      claims.push_back(fmt::format("header {}: expected /{}/, got \"{}\"", name, pattern.source,
                                   escape_control_characters(it->second)));
  }
  if (check.body_regex && !output_matches(*check.body_regex, response.body))
    claims.push_back(fmt::format("body: expected /{}/, got {} ({} bytes)",
                                 check.body_regex->source, begins(response.body),
                                 response.body.size()));
  if (check.body_regex_not && output_matches(*check.body_regex_not, response.body))
    claims.push_back(fmt::format("body: must not match /{}/, got {} ({} bytes)",
                                 check.body_regex_not->source, begins(response.body),
                                 response.body.size()));
  for (const JsonCheck& j : check.json)
    if (auto why = json_mismatch(j, response.body, "body")) claims.push_back(std::move(*why));
  if (claims.empty()) return std::nullopt;
  return fmt::format("{} {}: {}", check.method, check.url, fmt::join(claims, "; "));
}

}  // namespace clnrm
