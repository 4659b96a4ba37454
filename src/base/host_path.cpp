// The one host-path rule for test files (host_path.h).
#include "base/host_path.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "base/atomic_file.h"

namespace clnrm {
namespace {

namespace fs = std::filesystem;

// Host trees that never go into a cleanroom, even when a test file's
// directory lies in one: the root itself, the kernel's and devices' views,
// and where daemons keep their sockets (the Docker socket among them).
constexpr std::string_view kNeverShared[] = {"/proc", "/sys", "/dev", "/run", "/var/run"};

}  // namespace

HostPathResult resolve_host_path(const std::string& dir_text, const std::string& value, const HostPathRule& rule) {
  HostPathResult out;
  const bool the_dir_itself = rule.allow_test_dir && (value == "." || value == "./");
  if (!the_dir_itself) {
    if (auto why = why_not_beneath(value)) {
      out.error = fmt::format("{} \"{}\" {}: give a path inside the test file's directory, relative to it and "
                              "without '..'{} (a test file may not share other host paths with its cleanroom: "
                              "docs/security.md, \"Host paths\")",
                              rule.key, value, *why,
                              rule.allow_test_dir ? ", or \".\" for the directory itself" : "");
      return out;
    }
  }
  const fs::path dir(dir_text);
  std::error_code ec;
  const fs::path resolved = the_dir_itself ? dir : fs::canonical(dir / value, ec);
  if (ec) {
    out.error = fmt::format("{} '{}' does not exist next to the test file ({})", rule.key, value, (dir / value).string());
    return out;
  }
  const std::string resolved_text = resolved.string();
  if (!is_same_or_below(resolved_text, dir_text)) {
    out.error = fmt::format("{} '{}' leads outside the test file's directory (through a symlink, to {})", rule.key,
                            value, resolved_text);
    return out;
  }
  if (rule.directory_only && !fs::is_directory(resolved, ec)) {
    out.error = fmt::format("{} '{}' is not a directory", rule.key, value);
    return out;
  }
  if (!fs::is_directory(resolved, ec) && !fs::is_regular_file(resolved, ec)) {
    out.error = fmt::format("{} '{}' is neither a directory nor a regular file (a socket, device or fifo is a door "
                            "to the host)",
                            rule.key, value);
    return out;
  }
  const auto sensitive = std::find_if(std::begin(kNeverShared), std::end(kNeverShared),
                                      [&](std::string_view p) { return is_same_or_below(resolved_text, p); });
  if (resolved_text == "/" || sensitive != std::end(kNeverShared)) {
    out.error = fmt::format("{} '{}' is {}: the host's root, /proc, /sys, /dev and /run are never shared with a "
                            "cleanroom",
                            rule.key, value, resolved_text);
    return out;
  }
  out.path = resolved_text;
  return out;
}

}  // namespace clnrm
