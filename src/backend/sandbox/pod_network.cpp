// Hostname and network of a pod: `cleanroom` (`clnrm` for a [determinism]
// test), and in its own network namespace only loopback, brought up with one
// ioctl (no netlink, no `ip`).
//
// Side: inside the pod (docs/SANDBOX.md, "Code by side"); includes no
// runner-side header.
#include "backend/sandbox/pod_network.h"

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace clnrm::sandbox {

int set_pod_hostname(const char* hostname, const char** stage) noexcept {
  if (hostname == nullptr) hostname = kPodHostname;
  if (::sethostname(hostname, std::strlen(hostname)) != 0) {
    *stage = "sethostname";
    return errno;
  }
  return 0;
}

int bring_up_loopback(const char** stage) noexcept {
  const int sock = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) {
    *stage = "socket for bringing up loopback";
    return errno;
  }
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, "lo", 3);
  int rc = ::ioctl(sock, SIOCGIFFLAGS, &ifr);
  if (rc == 0) {
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP | IFF_RUNNING);
    rc = ::ioctl(sock, SIOCSIFFLAGS, &ifr);
  }
  const int e = errno;
  ::close(sock);
  if (rc != 0) {
    *stage = "bringing up loopback (SIOCSIFFLAGS)";
    return e;
  }
  return 0;
}

}  // namespace clnrm::sandbox
