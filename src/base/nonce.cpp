#include "base/nonce.h"

#include <clnrm/error.h>
#include <fmt/format.h>
#include <sys/random.h>

#include <cerrno>
#include <cstdint>

namespace clnrm {

std::string make_nonce() {
  // From the kernel's generator each time: nothing a program in the
  // cleanroom sees of earlier nonces predicts the next (a seeded Mersenne
  // Twister's output does, after 312 of them), and no std::random_device,
  // whose set-up (its CPUID probes trap to the hypervisor on a VM) cost a
  // one-step run ~0.03 ms of CPU (perf record of 300 runs, issue 17).
  std::uint64_t value = 0;
  auto* bytes = reinterpret_cast<unsigned char*>(&value);
  std::size_t got = 0;
  while (got < sizeof value) {
    const ssize_t n = ::getrandom(bytes + got, sizeof value - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("getrandom");
    }
    got += static_cast<std::size_t>(n);
  }
  return fmt::format("{:016x}", value);
}

}  // namespace clnrm
