// Loopback hosts and http:// URLs to them (include/clnrm/loopback.h).
#include <clnrm/loopback.h>

#include <fmt/format.h>

#include <charconv>

namespace clnrm {
namespace {

// 127.0.0.0/8 written as four decimal octets.
std::optional<std::uint32_t> dotted_loopback_ipv4(std::string_view host) {
  if (!host.starts_with("127.")) return std::nullopt;
  int parts = 0, value = -1;
  std::uint32_t address = 0;
  for (char c : host) {
    if (c == '.') {
      if (value < 0) return std::nullopt;
      ++parts;
      address = (address << 8) | static_cast<std::uint32_t>(value);
      value = -1;
    } else if (c >= '0' && c <= '9') {
      value = (value < 0 ? 0 : value * 10) + (c - '0');
      if (value > 255) return std::nullopt;
    } else {
      return std::nullopt;
    }
  }
  if (parts != 3 || value < 0) return std::nullopt;
  return (address << 8) | static_cast<std::uint32_t>(value);
}

}  // namespace

std::string LoopbackIpv4::to_string() const {
  return fmt::format("{}.{}.{}.{}", host_order >> 24, (host_order >> 16) & 0xff, (host_order >> 8) & 0xff,
                     host_order & 0xff);
}

std::optional<LoopbackIpv4> loopback_ipv4(std::string_view host) {
  if (host == "localhost") return LoopbackIpv4{};
  if (const std::optional<std::uint32_t> address = dotted_loopback_ipv4(host)) return LoopbackIpv4{*address};
  return std::nullopt;
}

bool is_loopback_host(std::string_view host) {
  return host == "::1" || host == "[::1]" || loopback_ipv4(host).has_value();
}

bool is_loopback_authority(std::string_view host_and_port) {
  std::string_view host = host_and_port;
  if (host.starts_with('[')) {
    const std::size_t close = host.find(']');
    if (close == std::string_view::npos) return false;
    host = host.substr(0, close + 1);
  } else if (const std::size_t colon = host.find(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  return is_loopback_host(host);
}

std::string LoopbackHttpUrl::authority() const {
  return ipv6() ? fmt::format("[{}]:{}", host, port) : fmt::format("{}:{}", host, port);
}

Parsed<LoopbackHttpUrl> parse_loopback_http_url(std::string_view url) {
  auto fail = [](std::string why) { return Parsed<LoopbackHttpUrl>::failure(std::move(why)); };
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme))
    return fail(fmt::format("\"{}\" is not an http:// URL", url));
  std::string_view rest = url.substr(kScheme.size());
  const std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  // "http://127.0.0.1@evil.example/" goes to evil.example: say so plainly.
  if (authority.find('@') != std::string_view::npos)
    return fail(fmt::format("\"{}\" carries user information ('@'): name the host alone", url));
  LoopbackHttpUrl t;
  t.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  std::string_view host = authority;
  std::string_view port;
  bool has_port = false;
  if (authority.starts_with('[')) {
    // An IPv6 literal: "[::1]" or "[::1]:8080".
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos)
      return fail(fmt::format("unclosed '[' in the host of \"{}\"", url));
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail(fmt::format("invalid host in \"{}\"", url));
      port = after.substr(1);
      has_port = true;
    }
  } else if (const std::size_t colon = authority.find(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    has_port = true;
  }
  if (has_port) {
    unsigned value = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || p != port.data() + port.size() || value == 0 ||
        value > 65535)
      return fail(fmt::format("invalid port in \"{}\"", url));
    t.port = static_cast<std::uint16_t>(value);
  }
  t.host = std::string(host);
  if (!is_loopback_host(t.host))
    return fail(fmt::format(
        "host \"{}\" is not a loopback address (127.0.0.1, localhost or [::1])", t.host));
  return t;
}

}  // namespace clnrm
