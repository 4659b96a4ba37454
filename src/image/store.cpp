// The content-addressed image store (store.h).
#include "image/store.h"

#include <clnrm/error.h>
#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "base/atomic_file.h"
#include "base/file_lock.h"
#include "image/digest.h"
#include "image/layer_unpack.h"

namespace clnrm::image {
namespace {

namespace fs = std::filesystem;

void make_dir(const std::string& path, mode_t mode) {
  if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST) throw_errno("cannot create the image cache directory " + path);
}

std::string checked_hex(std::string_view digest, std::string_view what) {
  auto hex = digest_hex(digest);
  if (!hex) throw Error(ErrorKind::Config, fmt::format("{}: {}", what, hex.error()));
  return *hex;
}

// Deletes the children of the directory open at `dirfd`, then nothing else.
bool empty_dir_at(int dirfd) {
  DIR* dir = ::fdopendir(dirfd);
  if (dir == nullptr) {
    ::close(dirfd);
    return false;
  }
  bool ok = true;
  while (dirent* e = ::readdir(dir)) {
    const std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st {};
    if (::fstatat(::dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      ok = false;
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      ::fchmodat(::dirfd(dir), e->d_name, 0700, 0);
      const int child = ::openat(::dirfd(dir), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      ok = child >= 0 && empty_dir_at(child) && ok;
      if (::unlinkat(::dirfd(dir), e->d_name, AT_REMOVEDIR) != 0) ok = false;
    } else if (::unlinkat(::dirfd(dir), e->d_name, 0) != 0) {
      ok = false;
    }
  }
  ::closedir(dir);
  return ok;
}

}  // namespace

bool remove_tree(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return errno == ENOENT;
  if (!S_ISDIR(st.st_mode)) return ::unlink(path.c_str()) == 0;
  ::chmod(path.c_str(), 0700);
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  const bool emptied = fd >= 0 && empty_dir_at(fd);
  return ::rmdir(path.c_str()) == 0 && emptied;
}

std::string digest_mismatch_message(std::string_view what, std::string_view expected, std::string_view actual) {
  return fmt::format(
      "digest mismatch for {}: expected {}, but its bytes hash to {}. The source is corrupt or was changed after "
      "its manifest was written; nothing of it was stored. Fetch or build the image again (for a registry, "
      "`clnrm image pull` it again; for a file, re-export it, e.g. `docker save` or `skopeo copy`)",
      what, expected, actual);
}

Store::Store(std::string root) : root_(std::move(root)) {
  std::error_code ec;
  fs::create_directories(root_, ec);
  if (ec) throw Error(ErrorKind::Io, fmt::format("cannot create the image cache {}: {}", root_, ec.message()));
  ::chmod(root_.c_str(), 0700);
  make_dir(root_ + "/blobs", 0700);
  make_dir(blobs_dir(), 0700);
  make_dir(layers_dir(), 0700);
  make_dir(refs_dir(), 0700);
  make_dir(root_ + "/locks", 0700);
  make_dir(tmp_dir(), 0700);
}

std::string Store::blob_path(std::string_view digest) const {
  return blobs_dir() + "/" + checked_hex(digest, "blob digest");
}

bool Store::has_blob(std::string_view digest) const {
  struct stat st {};
  return ::lstat(blob_path(digest).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string Store::read_blob(std::string_view digest, std::string_view what, std::size_t max_bytes) const {
  const std::string path = blob_path(digest);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) throw_errno(fmt::format("cannot read {} ({}) from the image cache", what, digest));
  std::string content;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("cannot read " + path);
    if (n == 0) break;
    content.append(buf, static_cast<std::size_t>(n));
    if (content.size() > max_bytes)
      throw Error(ErrorKind::Config, fmt::format("{} ({}) is larger than {} bytes: not an image manifest or config",
                                                 what, digest, max_bytes));
  }
  return content;
}

std::string Store::put_blob(std::string_view content, std::string_view expected_digest, std::string_view what) const {
  if (!expected_digest.empty() && has_blob(expected_digest)) {
    const std::string actual = "sha256:" + sha256_hex(content);
    if (actual != expected_digest) throw Error(ErrorKind::Backend, digest_mismatch_message(what, expected_digest, actual));
    return std::string(expected_digest);
  }
  BlobWriter writer(*this, std::string(what));
  writer.write(content);
  return writer.commit(expected_digest);
}

FileLock Store::lock(std::string_view name) const {
  return FileLock::wait(fmt::format("{}/locks/{}.lock", root_, name));
}

std::string Store::layer_form(const LayerOwnership& ownership) {
  return ownership.privileged ? fmt::format("uid{}", ownership.uid_offset) : std::string("user");
}

std::string Store::layer(std::string_view digest, const LayerOwnership& ownership, std::string_view what,
                         const UnpackLimits& limits) const {
  const std::string hex = checked_hex(digest, what);
  const std::string form_dir = layers_dir() + "/" + layer_form(ownership);
  make_dir(form_dir, 0700);
  const std::string final_dir = form_dir + "/" + hex;
  struct stat st {};
  if (::lstat(final_dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return final_dir;

  FileLock held = lock("layer-" + layer_form(ownership) + "-" + hex);
  if (::lstat(final_dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return final_dir;  // unpacked while we waited
  // Under the lock nobody else unpacks this layer: a temp dir of it is what a
  // killed unpack left. Delete it; never trust it.
  const std::string temp_prefix = ".tmp-" + hex + "-";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(form_dir, ec)) {
    if (entry.path().filename().string().starts_with(temp_prefix)) remove_tree(entry.path().string());
  }
  std::string temp = form_dir + "/" + temp_prefix + "XXXXXX";
  if (::mkdtemp(temp.data()) == nullptr) throw_errno("cannot create a directory in the image cache " + form_dir);
  try {
    const UnpackedLayer unpacked = unpack_layer(blob_path(digest), temp, ownership, what, limits);
    // Before the rename: a complete layer always has its counts beside it (a
    // count left by a killed unpack is overwritten by the next one).
    write_file_atomically(final_dir + ".bytes", std::to_string(unpacked.bytes));
    write_file_atomically(final_dir + ".entries", std::to_string(unpacked.entries));
  } catch (...) {
    remove_tree(temp);
    throw;
  }
  if (::rename(temp.c_str(), final_dir.c_str()) != 0) {
    const int saved = errno;
    remove_tree(temp);
    errno = saved;
    throw_errno(fmt::format("cannot complete the unpacked {} in {}", what, final_dir));
  }
  return final_dir;
}

namespace {

// The bytes of regular files and the entries below the directory open at
// `dirfd`, never following a symbolic link.
UnpackedLayer count_tree_at(int dirfd) {
  UnpackedLayer total;
  DIR* dir = ::fdopendir(dirfd);
  if (dir == nullptr) {
    ::close(dirfd);
    return total;
  }
  while (const dirent* e = ::readdir(dir)) {
    const std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    ++total.entries;
    struct stat st {};
    if (::fstatat(::dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISREG(st.st_mode)) total.bytes += static_cast<std::uint64_t>(st.st_size);
    if (S_ISDIR(st.st_mode)) {
      const int child = ::openat(::dirfd(dir), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (child >= 0) {
        const UnpackedLayer below = count_tree_at(child);
        total.bytes += below.bytes;
        total.entries += below.entries;
      }
    }
  }
  ::closedir(dir);
  return total;
}

// The number in `<layer_dir><suffix>`; when absent (a layer unpacked by a
// clnrm that did not keep it), `count()` and saved.
template <class Count>
std::uint64_t layer_count(const std::string& layer_dir, const char* suffix, Count count) {
  const std::string sidecar = layer_dir + suffix;
  if (FILE* f = std::fopen(sidecar.c_str(), "re")) {
    unsigned long long value = 0;
    const bool read = std::fscanf(f, "%llu", &value) == 1;
    std::fclose(f);
    if (read) return value;
  }
  const std::uint64_t value = count();
  write_file_atomically(sidecar, std::to_string(value));
  return value;
}

UnpackedLayer count_tree(const std::string& layer_dir) {
  const int fd = ::open(layer_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) throw_errno("cannot open the unpacked layer " + layer_dir);
  return count_tree_at(fd);
}

}  // namespace

std::uint64_t Store::layer_bytes(const std::string& layer_dir) {
  return layer_count(layer_dir, ".bytes", [&] { return count_tree(layer_dir).bytes; });
}

std::uint64_t Store::layer_entries(std::string_view digest, const std::string& layer_dir, std::string_view what) const {
  return layer_count(layer_dir, ".entries", [&] {
    // The tar's own count, as unpacking counts; only when its blob is gone,
    // the directory's (which also holds the parents a tar may leave out).
    if (has_blob(digest)) return count_layer_entries(blob_path(digest), what);
    return count_tree(layer_dir).entries;
  });
}

BlobWriter::BlobWriter(const Store& store, std::string what) : store_(store), what_(std::move(what)) {
  temp_path_ = store_.tmp_dir() + "/blob-XXXXXX";
  fd_.reset(::mkostemp(temp_path_.data(), O_CLOEXEC));
  if (!fd_.valid()) throw_errno("cannot create a temp file in the image cache " + store_.tmp_dir());
  // Locked while in use: prune deletes only temp files nobody holds (those
  // of killed pulls).
  lock_open_file(fd_.get(), temp_path_);
}

BlobWriter::~BlobWriter() {
  if (!committed_) ::unlink(temp_path_.c_str());
}

void BlobWriter::write(std::string_view bytes) {
  hasher_.update(bytes);
  size_ += bytes.size();
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_.get(), bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno(fmt::format("cannot write {} to the image cache", what_));
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::string BlobWriter::commit(std::string_view expected_digest) {
  const std::string actual = finish_digest(hasher_);
  if (!expected_digest.empty() && actual != expected_digest)
    throw Error(ErrorKind::Backend, digest_mismatch_message(what_, expected_digest, actual));
  if (::fchmod(fd_.get(), 0444) != 0 || fd_.close() != 0) throw_errno("cannot write " + temp_path_);
  const std::string final_path = store_.blob_path(actual);
  if (::rename(temp_path_.c_str(), final_path.c_str()) != 0) throw_errno("cannot store " + final_path);
  committed_ = true;
  return actual;
}

std::size_t remove_abandoned_temp_files(const Store& store) {
  std::size_t removed = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(store.tmp_dir(), ec)) {
    UniqueFd fd(::open(entry.path().c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (fd.valid() && try_lock_open_file(fd.get()) && ::unlink(entry.path().c_str()) == 0) ++removed;
  }
  return removed;
}

}  // namespace clnrm::image
