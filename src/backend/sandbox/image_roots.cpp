// Side: runner (docs/SANDBOX.md, "Code by side"): image roots (image_roots.h).
#include "backend/sandbox/image_roots.h"

#include "backend/sandbox/image_user.h"
#include "base/open_beneath.h"
#include "base/unique_fd.h"

#include <clnrm/error.h>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <exception>

namespace clnrm::sandbox {
namespace {

constexpr std::size_t kMaxImageFile = 1u << 20;  // /etc/passwd and /etc/group

bool is_whiteout(const struct stat& st) { return S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0); }

// Opaque in either form a store may write (docs/SANDBOX.md, "Image pods").
bool is_opaque(const std::string& dir) {
  char value[4];
  for (const char* name : {"user.overlay.opaque", "trusted.overlay.opaque"}) {
    const ssize_t n = ::lgetxattr(dir.c_str(), name, value, sizeof value);
    if (n == 1 && value[0] == 'y') return true;
  }
  return false;
}

std::optional<std::string> read_beneath(const std::string& layer, const std::string& path) {
  UniqueFd dir(::open(layer.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) return std::nullopt;
  // The layer's own links are not followed here (BeneathRule::NoSymlinks),
  // unlike in the pod (mounts.cpp, BeneathRule::InRoot): this reads one
  // layer directory, and a link's target may live in another layer of the
  // merged image, so it could not be resolved as the pod sees it.
  UniqueFd fd = open_beneath(dir.get(), path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  struct stat st {};
  if (!fd.valid() || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  std::string text;
  char buf[16 * 1024];
  ssize_t n;
  while ((n = ::read(fd.get(), buf, sizeof buf)) > 0 && text.size() < kMaxImageFile) text.append(buf, static_cast<std::size_t>(n));
  return text;
}

// The service's name, or for the test's default image (an empty service
// name, PodSpec::step_image) where the file names it.
std::string where_of(const std::string& service, const std::string& step_image_at = {}) {
  if (!service.empty()) return "service '" + service + "'";
  return step_image_at.empty() ? std::string("the test's image") : "the test's image (" + step_image_at + ")";
}

// A layer directory as overlayfs's lowerdir takes it: absolute, without the
// characters its option syntax gives a meaning to, an existing directory.
void check_layer_dir(const std::string& dir, const std::string& reference, const std::string& where) {
  std::string problem;
  struct stat st {};
  if (dir.empty() || dir.front() != '/') {
    problem = "is not an absolute path";
  } else if (dir.find_first_of(":,\\\n") != std::string::npos) {
    problem = "has a ':', ',', '\\' or newline, which overlayfs's lowerdir cannot take";
  } else if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    problem = "is not a directory";
  }
  if (!problem.empty()) {
    throw Error(ErrorKind::Config,
                fmt::format("image \"{}\": layer directory '{}' {} (the image store's layers are broken: "
                            "remove them and pull again)",
                            reference, dir, problem),
                where);
  }
}

}  // namespace

std::optional<std::string> read_image_file(const std::vector<std::string>& layer_dirs, const std::string& path) {
  for (auto layer = layer_dirs.rbegin(); layer != layer_dirs.rend(); ++layer) {
    bool opaque_above = false;
    // Each parent directory, then the file itself.
    for (std::size_t slash = path.find('/'); ; slash = path.find('/', slash + 1)) {
      const std::string prefix = *layer + "/" + path.substr(0, slash);
      struct stat st {};
      if (::lstat(prefix.c_str(), &st) != 0) break;  // not in this layer: look below
      if (is_whiteout(st)) return std::nullopt;
      if (slash == std::string::npos) {
        return S_ISREG(st.st_mode) ? read_beneath(*layer, path) : std::nullopt;
      }
      if (!S_ISDIR(st.st_mode)) return std::nullopt;  // a symlink or file where a directory should be
      if (is_opaque(prefix)) opaque_above = true;
    }
    if (opaque_above) return std::nullopt;
  }
  return std::nullopt;
}

std::vector<ImageRoot> resolve_image_roots(const SandboxOptions& options, const PodSpec& spec, bool user_namespace,
                                           bool root_runner) {
  std::vector<ImageRoot> roots;
  std::vector<std::pair<std::string, std::string>> wanted = spec.service_images;
  if (!spec.step_image.empty()) wanted.emplace_back(std::string(kStepImageRoot), spec.step_image);
  for (const auto& [service, reference] : wanted) {
    const std::string where = where_of(service, spec.step_image_at);
    if (!options.resolve_image) {
      throw Error(ErrorKind::NotSupported,
                  fmt::format("image \"{}\": this sandbox backend has no image store, so it runs no image "
                              "(run with --backend docker, or give the service a `rootfs`)",
                              reference),
                  where);
    }
    if (!user_namespace) {
      throw Error(ErrorKind::NotSupported,
                  fmt::format("image \"{}\" cannot run at security level low: a root runner's low pod is host "
                              "root without a user namespace, and an image's files belong to the pod id range "
                              "(docs/SANDBOX.md, \"Image pods\"); use level medium or high",
                              reference),
                  where);
    }
    ImageRoot root;
    root.service = service;
    try {
      root.image = options.resolve_image(reference, spec.image_base_dir);
    } catch (const Error& e) {
      // The store's own words (not found and where it looked, digest, ...),
      // for the test's image also where the file names it.
      if (service.empty()) throw Error(e.kind(), e.describe(), where);
      throw;
    } catch (const std::exception& e) {
      // A resolver that speaks in std exceptions still fails this pod only,
      // with the service and the image named.
      throw Error(ErrorKind::Backend, fmt::format("image \"{}\": {}", reference, e.what()), where);
    }
    root.mount_point = fmt::format("/.clnrm/image/{}", roots.size());
    if (root.image.layer_dirs.empty()) {
      throw Error(ErrorKind::Config, fmt::format("image \"{}\" has no layers", reference), where);
    }
    for (const std::string& dir : root.image.layer_dirs) check_layer_dir(dir, reference, where);
    const std::string& user = root.image.config.user;
    if (!user.empty()) {
      const std::vector<std::string>& layers = root.image.layer_dirs;
      const Parsed<ImageIds> ids = resolve_image_user(user, read_image_file(layers, "etc/passwd").value_or(""),
                                                      read_image_file(layers, "etc/group").value_or(""));
      if (!ids) {
        throw Error(ErrorKind::Config, fmt::format("image \"{}\": User \"{}\": {}", reference, user, ids.error()),
                    where);
      }
      if ((ids->uid != 0 || ids->gid != 0) && !root_runner) {
        throw Error(ErrorKind::NotSupported,
                    fmt::format("image \"{}\" runs as User \"{}\" (uid {}, gid {}), and an unprivileged runner's "
                                "pods map only root (run clnrm as root for images with a User)",
                                reference, user, ids->uid, ids->gid),
                    where);
      }
      if (ids->uid != 0 || ids->gid != 0) {
        root.uid = ids->uid;
        root.gid = ids->gid;
      }
    }
    roots.push_back(std::move(root));
  }
  return roots;
}

std::vector<std::string> image_layer_dirs(const std::vector<ImageRoot>& roots) {
  std::vector<std::string> dirs;
  for (const ImageRoot& root : roots) {
    for (const std::string& dir : root.image.layer_dirs) {
      if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) dirs.push_back(dir);
    }
  }
  return dirs;
}

ImageMount image_mount(const ImageRoot& root) {
  ImageMount mount;
  const auto& layers = root.image.layer_dirs;
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
    if (!mount.lower.empty()) mount.lower += ':';
    mount.lower += *it;
  }
  mount.mount_point = root.mount_point;
  mount.workdir = root.image.config.working_dir;
  return mount;
}

