#pragma once
// Internal to src/image: the content-addressed image store under the cache
// directory (docs/images.md, "The cache"):
//
//   blobs/sha256/<hex>         every blob (manifest, config, layer), verified on
//                              arrival, read-only
//   layers/<form>/<hex>/       a layer blob unpacked once; <form> is how it was
//                              unpacked ("uid<offset>" for a root runner,
//                              "user" otherwise: layer_unpack.h)
//   layers/<form>/<hex>.bytes the size of its regular files (size limits)
//   layers/<form>/<hex>.entries its tar entries (size limits)
//   layers/<form>/.tmp-<hex>-* an unpack in progress (or killed: deleted by
//                              the next unpack of that layer, never trusted)
//   refs/<sha256 of ref>.json  which manifest a reference resolved to
//   locks/<name>.lock          one flock per blob / layer
//   tmp/                       blobs in transit
//
// Nothing is renamed into blobs/ or layers/ before it is complete and
// verified, so a reader never sees half of one.

#include <clnrm/image.h>
#include <clnrm/sha256.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/unique_fd.h"
#include "base/file_lock.h"
#include "image/layer_unpack.h"

namespace clnrm::image {

class Store {
 public:
  // Creates the directories (0700: the cache holds other images' files,
  // setuid ones among them for a root runner) when missing.
  explicit Store(std::string root);

  const std::string& root() const noexcept { return root_; }
  // Path of a blob (digest checked strictly: it becomes part of the path).
  std::string blob_path(std::string_view digest) const;
  bool has_blob(std::string_view digest) const;
  // A blob of at most `max_bytes` (manifests, configs, indexes), read whole.
  std::string read_blob(std::string_view digest, std::string_view what, std::size_t max_bytes = 4u << 20) const;
  // Stores `content`; when `expected_digest` is not empty it must match.
  // Returns the digest.
  std::string put_blob(std::string_view content, std::string_view expected_digest, std::string_view what) const;
  FileLock lock(std::string_view name) const;

  // The unpacked directory of layer blob `digest` in `ownership`'s form,
  // unpacking it first (within `limits`) when no complete one exists (under
  // the layer's lock). Its size goes to `<dir>.bytes` beside it, its tar
  // entries to `<dir>.entries`.
  std::string layer(std::string_view digest, const LayerOwnership& ownership, std::string_view what,
                    const UnpackLimits& limits = {}) const;
  // The bytes of regular files in the layer directory `layer_dir` (what
  // layer() returned), from `<dir>.bytes`; counted (and saved) when a layer
  // unpacked before sizes were kept has none.
  static std::uint64_t layer_bytes(const std::string& layer_dir);
  // The tar entries of layer blob `digest`, unpacked in `layer_dir`, from
  // `<dir>.entries`; for a layer unpacked before entries were kept, counted
  // (from the blob's tar headers; the directory's entries when the blob is
  // gone) and saved.
  std::uint64_t layer_entries(std::string_view digest, const std::string& layer_dir, std::string_view what) const;
  static std::string layer_form(const LayerOwnership& ownership);

  std::string tmp_dir() const { return root_ + "/tmp"; }
  std::string refs_dir() const { return root_ + "/refs"; }
  std::string layers_dir() const { return root_ + "/layers"; }
  std::string blobs_dir() const { return root_ + "/blobs/sha256"; }

 private:
  std::string root_;
};

// Writes one blob as it arrives (a registry download, an archive member): a
// temp file under tmp/, hashed on the way, renamed into blobs/ only when
// the digest matches. Destroyed uncommitted: the temp file is removed.
class BlobWriter {
 public:
  BlobWriter(const Store& store, std::string what);
  ~BlobWriter();
  BlobWriter(const BlobWriter&) = delete;
  BlobWriter& operator=(const BlobWriter&) = delete;

  void write(std::string_view bytes);
  std::uint64_t size() const noexcept { return size_; }
  // Verifies (when `expected_digest` is not empty) and stores; returns the
  // digest. Throws Error(Backend) "digest mismatch ..." otherwise.
  std::string commit(std::string_view expected_digest);

 private:
  const Store& store_;
  std::string what_;
  std::string temp_path_;
  UniqueFd fd_;
  Sha256 hasher_;
  std::uint64_t size_ = 0;
  bool committed_ = false;
};

// "digest mismatch for <what>: ..." with what to do (one wording).
std::string digest_mismatch_message(std::string_view what, std::string_view expected, std::string_view actual);

// Deletes temp files under tmp/ that no live BlobWriter holds (a killed
// pull's); returns how many.
std::size_t remove_abandoned_temp_files(const Store& store);

// Removes a tree that may hold read-only directories (an unpacked layer):
// write permission is given back to each directory before it is emptied.
// Never follows symbolic links. Returns false when something stayed.
bool remove_tree(const std::string& path);

}  // namespace clnrm::image
