// One layer unpacked safely into a directory (layer_unpack.h).
#include "image/layer_unpack.h"

#include <clnrm/error.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <tuple>
#include <vector>

#include "base/open_beneath.h"
#include "base/unique_fd.h"
#include "image/archive_library.h"

namespace clnrm::image {
namespace {

// libarchive, opened on first use (image/archive_library.h).
const ArchiveLibrary& ar() { return archive_library(); }

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";

// The entry's name split into components, or why it would leave the layer.
struct SplitName {
  std::vector<std::string> parts;  // empty: the layer's root itself
  std::string escape;              // non-empty: refused
};

SplitName split_name(std::string_view name) {
  SplitName out;
  if (name.starts_with('/')) {
    out.escape = "it is an absolute path";
    return out;
  }
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t slash = name.find('/', start);
    if (slash == std::string_view::npos) slash = name.size();
    const std::string_view part = name.substr(start, slash - start);
    if (part == "..") {
      out.escape = "it has a '..' component";
      return out;
    }
    if (!part.empty() && part != ".") out.parts.emplace_back(part);
    start = slash + 1;
  }
  return out;
}

std::string joined(const std::vector<std::string>& parts, std::size_t count) {
  std::string s;
  for (std::size_t i = 0; i < count; ++i) s += (i ? "/" : "") + parts[i];
  return s;
}

// A directory whose metadata is applied once everything inside it exists
// (a read-only directory would refuse its own children, and creating a
// child changes the directory's mtime).
struct PendingDir {
  std::string path;  // relative to the layer; "" = the layer's root
  mode_t mode;
  uid_t uid;
  gid_t gid;
  timespec mtime;
};

class Unpacker {
 public:
  Unpacker(const std::string& target_dir, const LayerOwnership& ownership, std::string_view what,
           const UnpackLimits& limits)
      : ownership_(ownership), what_(what), limits_(limits) {
    root_.reset(::open(target_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!root_.valid()) throw_errno("cannot open " + target_dir);
  }

  std::uint64_t bytes() const noexcept { return bytes_; }
  std::uint64_t entries() const noexcept { return entries_; }

  void entry(archive* a, archive_entry* e) {
    if (++entries_ > limits_.max_entries) throw_over_entry_limit(what_, limits_.max_entries);
    const char* raw_name = ar().entry_pathname(e);
    if (raw_name == nullptr) refuse("(unnamed)", "it has no name");
    const std::string name = raw_name;
    SplitName split = split_name(name);
    if (!split.escape.empty()) escape(name, split.escape);
    if (split.parts.empty()) {  // "./": the layer's root directory
      if (ar().entry_filetype(e) == AE_IFDIR) pending_dirs_.push_back(metadata_of("", e, S_IFDIR));
      return;
    }
    const std::string base = split.parts.back();
    UniqueFd parent = walk_to_parent(split.parts, name, /*create=*/true);

    if (base == kOpaqueMarker) return mark_opaque(parent.get(), name);
    if (base.starts_with(kWhiteoutPrefix)) {
      const std::string hidden = base.substr(kWhiteoutPrefix.size());
      if (hidden.empty() || hidden == "." || hidden == "..") escape(name, "its whiteout names no entry of the directory");
      return make_whiteout(parent.get(), hidden, name);
    }

    if (const char* link = ar().entry_hardlink(e)) return make_hard_link(parent.get(), base, link, name);

    const mode_t type = ar().entry_filetype(e);
    if (type == AE_IFDIR) {
      struct stat st {};
      if (::fstatat(parent.get(), base.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
        remove_at(parent.get(), base);
      if (::mkdirat(parent.get(), base.c_str(), 0700) != 0 && errno != EEXIST) fail("cannot create directory", name);
      pending_dirs_.push_back(metadata_of(joined(split.parts, split.parts.size()), e, S_IFDIR));
      return;
    }
    remove_at(parent.get(), base);  // a later entry of the same name wins (tar semantics)
    switch (type) {
      case AE_IFREG: return write_file(a, e, parent.get(), base, name);
      case AE_IFLNK: {
        const char* target = ar().entry_symlink(e);
        // The target is text resolved inside the pod's root at run time;
        // unpacking never follows it.
        if (::symlinkat(target ? target : "", parent.get(), base.c_str()) != 0) fail("cannot create symlink", name);
        set_owner(parent.get(), base, e, name);
        const timespec times[2] = {mtime_of(e), mtime_of(e)};
        ::utimensat(parent.get(), base.c_str(), times, AT_SYMLINK_NOFOLLOW);
        return;
      }
      case AE_IFIFO:
        if (::mkfifoat(parent.get(), base.c_str(), 0600) != 0) fail("cannot create fifo", name);
        set_owner(parent.get(), base, e, name);
        ::fchmodat(parent.get(), base.c_str(), file_mode(e), 0);
        return;
      case AE_IFSOCK:
        return;  // a socket in a tar is a leftover of a running build; nothing can use it
      case AE_IFCHR:
      case AE_IFBLK:
        refuse(name,
               fmt::format("it is a device node ({}, {}:{}); clnrm does not unpack devices from images (the pod's "
                           "/dev is made by the sandbox). Rebuild the image without it",
                           type == AE_IFCHR ? "character" : "block", ar().entry_rdevmajor(e),
                           ar().entry_rdevminor(e)));
      default:
        refuse(name, fmt::format("its entry type {:o} is not a file, directory, link or fifo", type));
    }
  }

  // Directory metadata, deepest first, once every entry is in place.
  void finish() {
    bool root_set = false;
    for (auto it = pending_dirs_.rbegin(); it != pending_dirs_.rend(); ++it) {
      root_set = root_set || it->path.empty();
      // Opened component by component again: a later entry may have
      // replaced a parent with a symlink, and a path string would follow it
      // out of the layer. A directory no longer there is skipped.
      const UniqueFd dir = open_dir_beneath(it->path);
      if (!dir.valid()) continue;
      if (ownership_.privileged) ::fchown(dir.get(), it->uid, it->gid);
      ::fchmod(dir.get(), it->mode);
      const timespec times[2] = {it->mtime, it->mtime};
      ::futimens(dir.get(), times);
    }
    // A layer without a "./" entry still has a root every pod user can enter,
    // owned by the pod's root.
    if (!root_set) {
      if (ownership_.privileged) ::fchown(root_.get(), ownership_.uid_offset, ownership_.uid_offset);
      ::fchmod(root_.get(), 0755);
    }
  }

 private:
  // Counts `more` bytes of regular files; over the cap, the layer is refused.
  void add_bytes(std::uint64_t more) {
    bytes_ += more;
    if (bytes_ > limits_.max_bytes) throw_over_size_limit(what_, limits_.max_bytes, limits_.bytes_cap);
  }

  [[noreturn]] void refuse(const std::string& name, const std::string& why) {
    throw Error(ErrorKind::Config, fmt::format("{} has an entry clnrm refuses, '{}': {}", what_, name, why));
  }
  [[noreturn]] void escape(const std::string& name, const std::string& why) {
    throw Error(ErrorKind::Config,
                fmt::format("{} has an entry with an escaping path, '{}': {}. Every entry of a layer must stay inside "
                            "the layer; the image is malformed or malicious: rebuild it from a trusted base, or "
                            "remove it from the test",
                            what_, name, why));
  }
  [[noreturn]] void fail(const std::string& doing, const std::string& name) {
    throw_errno(fmt::format("{} '{}' while unpacking {}", doing, name, what_));
  }

  // Opens each parent component below the root with O_NOFOLLOW (creating
  // missing ones when `create`; base/open_beneath.h), so a symlink planted
  // by an earlier entry can never redirect a later one outside the layer.
  UniqueFd walk_to_parent(const std::vector<std::string>& parts, const std::string& name, bool create) {
    BeneathWalkFailure at;
    UniqueFd dir = clnrm::open_dir_beneath(root_.get(), std::span(parts).first(parts.size() - 1), create, &at);
    if (dir.valid()) return dir;
    const int saved = errno;
    const std::string parent = joined(parts, at.component + 1);
    errno = saved;
    if (at.making) fail("cannot create directory", name);
    if (errno == ELOOP)
      escape(name, fmt::format("its parent '{}' is a symbolic link, which could lead outside the layer", parent));
    if (errno == ENOTDIR) refuse(name, fmt::format("its parent '{}' is not a directory", parent));
    if (errno == ENOENT && !create) return UniqueFd();
    fail("cannot open directory " + parent + " for", name);
  }

  // The directory `path` (relative, "" = the root) opened without following
  // any symlink; invalid when it is not (or no longer) a directory.
  UniqueFd open_dir_beneath(const std::string& path) const {
    return clnrm::open_dir_beneath(root_.get(), split_name(path).parts, /*create=*/false);
  }

  void remove_at(int parent, const std::string& base) {
    struct stat st {};
    if (::fstatat(parent, base.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return;
    if (!S_ISDIR(st.st_mode)) {
      ::unlinkat(parent, base.c_str(), 0);
      return;
    }
    UniqueFd dir(::openat(parent, base.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (dir.valid()) {
      std::vector<std::string> names;
      if (DIR* d = ::fdopendir(::dup(dir.get()))) {
        while (dirent* de = ::readdir(d)) {
          const std::string_view n = de->d_name;
          if (n != "." && n != "..") names.emplace_back(n);
        }
        ::closedir(d);
      }
      ::fchmod(dir.get(), 0700);
      for (const auto& n : names) remove_at(dir.get(), n);
    }
    ::unlinkat(parent, base.c_str(), AT_REMOVEDIR);
  }

  // The sandbox mounts every image overlay with `userxattr` (its pods are
  // user namespaces, which cannot read trusted.* xattrs), so the user.*
  // mark is the one that acts; a root runner's layers carry the trusted.*
  // one too, the form overlayfs uses outside a user namespace.
  void mark_opaque(int parent, const std::string& name) {
    set_opaque_xattr(parent, name, "user.overlay.opaque");
    if (ownership_.privileged) set_opaque_xattr(parent, name, "trusted.overlay.opaque");
  }

  void set_opaque_xattr(int parent, const std::string& name, const char* attr) {
    if (::fsetxattr(parent, attr, "y", 1, 0) != 0)
      throw Error(ErrorKind::NotSupported,
                  fmt::format("cannot mark the opaque directory of '{}' in {} ({}={}): {}. The image cache's "
                              "filesystem must support extended attributes; set CLNRM_IMAGE_CACHE to a "
                              "directory on ext4, xfs or btrfs",
                              name, what_, attr, "y", std::strerror(errno)));
  }

  void make_whiteout(int parent, const std::string& hidden, const std::string& name) {
    remove_at(parent, hidden);
    if (::mknodat(parent, hidden.c_str(), S_IFCHR | 0, makedev(0, 0)) != 0)
      throw Error(ErrorKind::NotSupported,
                  fmt::format("cannot make the overlayfs whiteout for '{}' in {}: mknod of a 0/0 character device: "
                              "{} (Linux 5.8 or later lets any user make it; the image cache's filesystem must allow "
                              "device nodes: set CLNRM_IMAGE_CACHE to a directory on ext4, xfs or btrfs)",
                              name, what_, std::strerror(errno)));
    if (ownership_.privileged)
      ::fchownat(parent, hidden.c_str(), ownership_.uid_offset, ownership_.uid_offset, AT_SYMLINK_NOFOLLOW);
  }

  void make_hard_link(int parent, const std::string& base, const std::string& link, const std::string& name) {
    SplitName target = split_name(link);
    if (!target.escape.empty() || target.parts.empty())
      escape(name, fmt::format("it is a hard link to '{}', and {}", link,
                               target.escape.empty() ? "that is the layer's root" : target.escape));
    UniqueFd target_parent = walk_to_parent(target.parts, name, /*create=*/false);
    struct stat st {};
    if (!target_parent.valid() ||
        ::fstatat(target_parent.get(), target.parts.back().c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
      refuse(name, fmt::format("it is a hard link to '{}', which is not an earlier entry of the same layer", link));
    if (S_ISDIR(st.st_mode)) refuse(name, fmt::format("it is a hard link to the directory '{}'", link));
    remove_at(parent, base);
    if (::linkat(target_parent.get(), target.parts.back().c_str(), parent, base.c_str(), 0) != 0)
      fail("cannot create hard link", name);
  }

  void write_file(archive* a, archive_entry* e, int parent, const std::string& base, const std::string& name) {
    // The size the header declares is checked before a byte is written (a
    // sparse entry may declare more than it carries: ftruncate below gives
    // the file that size); the bytes that arrive are counted as they come.
    const std::uint64_t declared =
        ar().entry_size_is_set(e) && ar().entry_size(e) > 0 ? static_cast<std::uint64_t>(ar().entry_size(e)) : 0;
    add_bytes(declared);
    std::uint64_t end = 0;  // the file's size as written so far
    UniqueFd out(::openat(parent, base.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!out.valid()) fail("cannot create file", name);
    const void* buffer = nullptr;
    std::size_t size = 0;
    la_int64_t offset = 0;
    for (;;) {
      const int r = ar().data_block(a, &buffer, &size, &offset);
      if (r == ARCHIVE_EOF) break;
      if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
        throw Error(ErrorKind::Config, fmt::format("cannot read '{}' of {}: {}", name, what_, ar().error_string(a)));
      if (offset < 0) refuse(name, "its data has a negative offset");
      const std::uint64_t block_end = static_cast<std::uint64_t>(offset) + size;
      if (block_end > std::max(end, declared)) add_bytes(block_end - std::max(end, declared));
      end = std::max(end, block_end);
      const char* p = static_cast<const char*>(buffer);
      while (size > 0) {
        const ssize_t n = ::pwrite(out.get(), p, size, offset);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail("cannot write", name);
        p += n;
        offset += n;
        size -= static_cast<std::size_t>(n);
      }
    }
    if (ar().entry_size_is_set(e) && ::ftruncate(out.get(), ar().entry_size(e)) != 0) fail("cannot size", name);
    if (ownership_.privileged) {
      const auto [uid, gid] = owner_of(e, name);
      if (::fchown(out.get(), uid, gid) != 0) fail("cannot chown", name);
    }
    // After the chown: chown clears setuid/setgid bits.
    if (::fchmod(out.get(), file_mode(e)) != 0) fail("cannot chmod", name);
    const timespec times[2] = {mtime_of(e), mtime_of(e)};
    ::futimens(out.get(), times);
    if (out.close() != 0) fail("cannot write", name);
  }

  void set_owner(int parent, const std::string& base, archive_entry* e, const std::string& name) {
    if (!ownership_.privileged) return;
    const auto [uid, gid] = owner_of(e, name);
    if (::fchownat(parent, base.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) != 0) fail("cannot chown", name);
  }

  std::pair<uid_t, gid_t> owner_of(archive_entry* e, const std::string& name) {
    const la_int64_t uid = ar().entry_uid(e);
    const la_int64_t gid = ar().entry_gid(e);
    if (uid < 0 || gid < 0 || uid >= ownership_.id_count || gid >= ownership_.id_count)
      refuse(name, fmt::format("it is owned by {}:{}, outside the {} user and group ids a pod has; rebuild the "
                               "image with owners below {}",
                               uid, gid, ownership_.id_count, ownership_.id_count));
    return {static_cast<uid_t>(uid) + ownership_.uid_offset, static_cast<gid_t>(gid) + ownership_.uid_offset};
  }

  mode_t file_mode(archive_entry* e) const {
    mode_t mode = ar().entry_perm(e) & 07777;
    if (!ownership_.privileged) mode &= ~static_cast<mode_t>(S_ISUID | S_ISGID);
    return mode;
  }

  static timespec mtime_of(archive_entry* e) {
    timespec t{};
    t.tv_sec = ar().entry_mtime(e);
    t.tv_nsec = ar().entry_mtime_nsec(e);
    return t;
  }

  PendingDir metadata_of(std::string path, archive_entry* e, mode_t) {
    PendingDir d{std::move(path), file_mode(e), 0, 0, mtime_of(e)};
    if (ownership_.privileged) std::tie(d.uid, d.gid) = owner_of(e, d.path.empty() ? "./" : d.path);
    return d;
  }

  UniqueFd root_;
  LayerOwnership ownership_;
  std::string what_;
  UnpackLimits limits_;
  std::uint64_t bytes_ = 0;
  std::uint64_t entries_ = 0;
  std::vector<PendingDir> pending_dirs_;
};

}  // namespace

std::string format_size(std::uint64_t bytes) {
  constexpr std::uint64_t kKiB = 1024;
  if (bytes >= (kKiB << 20) && bytes % (kKiB << 20) == 0) return fmt::format("{} GiB", bytes >> 30);
  if (bytes >= (kKiB << 10) && bytes % (kKiB << 10) == 0) return fmt::format("{} MiB", bytes >> 20);
  if (bytes >= kKiB && bytes % kKiB == 0) return fmt::format("{} KiB", bytes >> 10);
  return fmt::format("{} bytes", bytes);
}

void throw_over_size_limit(std::string_view what, std::uint64_t max_bytes, std::string_view cap) {
  throw Error(ErrorKind::Config,
              fmt::format("{} unpacks to more than {} bytes, {}; clnrm refuses it as a possible decompression bomb "
                          "and keeps nothing of it (docs/images.md, \"Size limits\"). Use a smaller image, or "
                          "remove it from the test",
                          what, max_bytes, cap));
}

void throw_over_entry_limit(std::string_view what, std::uint64_t max_entries) {
  throw Error(ErrorKind::Config,
              fmt::format("{} has more than {} entries, the limit per layer; clnrm refuses it as a possible "
                          "decompression bomb (ImageLimits::max_layer_entries, docs/images.md \"Size limits\"). "
                          "Rebuild the image with fewer files, or remove it from the test",
                          what, max_entries));
}

namespace {

// A layer's tar opened for reading, compressed or not; throws `unreadable()`.
using LayerReader = std::unique_ptr<archive, ArchiveReadCloser>;

Error unreadable_layer(archive* a, std::string_view what) {
  return Error(ErrorKind::Config,
               fmt::format("{} is not a readable tar layer: {} (clnrm unpacks tar layers, plain or compressed with "
                           "gzip, zstd, xz or bzip2)",
                           what, ar().error_string(a)));
}

LayerReader open_layer(const std::string& archive_path, std::string_view what) {
  LayerReader a(ar().read_new());
  ar().support_filter_gzip(a.get());
  ar().support_filter_zstd(a.get());
  ar().support_filter_xz(a.get());
  ar().support_filter_bzip2(a.get());
  ar().support_format_tar(a.get());
  ar().support_format_empty(a.get());
  if (ar().open_filename(a.get(), archive_path.c_str(), 1 << 20) != ARCHIVE_OK) throw unreadable_layer(a.get(), what);
  return a;
}

// The next entry's header, nullptr at the end.
archive_entry* next_entry(archive* a, std::string_view what) {
  archive_entry* e = nullptr;
  const int r = ar().next_header(a, &e);
  if (r == ARCHIVE_EOF) return nullptr;
  if (r != ARCHIVE_OK && r != ARCHIVE_WARN) throw unreadable_layer(a, what);
  return e;
}

}  // namespace

UnpackedLayer unpack_layer(const std::string& archive_path, const std::string& target_dir,
                           const LayerOwnership& ownership, std::string_view what, const UnpackLimits& limits) {
  const LayerReader a = open_layer(archive_path, what);
  Unpacker unpacker(target_dir, ownership, what, limits);
  while (archive_entry* e = next_entry(a.get(), what)) unpacker.entry(a.get(), e);
  unpacker.finish();
  return {unpacker.bytes(), unpacker.entries()};
}

std::uint64_t count_layer_entries(const std::string& archive_path, std::string_view what) {
  const LayerReader a = open_layer(archive_path, what);
  std::uint64_t entries = 0;
  while (next_entry(a.get(), what) != nullptr) ++entries;  // libarchive skips each entry's data
  return entries;
}

}  // namespace clnrm::image
