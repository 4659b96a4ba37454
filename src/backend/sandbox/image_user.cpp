// Side: runner (docs/SANDBOX.md, "Code by side").
#include "backend/sandbox/image_user.h"

#include <clnrm/sandbox.h>

#include <charconv>
#include <optional>
#include <vector>

namespace clnrm::sandbox {
namespace {

std::optional<int> numeric_id(std::string_view text) {
  if (text.empty()) return std::nullopt;
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (value >= kPodIdCount) return -1;  // numeric, but out of the pod's range
  return static_cast<int>(value);
}

std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t colon = line.find(':', start);
    out.push_back(line.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start));
    if (colon == std::string_view::npos) return out;
    start = colon + 1;
  }
}

// The line of `file` (passwd or group format) whose field `key_field` is
// `key`, split into its fields; empty when none.
std::vector<std::string_view> find_entry(std::string_view file, std::size_t key_field, std::string_view key) {
  std::size_t start = 0;
  while (start < file.size()) {
    std::size_t end = file.find('\n', start);
    if (end == std::string_view::npos) end = file.size();
    const std::string_view line = file.substr(start, end - start);
    start = end + 1;
    if (line.empty() || line.front() == '#') continue;
    std::vector<std::string_view> f = fields(line);
    if (f.size() > key_field + 1 && f[key_field] == key) return f;
  }
  return {};
}

}  // namespace

Parsed<ImageIds> resolve_image_user(std::string_view user, std::string_view passwd, std::string_view group) {
  const std::size_t colon = user.find(':');
  const std::string_view name = user.substr(0, colon);
  const std::optional<std::string_view> group_name =
      colon == std::string_view::npos ? std::nullopt : std::optional(user.substr(colon + 1));
  ImageIds ids;
  std::optional<int> passwd_gid;
  if (const std::optional<int> uid = numeric_id(name)) {
    if (*uid < 0) return Parsed<ImageIds>::failure("uid " + std::string(name) + " is outside the pod's ids 0-65535");
    ids.uid = *uid;
    const auto entry = find_entry(passwd, 2, name);
    if (entry.size() > 3) passwd_gid = numeric_id(entry[3]);
  } else {
    const auto entry = find_entry(passwd, 0, name);
    if (entry.size() < 4) {
      return Parsed<ImageIds>::failure("user '" + std::string(name) + "' is not in the image's /etc/passwd");
    }
    const std::optional<int> named_uid = numeric_id(entry[2]);
    if (!named_uid || *named_uid < 0) {
      return Parsed<ImageIds>::failure("user '" + std::string(name) + "' has uid '" + std::string(entry[2]) +
                                       "' in the image's /etc/passwd (not an id 0-65535)");
    }
    ids.uid = *named_uid;
    passwd_gid = numeric_id(entry[3]);
  }
  if (!group_name) {
    ids.gid = passwd_gid && *passwd_gid >= 0 ? *passwd_gid : 0;
    return ids;
  }
  if (const std::optional<int> gid = numeric_id(*group_name)) {
    if (*gid < 0) return Parsed<ImageIds>::failure("gid " + std::string(*group_name) + " is outside the pod's ids 0-65535");
    ids.gid = *gid;
    return ids;
  }
  const auto entry = find_entry(group, 0, *group_name);
  const std::optional<int> gid = entry.size() > 2 ? numeric_id(entry[2]) : std::nullopt;
  if (!gid || *gid < 0) {
    return Parsed<ImageIds>::failure("group '" + std::string(*group_name) + "' is not in the image's /etc/group");
  }
  ids.gid = *gid;
  return ids;
}

}  // namespace clnrm::sandbox
