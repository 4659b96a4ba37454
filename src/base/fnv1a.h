#pragma once
// FNV-1a 64: the one non-cryptographic content hash clnrm uses for identities
// (test file hashes, failure-message hashes, reuse hashes). Streaming: feed
// chunks by passing the previous result back in.

#include <cstdint>
#include <string_view>

namespace clnrm {

inline constexpr std::uint64_t kFnv1aOffset = 0xcbf29ce484222325ull;

inline std::uint64_t fnv1a_update(std::uint64_t h, std::string_view bytes) noexcept {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

}  // namespace clnrm
