#include <clnrm/runner.h>

#include "base/fnv1a.h"
#include <fmt/format.h>

#include <cstdio>
#include <memory>

namespace clnrm {

std::string hash_file(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return {};
  std::uint64_t h = kFnv1aOffset;
  char buf[8192];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) h = fnv1a_update(h, {buf, n});
  return fmt::format("{:016x}", h);
}

}  // namespace clnrm
