#pragma once
// Writes tar archives with libarchive for image tests (test helper): layers
// with any entry a hostile image could carry (absolute names, '..', symlinked
// parents, devices, hard links, whiteouts), and OCI layouts / docker-archives
// built around them.

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace clnrm::testing {

class TarBuilder {
 public:
  // `gzip`: the layer compressed, as registries serve them.
  explicit TarBuilder(const std::string& path, bool gzip = false) : a_(archive_write_new()) {
    archive_write_set_format_pax_restricted(a_.get());
    if (gzip) archive_write_add_filter_gzip(a_.get());
    if (archive_write_open_filename(a_.get(), path.c_str()) != ARCHIVE_OK)
      throw std::runtime_error("cannot write " + path);
  }
  ~TarBuilder() { close(); }

  TarBuilder& file(const std::string& name, const std::string& content, int mode = 0644, int uid = 0, int gid = 0) {
    Entry e(name, AE_IFREG, mode, uid, gid);
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(content.size()));
    write(e.get(), content);
    return *this;
  }
  TarBuilder& dir(const std::string& name, int mode = 0755, int uid = 0, int gid = 0) {
    Entry e(name, AE_IFDIR, mode, uid, gid);
    write(e.get(), {});
    return *this;
  }
  TarBuilder& symlink(const std::string& name, const std::string& target) {
    Entry e(name, AE_IFLNK, 0777, 0, 0);
    archive_entry_set_symlink(e.get(), target.c_str());
    write(e.get(), {});
    return *this;
  }
  TarBuilder& hardlink(const std::string& name, const std::string& target) {
    Entry e(name, AE_IFREG, 0644, 0, 0);
    archive_entry_set_hardlink(e.get(), target.c_str());
    archive_entry_set_size(e.get(), 0);
    write(e.get(), {});
    return *this;
  }
  TarBuilder& device(const std::string& name, bool block, int major, int minor) {
    Entry e(name, block ? AE_IFBLK : AE_IFCHR, 0600, 0, 0);
    archive_entry_set_rdevmajor(e.get(), major);
    archive_entry_set_rdevminor(e.get(), minor);
    write(e.get(), {});
    return *this;
  }
  void close() {
    if (a_) {
      archive_write_close(a_.get());
      a_.reset();
    }
  }

 private:
  struct Closer {
    void operator()(archive* a) const noexcept { archive_write_free(a); }
  };
  struct EntryFree {
    void operator()(archive_entry* e) const noexcept { archive_entry_free(e); }
  };
  class Entry {
   public:
    Entry(const std::string& name, unsigned type, int mode, int uid, int gid) : e_(archive_entry_new()) {
      archive_entry_set_pathname(e_.get(), name.c_str());
      archive_entry_set_filetype(e_.get(), type);
      archive_entry_set_perm(e_.get(), static_cast<mode_t>(mode));
      archive_entry_set_uid(e_.get(), uid);
      archive_entry_set_gid(e_.get(), gid);
      archive_entry_set_mtime(e_.get(), 1700000000, 0);
    }
    archive_entry* get() const { return e_.get(); }

   private:
    std::unique_ptr<archive_entry, EntryFree> e_;
  };
  void write(archive_entry* e, const std::string& content) {
    if (archive_write_header(a_.get(), e) != ARCHIVE_OK)
      throw std::runtime_error(std::string("tar header: ") + archive_error_string(a_.get()));
    if (!content.empty()) archive_write_data(a_.get(), content.data(), content.size());
  }
  std::unique_ptr<archive, Closer> a_;
};

}  // namespace clnrm::testing
