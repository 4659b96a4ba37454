#include "base/cache_dir.h"

#include <unistd.h>

#include <cstdlib>

namespace clnrm {

std::optional<std::string> user_cache_dir() {
  if (::geteuid() == 0) return std::string("/var/cache/clnrm");
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg != nullptr && xdg[0] == '/') return std::string(xdg) + "/clnrm";
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] != '\0') return std::string(home) + "/.cache/clnrm";
  return std::nullopt;
}

}  // namespace clnrm
