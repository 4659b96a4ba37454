#pragma once
// Helpers of the fault-injection tests: real faults (a small tmpfs that
// fills up, a private Docker engine that is stopped and restarted), each
// owned by an RAII object that undoes it also when the test fails.

#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace clnrm::testing_fault {

// A tmpfs of `size_kb` KiB mounted on a fresh temp dir; unmounted (lazily,
// in case a test leaked an fd into it) and removed on destruction.
class SmallTmpfs {
 public:
  explicit SmallTmpfs(unsigned size_kb) {
    std::string pattern = (std::filesystem::temp_directory_path() / "clnrm-fault-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp: " + std::string(std::strerror(errno)));
    path_ = pattern;
    const std::string opts = "size=" + std::to_string(size_kb) + "k,mode=0755";
    if (::mount("tmpfs", path_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, opts.c_str()) != 0) {
      const int err = errno;
      std::filesystem::remove(path_);
      throw std::runtime_error("mount tmpfs on " + path_.string() + ": " + std::strerror(err));
    }
  }
  ~SmallTmpfs() {
    ::umount2(path_.c_str(), MNT_DETACH);
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  SmallTmpfs(const SmallTmpfs&) = delete;
  SmallTmpfs& operator=(const SmallTmpfs&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Writes a filler file until the filesystem reports ENOSPC; returns bytes written.
  std::uintmax_t fill(const std::string& name = "filler") const {
    const std::string file = (path_ / name).string();
    FILE* f = std::fopen(file.c_str(), "ab");
    if (f == nullptr) return 0;
    std::vector<char> block(4096, 'x');
    std::uintmax_t written = 0;
    for (;;) {
      const std::size_t n = std::fwrite(block.data(), 1, block.size(), f);
      written += n;
      if (n < block.size() || std::fflush(f) != 0) break;
    }
    std::fclose(f);
    return written;
  }
  // Frees the space taken by fill().
  void drain(const std::string& name = "filler") const { std::filesystem::remove(path_ / name); }

  bool mounted() const {
    std::ifstream mounts("/proc/mounts");
    std::string dev, dir, rest;
    while (mounts >> dev >> dir && std::getline(mounts, rest)) {
      if (dir == path_.string()) return true;
    }
    return false;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace clnrm::testing_fault
