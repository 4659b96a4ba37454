// The id of one clnrm process's session: the docker backend labels its
// containers with it, the runner names standby pods and history runs by it.
#include <clnrm/backend.h>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <chrono>

namespace clnrm {

std::string make_session_id() {
  static std::atomic<std::uint64_t> counter{0};
  const auto now = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  std::uint64_t x = now ^ (static_cast<std::uint64_t>(::getpid()) << 40) ^
                    (counter.fetch_add(1, std::memory_order_relaxed) * 0x9E3779B97F4A7C15ull);
  // splitmix64 finaliser: spreads the bits so ids differ in their first chars.
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBull;
  x ^= x >> 31;
  return fmt::format("{:012x}", x & 0xFFFFFFFFFFFFull);
}

}  // namespace clnrm
