#pragma once
// SHA-256 (FIPS 180-4). Used for per-step output digests (determinism checks)
// where a stable, well-known hash matters more than speed. Self-contained so
// the core library does not depend on a crypto library for one hash.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace clnrm {

class Sha256 {
 public:
  using Digest = std::array<std::uint8_t, 32>;

  Sha256() noexcept;
  // Feeds more bytes; may be called any number of times before finish().
  void update(std::string_view data) noexcept;
  // Pads, returns the digest and resets the object for a new message.
  Digest finish() noexcept;

  static std::string to_hex(const Digest& digest);

 private:
  void compress(const std::uint8_t* block) noexcept;
  void reset() noexcept;

  std::array<std::uint32_t, 8> state_{};
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t total_bytes_ = 0;
};

// Lowercase hex SHA-256 of `data` (64 characters).
std::string sha256_hex(std::string_view data);

}  // namespace clnrm
