#pragma once
// The one rule for "this address stays on the machine's (or the cleanroom's)
// own loopback": used by wait_for.http (parser and probe), the OTLP sender's
// loopback-only mode and the registry client's http:// exception.

#include <clnrm/parsed.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace clnrm {

// True for `localhost`, a dotted quad in 127.0.0.0/8 and `::1` with or
// without brackets. A host only: no port, no scheme ("127.0.0.1:80" is false).
bool is_loopback_host(std::string_view host);

// An IPv4 address in 127.0.0.0/8 (host byte order): where the runner connects
// inside a cleanroom's network (Pod::connect_tcp). A type of its own so it
// cannot be swapped with a port.
struct LoopbackIpv4 {
  std::uint32_t host_order = 0x7f000001;  // 127.0.0.1
  std::string to_string() const;          // "127.0.0.2"
};

// `localhost` (127.0.0.1, as inside a cleanroom) or a dotted quad in
// 127.0.0.0/8; nullopt for any other host, ::1 included.
std::optional<LoopbackIpv4> loopback_ipv4(std::string_view host);

// As is_loopback_host, for "host" or "host:port" ("[::1]:5000",
// "localhost:5000"), the authority of a URL.
bool is_loopback_authority(std::string_view host_and_port);

// An http:// URL to a loopback host, split for a client that speaks HTTP
// itself. `host` is as written minus brackets ("127.0.0.1", "localhost",
// "::1"); `authority` is how the Host header spells it ("[::1]:8080").
struct LoopbackHttpUrl {
  std::string host;
  std::uint16_t port = 80;
  std::string path = "/";
  bool ipv6() const { return host.find(':') != std::string::npos; }
  // The address to connect to; nullopt for ::1.
  std::optional<LoopbackIpv4> ipv4() const { return loopback_ipv4(host); }
  std::string authority() const;
};

// The parts of `url`, or why it is not http://<loopback host>[:port][/path].
Parsed<LoopbackHttpUrl> parse_loopback_http_url(std::string_view url);

}  // namespace clnrm
