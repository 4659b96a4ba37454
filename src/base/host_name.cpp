#include "base/host_name.h"

#include <unistd.h>

#include <array>

namespace clnrm {

std::string host_name(std::string_view fallback) {
  std::array<char, 256> name{};  // HOST_NAME_MAX is 64; room for any future change
  if (::gethostname(name.data(), name.size() - 1) != 0 || name[0] == '\0')
    return std::string(fallback);
  return name.data();
}

}  // namespace clnrm
