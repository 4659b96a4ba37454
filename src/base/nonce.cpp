#include "base/nonce.h"

#include <fmt/format.h>

#include <random>

namespace clnrm {

std::string make_nonce() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("{:016x}", rng());
}

}  // namespace clnrm
