#pragma once
// A SQLite VFS that is the default "unix" one plus a count of the syncs
// (xSync) of every file, by the file's name: for tests of how often a
// database and its write-ahead log reach the disk. Installed as the default
// VFS while it lives, so the code under test opens its databases through it
// unchanged. One at a time; not thread-safe.

#include <sqlite3.h>

#include <map>
#include <stdexcept>
#include <string>

namespace clnrm::testing {

class SyncCountingVfs {
 public:
  SyncCountingVfs() {
    real_ = sqlite3_vfs_find("unix");
    if (!real_ || current_) throw std::logic_error("SyncCountingVfs: no unix VFS, or two at once");
    current_ = this;
    vfs_ = *real_;
    vfs_.zName = "clnrm-sync-counting";
    vfs_.szOsFile = static_cast<int>(sizeof(File)) + real_->szOsFile;
    vfs_.xOpen = &open;
    if (sqlite3_vfs_register(&vfs_, 1) != SQLITE_OK) throw std::runtime_error("sqlite3_vfs_register");
  }
  ~SyncCountingVfs() {
    sqlite3_vfs_unregister(&vfs_);
    sqlite3_vfs_register(real_, 1);
    current_ = nullptr;
  }
  SyncCountingVfs(const SyncCountingVfs&) = delete;
  SyncCountingVfs& operator=(const SyncCountingVfs&) = delete;

  // Syncs of the file whose name ends with `suffix` ("history.db",
  // "history.db-wal"), since construction or the last reset().
  int syncs(const std::string& suffix) const {
    int n = 0;
    for (const auto& [name, count] : syncs_)
      if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
        n += count;
    return n;
  }
  void reset() { syncs_.clear(); }

 private:
  // The real file follows this header in the memory SQLite gives xOpen.
  struct File {
    sqlite3_file base;
    std::string* name;
    sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
  };
  static File* as(sqlite3_file* f) { return reinterpret_cast<File*>(f); }

  static int open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
    File* f = as(file);
    f->base.pMethods = nullptr;
    const int rc = current_->real_->xOpen(current_->real_, name, f->real(), flags, out_flags);
    if (rc != SQLITE_OK || !f->real()->pMethods) return rc;
    f->name = new std::string(name ? name : "");
    current_->methods_ = *f->real()->pMethods;
    current_->methods_.xClose = &close;
    current_->methods_.xSync = &sync;
    current_->methods_.xRead = &read;
    current_->methods_.xWrite = &write;
    current_->methods_.xTruncate = &truncate;
    current_->methods_.xFileSize = &file_size;
    current_->methods_.xLock = &lock;
    current_->methods_.xUnlock = &unlock;
    current_->methods_.xCheckReservedLock = &check_reserved_lock;
    current_->methods_.xFileControl = &file_control;
    current_->methods_.xSectorSize = &sector_size;
    current_->methods_.xDeviceCharacteristics = &device_characteristics;
    current_->methods_.xShmMap = &shm_map;
    current_->methods_.xShmLock = &shm_lock;
    current_->methods_.xShmBarrier = &shm_barrier;
    current_->methods_.xShmUnmap = &shm_unmap;
    current_->methods_.xFetch = &fetch;
    current_->methods_.xUnfetch = &unfetch;
    f->base.pMethods = &current_->methods_;
    return rc;
  }
  static int sync(sqlite3_file* file, int flags) {
    ++current_->syncs_[*as(file)->name];
    return real(file)->pMethods->xSync(real(file), flags);
  }
  static int close(sqlite3_file* file) {
    delete as(file)->name;
    return real(file)->pMethods->xClose(real(file));
  }
  static sqlite3_file* real(sqlite3_file* file) { return as(file)->real(); }
  static int read(sqlite3_file* f, void* b, int n, sqlite3_int64 o) { return real(f)->pMethods->xRead(real(f), b, n, o); }
  static int write(sqlite3_file* f, const void* b, int n, sqlite3_int64 o) { return real(f)->pMethods->xWrite(real(f), b, n, o); }
  static int truncate(sqlite3_file* f, sqlite3_int64 s) { return real(f)->pMethods->xTruncate(real(f), s); }
  static int file_size(sqlite3_file* f, sqlite3_int64* s) { return real(f)->pMethods->xFileSize(real(f), s); }
  static int lock(sqlite3_file* f, int l) { return real(f)->pMethods->xLock(real(f), l); }
  static int unlock(sqlite3_file* f, int l) { return real(f)->pMethods->xUnlock(real(f), l); }
  static int check_reserved_lock(sqlite3_file* f, int* r) { return real(f)->pMethods->xCheckReservedLock(real(f), r); }
  static int file_control(sqlite3_file* f, int op, void* a) { return real(f)->pMethods->xFileControl(real(f), op, a); }
  static int sector_size(sqlite3_file* f) { return real(f)->pMethods->xSectorSize(real(f)); }
  static int device_characteristics(sqlite3_file* f) { return real(f)->pMethods->xDeviceCharacteristics(real(f)); }
  static int shm_map(sqlite3_file* f, int i, int s, int e, void volatile** p) { return real(f)->pMethods->xShmMap(real(f), i, s, e, p); }
  static int shm_lock(sqlite3_file* f, int o, int n, int fl) { return real(f)->pMethods->xShmLock(real(f), o, n, fl); }
  static void shm_barrier(sqlite3_file* f) { real(f)->pMethods->xShmBarrier(real(f)); }
  static int shm_unmap(sqlite3_file* f, int d) { return real(f)->pMethods->xShmUnmap(real(f), d); }
  static int fetch(sqlite3_file* f, sqlite3_int64 o, int n, void** p) { return real(f)->pMethods->xFetch(real(f), o, n, p); }
  static int unfetch(sqlite3_file* f, sqlite3_int64 o, void* p) { return real(f)->pMethods->xUnfetch(real(f), o, p); }

  static inline SyncCountingVfs* current_ = nullptr;
  sqlite3_vfs* real_ = nullptr;
  sqlite3_vfs vfs_{};
  sqlite3_io_methods methods_{};
  std::map<std::string, int> syncs_;
};

}  // namespace clnrm::testing
