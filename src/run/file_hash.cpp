#include <clnrm/runner.h>
#include <fmt/format.h>

#include <cstdio>
#include <memory>

namespace clnrm {

std::string hash_file(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return {};
  std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a 64
  unsigned char buf[8192];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) {
    for (std::size_t i = 0; i < n; ++i) {
      h ^= buf[i];
      h *= 0x100000001b3ull;
    }
  }
  return fmt::format("{:016x}", h);
}

}  // namespace clnrm
