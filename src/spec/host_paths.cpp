// Host paths of a test file, kept inside its own directory (host_paths.h).
#include "spec/host_paths.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "base/atomic_file.h"

namespace clnrm::spec_detail {
namespace {

namespace fs = std::filesystem;

}  // namespace

std::optional<std::string> test_file_dir(ParseContext& ctx, SourcePos at) {
  std::error_code ec;
  const fs::path file = fs::absolute(ctx.file(), ec);
  fs::path dir;
  if (!ec) dir = fs::canonical(file.parent_path(), ec);
  if (ec) {
    ctx.error(at, fmt::format("cannot resolve the directory of the test file: {}", ec.message()));
    return std::nullopt;
  }
  return dir.string();
}

std::string host_path_in_test_dir(ParseContext& ctx, SourcePos at, const std::string& value,
                                  const HostPathRule& rule) {
  // The path's own faults first, as before the directory is resolved.
  const bool the_dir_itself = rule.allow_test_dir && (value == "." || value == "./");
  if (!the_dir_itself && why_not_beneath(value)) {
    ctx.error(at, resolve_host_path("/", value, rule).error);
    return {};
  }
  const std::optional<std::string> dir_text = test_file_dir(ctx, at);
  if (!dir_text) return {};
  HostPathResult r = resolve_host_path(*dir_text, value, rule);
  if (!r.error.empty()) ctx.error(at, r.error);
  return r.path;
}

std::optional<std::string> normal_absolute_path(std::string_view path) {
  if (path.empty() || path.front() != '/') return std::nullopt;
  std::string out;
  std::size_t start = 0;
  while (start < path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    const std::string_view part = path.substr(start, slash - start);
    if (part == "." || part == "..") return std::nullopt;
    if (!part.empty()) {
      out += '/';
      out += part;
    }
    start = slash + 1;
  }
  return out.empty() ? "/" : out;
}

std::optional<std::string> why_not_mount_target(std::string_view path) {
  if (path == "/") return "would hide the cleanroom's whole root";
  for (std::string_view p : {"/proc", "/sys", "/dev"}) {
    if (is_same_or_below(path, p)) return fmt::format("is in {}, which the cleanroom makes itself", p);
  }
  for (std::string_view p : {"/tmp", "/run", "/var", "/var/run", "/var/tmp"}) {
    if (path == p) return "would hide the cleanroom's scratch space (mount below it instead, e.g. /tmp/data)";
  }
  for (std::string_view p : {"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt"}) {
    if (path == p) return "would hide a whole system directory the cleanroom's programs need";
  }
  for (char c : path)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return "contains a control character";
  return std::nullopt;
}

}  // namespace clnrm::spec_detail
