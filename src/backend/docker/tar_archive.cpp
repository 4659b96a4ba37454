#include "backend/docker/tar_archive.h"

#include "base/atomic_file.h"

#include <clnrm/error.h>
#include <fmt/format.h>

#include <cstring>

namespace clnrm::docker {
namespace {

void put_octal(char* field, std::size_t width, unsigned long long value) {
  // width-1 octal digits, then NUL, as ustar expects.
  auto s = fmt::format("{:0{}o}", value, width - 1);
  std::memcpy(field, s.data(), width - 1);
  field[width - 1] = '\0';
}

}  // namespace

void TarArchive::add_file(std::string_view path, std::string_view content, unsigned mode) {
  add_entry(path, content, mode, '0');
}

void TarArchive::add_directory(std::string_view path, unsigned mode) {
  std::string p(path);
  if (!p.empty() && p.back() != '/') p += '/';
  add_entry(p, {}, mode, '5');
}

void TarArchive::add_entry(std::string_view path, std::string_view content, unsigned mode, char type) {
  while (path.starts_with("/")) path.remove_prefix(1);
  // The one rule for a relative path that must stay below a directory
  // (base/atomic_file.h); a directory entry's trailing '/' is the format's.
  std::string_view named = path;
  if (type == '5' && named.size() > 1 && named.ends_with('/')) named.remove_suffix(1);
  if (auto why = why_not_beneath(named))
    throw Error(ErrorKind::Usage, fmt::format("bad path '{}' for an archive entry: it {}", path, *why));
  char header[512] = {0};
  std::string_view name = path, prefix;
  if (path.size() > 100) {
    // Split at a '/' so that prefix <= 155 and name <= 100.
    auto cut = path.rfind('/', 155);
    if (cut == std::string_view::npos || path.size() - cut - 1 > 100)
      throw Error(ErrorKind::Usage, fmt::format("path '{}' is too long for a tar entry", path));
    prefix = path.substr(0, cut);
    name = path.substr(cut + 1);
  }
  std::memcpy(header, name.data(), name.size());
  put_octal(header + 100, 8, mode);
  put_octal(header + 108, 8, 0);  // uid
  put_octal(header + 116, 8, 0);  // gid
  put_octal(header + 124, 12, content.size());
  put_octal(header + 136, 12, 0);  // mtime: fixed, so archives are reproducible
  std::memset(header + 148, ' ', 8);
  header[156] = type;
  std::memcpy(header + 257, "ustar", 6);  // magic "ustar\0"
  std::memcpy(header + 263, "00", 2);
  // An empty prefix is a null string_view: memcpy from nullptr is undefined
  // even for 0 bytes (UBSan, asan preset).
  if (!prefix.empty()) std::memcpy(header + 345, prefix.data(), prefix.size());
  unsigned sum = 0;
  for (unsigned char c : header) sum += c;
  auto chk = fmt::format("{:06o}", sum);
  std::memcpy(header + 148, chk.data(), 6);
  header[154] = '\0';
  header[155] = ' ';
  data_.append(header, sizeof header);
  data_.append(content);
  if (content.size() % 512) data_.append(512 - content.size() % 512, '\0');
}

std::string TarArchive::finish() const { return data_ + std::string(1024, '\0'); }

}  // namespace clnrm::docker