const ImageRoot* find_image_root(const std::vector<ImageRoot>& roots, const std::string& service) {
  auto it = std::find_if(roots.begin(), roots.end(), [&](const ImageRoot& r) { return r.service == service; });
  return it == roots.end() ? nullptr : &*it;
}

ProcessSpec image_process(const ImageRoot& root, const ProcessSpec& spec, bool main_process) {
  const ImageConfig& config = root.image.config;
  ProcessSpec p = spec;
  p.image.clear();
  p.rootfs.clear();
  if (main_process) {
    // Docker's rule: args replace Cmd, Entrypoint stays.
    p.argv = config.entrypoint;
    const std::vector<std::string>& rest = spec.argv.empty() ? config.cmd : spec.argv;
    p.argv.insert(p.argv.end(), rest.begin(), rest.end());
    if (p.argv.empty()) {
      throw Error(ErrorKind::Config,
                  fmt::format("image \"{}\" has no Entrypoint or Cmd, and the service gives no `args`: nothing to run",
                              root.image.reference),
                  where_of(root.service));
    }
  }
  p.env.clear();
  for (const std::string& entry : config.env) {
    const std::size_t eq = entry.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    p.env.emplace_back(entry.substr(0, eq), entry.substr(eq + 1));
  }
  for (const auto& [key, value] : spec.env) {
    auto it = std::find_if(p.env.begin(), p.env.end(), [&](const auto& kv) { return kv.first == key; });
    if (it != p.env.end()) {
      it->second = value;
    } else {
      p.env.emplace_back(key, value);
    }
  }
  const std::string base = config.working_dir.empty() ? "/" : config.working_dir;
  if (spec.workdir.empty()) {
    p.workdir = base;
  } else if (spec.workdir.front() != '/') {
    p.workdir = base + (base.back() == '/' ? "" : "/") + spec.workdir;
  }
  return p;
}

ExecPlan make_image_exec_plan(const ImageRoot& root, const ProcessSpec& spec, bool main_process,
                              const std::string& test_name, const std::string& pod_workdir) {
  ExecPlan plan = make_exec_plan(image_process(root, spec, main_process), test_name, pod_workdir);
  plan.rootfs = root.mount_point;
  plan.rootfs_writable = true;
  plan.uid = root.uid;
  plan.gid = root.gid;
  return plan;
}

std::vector<std::uint16_t> image_ready_ports(const ImageRoot& root) {
  std::vector<std::uint16_t> ports;
  for (const int port : root.image.config.exposed_tcp_ports) {
    if (port > 0 && port <= 65535) ports.push_back(static_cast<std::uint16_t>(port));
  }
  return ports;
}

}  // namespace clnrm::sandbox
