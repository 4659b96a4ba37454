// The pod's filesystem (root_view.h says what it holds and why), built by pod
// init inside its fresh mount namespace, which starts as a private copy of
// the host's mount table. The way bubblewrap does it: a tmpfs becomes the
// root for a moment with the host's root below it at /old, the pod's root is
// assembled next to it from binds of /old paths, then a second pivot_root
// makes that the root and the whole host tree is detached. Nothing of this
// is visible on the host, and it all goes with the namespace, even after
// SIGKILL. Async-signal-safe: no allocation, fixed buffers.
//
// Side: inside the pod (docs/SANDBOX.md, "Code by side"); includes no
// runner-side header.
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <initializer_list>
#include <string>

#include "backend/sandbox/mounts.h"
#include "base/open_beneath.h"

namespace clnrm::sandbox {
namespace {

// The parts one after another into `out`, without allocating (cut to fit).
const char* join(char* out, std::size_t size, std::initializer_list<const char*> parts) noexcept {
  std::size_t n = 0;
  for (const char* part : parts) {
    for (const char* p = part; *p != '\0' && n + 1 < size; ++p) out[n++] = *p;
  }
  out[n] = '\0';
  return out;
}

// Where things are while the pod's root is assembled (paths in the
// temporary root): the host's root, the pod's root, the scratch tmpfs.
constexpr const char* kOld = "/old";
constexpr const char* kNew = "/new";
constexpr const char* kScratch = "/scratch";

// The OCI runtime spec's defaults (runc, Docker): masked paths get an empty
// read-only tmpfs (directories) or /dev/null (files); read-only paths are
// bound onto themselves read-only. Missing ones are skipped.
constexpr const char* kMaskedPaths[] = {
    "/proc/acpi",        "/proc/asound",        "/proc/kcore",
    "/proc/keys",        "/proc/latency_stats", "/proc/timer_list",
    "/proc/timer_stats", "/proc/sched_debug",   "/proc/scsi",
    "/proc/interrupts",  "/sys/firmware",       "/sys/devices/virtual/powercap"};
constexpr const char* kReadOnlyPaths[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                          "/proc/sysrq-trigger"};

// The devices of a minimal /dev, bound from the host's.
constexpr const char* kDevices[] = {"null", "zero", "full", "random", "urandom", "tty"};

struct Failure {
  const char** stage;
  int fail(const char* what) const noexcept {
    *stage = what;
    return errno != 0 ? errno : EIO;
  }
};

int set_attr(const char* path, std::uint64_t set, bool recursive) noexcept {
  mount_attr attr{};
  attr.attr_set = set;
  return static_cast<int>(::syscall(SYS_mount_setattr, AT_FDCWD, path,
                                    AT_NO_AUTOMOUNT | (recursive ? AT_RECURSIVE : 0), &attr,
                                    sizeof attr));
}

// Like `mkdir -p`, for the parents of `path` only. The nearest parent is
// tried first: it exists for almost every mount point, so that is one call
// where going down from the root made one per level.
int make_parents(char* path) noexcept {
  char* slash = nullptr;
  for (char* p = path + 1; *p != '\0'; ++p) {
    if (*p == '/') slash = p;
  }
  if (slash == nullptr) return 0;
  *slash = '\0';
  int rc = ::mkdir(path, 0755);
  if (rc != 0 && errno == ENOENT) {
    rc = make_parents(path);
    if (rc == 0) rc = ::mkdir(path, 0755);
  }
  const bool made = rc == 0 || errno == EEXIST;
  *slash = '/';
  return made ? 0 : -1;
}

// An empty file or directory at `path` to mount on. Its parents are made
// only when missing: most mount points are made in a directory that exists.
int make_mount_point(char* path, bool directory) noexcept {
  // An empty regular file in one call (open and close were two).
  auto make = [&] { return directory ? ::mkdir(path, 0755) : ::mknod(path, S_IFREG | 0644, 0); };
  int rc = make();
  if (rc != 0 && errno == ENOENT) {
    if (make_parents(path) != 0) return -1;
    rc = make();
  }
  return rc == 0 || errno == EEXIST || (!directory && errno == EROFS) ? 0 : -1;
}

// `n` in decimal into `out` (at least 12 bytes).
const char* decimal(char* out, int n) noexcept {
  char digits[12];
  int len = 0;
  do {
    digits[len++] = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n > 0 && len < 11);
  for (int i = 0; i < len; ++i) out[i] = digits[len - 1 - i];
  out[len] = '\0';
  return out;
}

// `source` (a path in the temporary root) bound read-only at /new<path>.
int bind_host(const char* source, const char* path, bool directory, std::uint64_t attrs,
              const Failure& f) noexcept {
  char to[4096];
  join(to, sizeof to, {kNew, path});
  if (make_mount_point(to, directory) != 0)
    return f.fail("creating a mount point in the pod's root");
  if (::mount(source, to, nullptr, MS_BIND | MS_REC, nullptr) != 0)
    return f.fail("binding a host directory into the pod");
  if (set_attr(to, MOUNT_ATTR_RDONLY | attrs, true) != 0)
    return f.fail("making a host directory read-only");
  return 0;
}

// A volume (`source`: the runner's descriptor of it) at /new<target>:
// nosuid and nodev always, read-only unless the test made it writable. Its
// mount point is made in the pod's root or scratch tmpfs, never in a host
// directory: the system directories are bound read-only before this (a
// missing mount point there is EROFS) and the parser refuses a volume inside
// another.
int bind_volume(const char* source, const ViewEntry& entry, const Failure& f) noexcept {
  char to[4096];
  join(to, sizeof to, {kNew, entry.in_pod().c_str()});
  if (make_mount_point(to, entry.kind == ViewEntry::Kind::Directory) != 0) {
    return f.fail(
        "creating a volume's mount point (a container_path inside /usr, /etc, /opt, /bin, /sbin, /lib* or a "
        "rootfs must already exist there)");
  }
  if (::mount(source, to, nullptr, MS_BIND | MS_REC, nullptr) != 0) return f.fail("binding a volume into the pod");
  const std::uint64_t attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (entry.writable ? 0 : MOUNT_ATTR_RDONLY);
  if (set_attr(to, attrs, true) != 0) return f.fail("setting a volume's mount attributes");
  return 0;
}

// A directory of the scratch tmpfs bound at /new<path>, with `mode`.
int bind_scratch(const char* name, const char* path, mode_t mode, const Failure& f) noexcept {
  char from[256];
  char to[4096];
  join(from, sizeof from, {kScratch, "/", name});
  join(to, sizeof to, {kNew, path});
  if ((::mkdir(from, mode) != 0 && errno != EEXIST) || ::chmod(from, mode) != 0)
    return f.fail("mkdir in the scratch tmpfs");
  if (make_mount_point(to, true) != 0) return f.fail("creating a scratch mount point");
  if (::mount(from, to, nullptr, MS_BIND, nullptr) != 0) return f.fail("binding the scratch tmpfs");
  return 0;
}

int setup_dev(const Failure& f) noexcept {
  char to[256];
  char from[256];
  if (::mkdir("/new/dev", 0755) != 0 ||
      ::mount("tmpfs", "/new/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k") != 0) {
    return f.fail("mounting the pod's /dev");
  }
  for (const char* device : kDevices) {
    join(to, sizeof to, {"/new/dev/", device});
    join(from, sizeof from, {"/old/dev/", device});
    if (make_mount_point(to, false) != 0 || ::mount(from, to, nullptr, MS_BIND, nullptr) != 0) {
      return f.fail("binding a device into the pod's /dev");
    }
  }
  static constexpr const char* kLinks[][2] = {{"/proc/self/fd", "/new/dev/fd"},
                                              {"/proc/self/fd/0", "/new/dev/stdin"},
                                              {"/proc/self/fd/1", "/new/dev/stdout"},
                                              {"/proc/self/fd/2", "/new/dev/stderr"},
                                              {"pts/ptmx", "/new/dev/ptmx"}};
  for (const auto& link : kLinks) {
    if (::symlink(link[0], link[1]) != 0) return f.fail("symlinks in the pod's /dev");
  }
  // A private pty instance: the host's terminals are not in it.
  if (::mkdir("/new/dev/pts", 0755) != 0 ||
      ::mount("devpts", "/new/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
              "newinstance,ptmxmode=0666,mode=0620") != 0) {
    return f.fail("mounting the pod's /dev/pts");
  }
  if (int e = bind_scratch("shm", "/dev/shm", 01777, f); e != 0) return e;
  return 0;
}

int setup_proc_and_sys(const Failure& f) noexcept {
  if (::mkdir("/new/proc", 0555) != 0 ||
      ::mount("proc", "/new/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
    return f.fail("mounting the pod's /proc");
  }
  if (int e = bind_host("/old/sys", "/sys", true,
                        MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, f);
      e != 0)
    return e;
  char path[256];
  // The first masked directory gets an empty read-only tmpfs; the others a
  // bind of it (a bind keeps its source's mount flags): one superblock to
  // make and to tear down, not one each.
  char empty_dir[256] = "";
  for (const char* masked : kMaskedPaths) {
    struct stat st {};
    join(path, sizeof path, {kNew, masked});
    if (::lstat(path, &st) != 0) continue;
    int rc = 0;
    if (!S_ISDIR(st.st_mode)) {
      rc = ::mount("/new/dev/null", path, nullptr, MS_BIND, nullptr);
    } else if (empty_dir[0] != '\0') {
      rc = ::mount(empty_dir, path, nullptr, MS_BIND, nullptr);
    } else {
      rc = ::mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0555,size=0");
      if (rc == 0) join(empty_dir, sizeof empty_dir, {path});
    }
    if (rc != 0) return f.fail("masking a /proc or /sys path");
  }
  for (const char* read_only : kReadOnlyPaths) {
    join(path, sizeof path, {kNew, read_only});
    if (::mount(path, path, nullptr, MS_BIND | MS_REC, nullptr) != 0) {
      if (errno == ENOENT) continue;  // not in this kernel
      return f.fail("making a /proc path read-only");
    }
    if (set_attr(path, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, true) != 0)
      return f.fail("making a /proc path read-only");
  }
  return 0;
}

// A service's image root (ImageMount): overlayfs of the image's layers, bound
// read-only at /new<host path> by now (shared directories), with its upper
// and work directories in the scratch tmpfs (/scratch/images/<index>, which
// no pod process can reach once the temporary root is detached; the scratch
// size bounds what the image's processes write). `userxattr`: overlayfs
// keeps and reads its metadata in user.overlay.* xattrs, the only ones a
// user namespace's root may use (trusted.* needs CAP_SYS_ADMIN on the host),
// so opaque directories of the layers are user.overlay.opaque="y" and
// whiteouts character devices 0/0 (docs/SANDBOX.md, "Image pods"). Same
// options at every level, so a layer means the same everywhere.
int mount_image(const ImageMount& image, int index, const Failure& f) noexcept {
  char number[12];
  char dir[128];
  char upper[128];
  char work[128];
  decimal(number, index);
  join(dir, sizeof dir, {kScratch, "/images/", number});
  join(upper, sizeof upper, {dir, "/upper"});
  join(work, sizeof work, {dir, "/work"});
  if ((::mkdir("/scratch/images", 0700) != 0 && errno != EEXIST) || ::mkdir(dir, 0700) != 0 ||
      ::mkdir(upper, 0755) != 0 || ::mkdir(work, 0700) != 0) {
    return f.fail("making an image's upper directory in the scratch tmpfs");
  }
  // lowerdir=/new/<top>:/new/<next>:...,upperdir=...,workdir=...,userxattr
  char data[4096];
  std::size_t n = 0;
  auto put = [&](const char* text) noexcept {
    for (const char* p = text; *p != '\0' && n + 1 < sizeof data; ++p) data[n++] = *p;
  };
  put("lowerdir=");
  put(kNew);
  for (const char* p = image.lower.c_str(); *p != '\0' && n + 1 < sizeof data; ++p) {
    data[n++] = *p;
    if (*p == ':') put(kNew);
  }
  put(",upperdir=");
  put(upper);
  put(",workdir=");
  put(work);
  put(",userxattr");
  data[n] = '\0';
  if (n + 1 >= sizeof data) {
    errno = E2BIG;
    return f.fail("an image's overlayfs options (too many layers)");
  }
  char to[4096];
  join(to, sizeof to, {kNew, image.mount_point.c_str()});
  if (make_mount_point(to, true) != 0) return f.fail("creating an image root's mount point");
  if (::mount("overlay", to, "overlay", MS_NOSUID | MS_NODEV, data) != 0)
    return f.fail("mounting an image's layers (overlayfs)");
  // What enter_rootfs binds the pod's /tmp, /proc and /dev onto, and the
  // image's WorkingDir (made when missing, as Docker does). They go to the
  // upper directory, never to a layer.
  char path[4096];
  for (const char* needed : {"/tmp", "/proc", "/dev"}) {
    if (::mkdir(join(path, sizeof path, {to, needed}), 0755) != 0 && errno != EEXIST)
      return f.fail("making /tmp, /proc or /dev in an image root");
  }
  if (!image.workdir.empty()) {
    join(path, sizeof path, {to, image.workdir.c_str(), "/"});
    if (make_parents(path) != 0) return f.fail("making an image's WorkingDir");
  }
  return 0;
}

// An O_PATH descriptor of `path` (absolute) in the image root `root`, made
// where missing (as Docker makes a volume's mount point; in the overlay, so
// in its upper directory on the scratch tmpfs), or -1. Each prefix is
// resolved with RESOLVE_IN_ROOT: an image's symbolic link (its own /srv ->
// /data, or one to "/", "..", "/proc/...", a host path) resolves inside the
// image root as it would for the image's processes, never into the pod's or
// the host's tree; RESOLVE_NO_XDEV: never into a mount below (the image
// root's /tmp, /proc, /dev are still its own empty directories here). That
// is BeneathRule::InRoot of base/open_beneath.h (async-signal-safe): the
// image's own links must resolve as in the image, where the runner side's
// reads below a directory follow no link at all.
int open_in_image(int root, const char* path, bool directory) noexcept {
  char prefix[4096];
  join(prefix, sizeof prefix, {path + 1});  // relative to the image root
  const std::size_t length = std::char_traits<char>::length(prefix);
  for (std::size_t end = 0; end <= length; ++end) {
    if (end < length && prefix[end] != '/') continue;
    const bool last = end == length;
    const char saved = prefix[end];
    prefix[end] = '\0';
    const int flags = O_PATH | O_CLOEXEC | (last && !directory ? 0 : O_DIRECTORY);
    int fd = open_beneath_fd(root, prefix, flags, BeneathRule::InRoot);
    if (fd < 0 && errno == ENOENT) {
      // Make the last component in its parent (resolved the same way).
      char* slash = prefix + end;
      while (slash != prefix && *slash != '/') --slash;
      const char* name = slash == prefix ? prefix : slash + 1;
      int parent = root;
      if (slash != prefix) {
        *slash = '\0';
        parent = open_beneath_fd(root, prefix, O_PATH | O_CLOEXEC | O_DIRECTORY, BeneathRule::InRoot);
        *slash = '/';
        if (parent < 0) return -1;
      }
      int made = 0;
      if (last && !directory) {
        const int file = ::openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        made = file >= 0 ? ::close(file) : -1;
      } else {
        made = ::mkdirat(parent, name, 0755);
      }
      const int saved_errno = errno;
      if (parent != root) ::close(parent);
      errno = saved_errno;
      // EEXIST: a dangling symbolic link there; the open below fails on it.
      if (made != 0 && errno != EEXIST) return -1;
      fd = open_beneath_fd(root, prefix, flags, BeneathRule::InRoot);
    }
    prefix[end] = saved;
    if (fd < 0 || last) return fd;
    ::close(fd);
  }
  return -1;
}

// The test's volumes in an image root (mounted at /new<image.mount_point>):
// the pod's root has them at their container_path, and the image's
// processes (its service, steps in it, steps in the test's default image)
// enter the image root instead, so each volume is bound there too: a
// recursive clone of its mount in the pod's root (with the unix sockets
// inside covered), given bind_volume's attributes again, moved onto its
// mount point in the image root. Volumes under /tmp come with the pod's
// /tmp, which enter_rootfs binds into the image root whole.
int bind_volumes_into_image(const RootView& view, const ImageMount& image, const Failure& f) noexcept {
  char path[4096];
  const int root = ::open(join(path, sizeof path, {kNew, image.mount_point.c_str()}),
                          O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (root < 0) return f.fail("opening an image root");
  int rc = 0;
  for (const ViewEntry& entry : view.entries) {
    if (!entry.volume) continue;
    const std::string& target = entry.in_pod();
    if (target.rfind("/tmp/", 0) == 0) continue;
    const bool directory = entry.kind == ViewEntry::Kind::Directory;
    const int point = open_in_image(root, target.c_str(), directory);
    if (point < 0) {
      rc = f.fail("making a volume's mount point in an image root (its path there must be a directory, or a file "
                  "for a file volume, reached inside the image)");
      break;
    }
    const int tree = static_cast<int>(::syscall(SYS_open_tree, AT_FDCWD, join(path, sizeof path, {kNew, target.c_str()}),
                                                OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE));
    mount_attr attr{};
    attr.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (entry.writable ? 0 : MOUNT_ATTR_RDONLY);
    if (tree < 0 ||
        ::syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) != 0 ||
        ::syscall(SYS_move_mount, tree, "", point, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0) {
      rc = f.fail("binding a volume into an image root");
    }
    const int saved_errno = errno;
    if (tree >= 0) ::close(tree);
    ::close(point);
    errno = saved_errno;
    if (rc != 0) break;
  }
  const int saved_errno = errno;
  ::close(root);
  errno = saved_errno;
  return rc;
}

}  // namespace

int prepare_pod_mounts(const MountPlan& plan, int* shared_fds, const char** stage) noexcept {
  const Failure f{stage};
  // The shared directories, opened with the runner's identity in the pod's
  // own mount namespace: bound from these descriptors later, nothing walks
  // their host paths as the pod's root.
  int i = 0;
  for (const ViewEntry& entry : plan.view->entries) {
    if (!entry.shared) continue;
    if (i == kMaxSharedDirs) return f.fail("too many shared directories");
    if (entry.volume) {
      // A volume's host path was checked to be canonical inside the test
      // file's directory: a symbolic link met now was put there since.
      open_how how{};
      how.flags = O_PATH | O_CLOEXEC | (entry.kind == ViewEntry::Kind::Directory ? O_DIRECTORY : 0);
      how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
      shared_fds[i] = static_cast<int>(::syscall(SYS_openat2, AT_FDCWD, entry.path.c_str(), &how, sizeof how));
      if (shared_fds[i++] < 0) return f.fail("opening a volume's host path (without following symbolic links)");
      continue;
    }
    shared_fds[i] = ::open(entry.path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (shared_fds[i++] < 0) return f.fail("opening a shared directory");
  }
  return 0;
}

int assemble_pod_root(const MountPlan& plan, const int* shared_fds, const char** stage) noexcept {
  const Failure f{stage};
  // Private first: nothing mounted here propagates back to the host.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    return f.fail("making / private");
  // The temporary root. /tmp is only a place to mount it: once it is the
  // root, /old/tmp shows the host's /tmp again (not that the pod needs it).
  if (::mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755,size=64k") !=
      0) {
    return f.fail("mounting the temporary root");
  }
  if (::chdir("/tmp") != 0 || ::mkdir("old", 0700) != 0 || ::mkdir("new", 0755) != 0 ||
      ::mkdir("scratch", 0755) != 0) {
    return f.fail("preparing the temporary root");
  }
  if (::syscall(SYS_pivot_root, ".", "old") != 0 || ::chdir("/") != 0) {
    return f.fail("pivot_root to the temporary root");
  }
  // The pod's root: read-only once assembled. nodev everywhere but /dev.
  const std::uint64_t attrs = MOUNT_ATTR_NODEV | (plan.nosuid ? MOUNT_ATTR_NOSUID : 0);
  if (::mount("tmpfs", kNew, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=256k") != 0) {
    return f.fail("mounting the pod's root");
  }
  // One scratch tmpfs for /tmp (with the workdir), /run, /var/tmp and
  // /dev/shm: one size budget for all of the pod's writable space.
  char options[96];
  join(options, sizeof options, {"mode=0755,", plan.scratch_size.c_str()});
  if (::mount("tmpfs", kScratch, "tmpfs", MS_NOSUID | MS_NODEV, options) != 0)
    return f.fail("mounting the scratch tmpfs");

  const RootView& view = *plan.view;
  for (const ViewEntry& entry : view.entries) {
    if (entry.shared) continue;
    if (entry.kind == ViewEntry::Kind::Symlink) {
      char to[4096];
      if (::symlink(entry.link.c_str(), join(to, sizeof to, {kNew, entry.path.c_str()})) != 0) {
        return f.fail("recreating a symlink of the host's root");
      }
    } else {
      char from[4096];
      join(from, sizeof from, {kOld, entry.path.c_str()});
      const bool directory = entry.kind == ViewEntry::Kind::Directory;
      if (int e = bind_host(from, entry.path.c_str(), directory, attrs, f); e != 0) return e;
    }
  }
  if (int e = bind_scratch("tmp", "/tmp", 01777, f); e != 0) return e;
  if (int e = bind_scratch("run", "/run", 0755, f); e != 0) return e;
  if (int e = bind_scratch("var-tmp", "/var/tmp", 01777, f); e != 0) return e;
  if (::symlink("../run", "/new/var/run") != 0) return f.fail("symlink /var/run");
  char workdir[4096];
  join(workdir, sizeof workdir, {kNew, plan.workdir.c_str()});
  if (make_parents(workdir) != 0 || (::mkdir(workdir, 0755) != 0 && errno != EEXIST)) {
    return f.fail("mkdir of the workdir (it must be inside /tmp)");
  }
  if (int e = setup_dev(f); e != 0) return e;
  if (int e = setup_proc_and_sys(f); e != 0) return e;
  int shared = 0;
  for (const ViewEntry& entry : view.entries) {
    if (!entry.shared) continue;
    char from[64];
    char fd[12];
    join(from, sizeof from, {"/old/proc/self/fd/", decimal(fd, shared_fds[shared++])});
    if (entry.volume) {
      if (int e = bind_volume(from, entry, f); e != 0) return e;
      continue;
    }
    if (int e = bind_host(from, entry.path.c_str(), true, attrs, f); e != 0) return e;
  }
  for (std::size_t i = 0; i < plan.images.size(); ++i) {
    if (int e = mount_image(plan.images[i], static_cast<int>(i), f); e != 0) return e;
    if (int e = bind_volumes_into_image(view, plan.images[i], f); e != 0) return e;
  }
  if (set_attr(kNew, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, false) != 0 ||
      set_attr("/new/dev", MOUNT_ATTR_RDONLY, false) != 0) {
    return f.fail("making the pod's root read-only");
  }
  // The pod's root becomes the root; the temporary one, with the host's
  // whole tree under it, is detached (a detach waits for an RCU grace
  // period: here, before the runner's walk is there rather than after it).
  if (::chdir(kNew) != 0 || ::syscall(SYS_pivot_root, ".", ".") != 0)
    return f.fail("pivot_root into the pod's root");
  if (::umount2(".", MNT_DETACH) != 0 || ::chdir("/") != 0)
    return f.fail("detaching the host's root");
  return 0;
}

int seal_pod_root(const std::vector<std::string>& covered, const char** stage) noexcept {
  const Failure f{stage};
  // Sockets of bound directories (connect(2) on /dev/null fails) and
  // secrets, in the pod's root (the process's since assemble_pod_root): a
  // mount over a path of a read-only mount is still a mount.
  for (const std::string& socket : covered) {
    // ENOENT: gone since; EACCES: below a directory the pod's identity may
    // not enter, so none of its processes can reach it either.
    if (::mount("/dev/null", socket.c_str(), nullptr, MS_BIND, nullptr) != 0 && errno != ENOENT &&
        errno != EACCES) {
      return f.fail("covering a unix socket or secret of a bound directory");
    }
  }
  return 0;
}

int enter_rootfs(const char* rootfs, bool writable, const char** stage) noexcept {
  char path[4096];
  if (::mount(rootfs, rootfs, nullptr, MS_BIND | MS_REC, nullptr) != 0) {
    *stage = "bind-mounting the rootfs";
    return errno;
  }
  mount_attr attr{};
  attr.attr_set = (writable ? 0 : MOUNT_ATTR_RDONLY) | MOUNT_ATTR_NOSUID;
  attr.propagation = MS_PRIVATE;
  if (::syscall(SYS_mount_setattr, AT_FDCWD, rootfs, AT_RECURSIVE, &attr, sizeof attr) != 0) {
    *stage = "setting the rootfs's mount attributes";
    return errno;
  }
  // The pod's scratch space (with the workdir inside), processes and devices.
  if (::mount("/tmp", join(path, sizeof path, {rootfs, "/tmp"}), nullptr, MS_BIND | MS_REC,
              nullptr) != 0) {
    *stage = "binding the pod's /tmp into the rootfs";
    return errno;
  }
  if (::mount("/proc", join(path, sizeof path, {rootfs, "/proc"}), nullptr, MS_BIND | MS_REC,
              nullptr) != 0) {
    *stage = "binding the pod's /proc into the rootfs";
    return errno;
  }
  struct stat st {};
  if (::stat(join(path, sizeof path, {rootfs, "/dev"}), &st) == 0 && S_ISDIR(st.st_mode) &&
      ::mount("/dev", path, nullptr, MS_BIND | MS_REC, nullptr) != 0) {
    *stage = "binding /dev into the rootfs";
    return errno;
  }
  if (::chdir(rootfs) != 0 || ::syscall(SYS_pivot_root, ".", ".") != 0) {
    *stage = "pivot_root into the rootfs";
    return errno;
  }
  // The old root now sits under the new one at "/": detach it.
  if (::umount2(".", MNT_DETACH) != 0 || ::chdir("/") != 0) {
    *stage = "detaching the old root";
    return errno;
  }
  return 0;
}

}  // namespace clnrm::sandbox
