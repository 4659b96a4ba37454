// The unix sockets under a host directory: both backends cover each with
// /dev/null where they share a host directory with a pod, so a test cannot
// reach a host daemon through a shared tree (docs/security.md, "Host paths").
#include "backend/host_sockets.h"

#include <clnrm/error.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace clnrm {

std::vector<std::string> find_unix_sockets(const std::string& dir, std::size_t max_entries) {
  std::vector<std::string> sockets;
  std::vector<std::string> pending = {dir};
  std::size_t walked = 0;
  while (!pending.empty()) {
    const std::string current = std::move(pending.back());
    pending.pop_back();
    const int fd = ::open(current.c_str(),
                          O_RDONLY | O_DIRECTORY | O_CLOEXEC | (current == dir ? 0 : O_NOFOLLOW));
    if (fd < 0) continue;  // unreadable or gone: nothing the runner could list
    DIR* d = ::fdopendir(fd);
    if (d == nullptr) {
      ::close(fd);
      continue;
    }
    const std::string prefix = current == "/" ? "/" : current + "/";
    while (const dirent* e = ::readdir(d)) {
      const std::string_view name = e->d_name;
      if (name == "." || name == "..") continue;
      if (++walked > max_entries) {
        ::closedir(d);
        throw Error(ErrorKind::Config,
                    "more than " + std::to_string(max_entries) +
                        " entries below it: too large to share with a cleanroom (its unix sockets "
                        "are looked for)",
                    dir);
      }
      unsigned char type = e->d_type;
      if (type == DT_UNKNOWN) {
        struct stat st {};
        if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        type = S_ISSOCK(st.st_mode) ? DT_SOCK : S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
      }
      if (type == DT_SOCK) sockets.push_back(prefix + e->d_name);
      if (type == DT_DIR) pending.push_back(prefix + e->d_name);
    }
    ::closedir(d);
  }
  return sockets;
}

}  // namespace clnrm
