#pragma once
// Internal to src/spec: reading a test file or cleanroom.toml. A path on the
// command line may be a symbolic link (followed), but what is read must be a
// regular file of at most kMaxSourceBytes: `clnrm validate /dev/zero`, a FIFO,
// a directory or /proc/self/mem end with an error, never a hang or an empty test.

#include <cstddef>
#include <string>

namespace clnrm::spec_detail {

inline constexpr std::size_t kMaxSourceBytes = std::size_t{16} << 20;  // 16 MiB

struct SourceText {
  std::string text;
  std::string error;  // "cannot read file: ..." when not empty
};

SourceText read_source_file(const std::string& path);

}  // namespace clnrm::spec_detail
