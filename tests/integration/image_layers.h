#pragma once
// Hand-made image layers for the sandbox's image pods (tests and benchmarks):
// directories with a tiny root filesystem (the static busybox of
// busybox-static, scripts/setup-deps.sh) under /var/tmp, laid out the way an
// image store unpacks them (docs/SANDBOX.md, "Image pods"): owned by the pod
// id range for a root runner, whiteouts as character devices 0/0, opaque
// directories with user.overlay.opaque="y". Removed with the object.

#include <clnrm/image.h>
#include <clnrm/sandbox.h>

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace clnrm::testing {

class ImageLayers {
 public:
  ImageLayers() {
    static std::atomic<int> counter{0};
    base_ = "/var/tmp/clnrm-layers-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    std::filesystem::create_directories(base_);
  }
  ~ImageLayers() { std::filesystem::remove_all(base_); }
  ImageLayers(const ImageLayers&) = delete;
  ImageLayers& operator=(const ImageLayers&) = delete;

  const std::string& base() const { return base_; }

  // A new empty layer directory.
  std::string layer(const std::string& name) {
    const std::string dir = base_ + "/" + name;
    std::filesystem::create_directories(dir);
    return dir;
  }

  // A layer with busybox as every tool, /tmp, an /etc with `marker` in
  // /etc/image-name, and root plus user app (1000:1000) in passwd/group.
  std::string busybox_layer(const std::string& name, const std::string& marker) {
    const std::string dir = layer(name);
    for (const char* d : {"/bin", "/etc", "/tmp", "/home/app"}) std::filesystem::create_directories(dir + d);
    std::filesystem::copy_file("/bin/busybox", dir + "/bin/busybox");
    for (const char* tool : {"sh", "cat", "echo", "ls", "id", "pwd", "env", "true", "sleep", "touch", "nc", "rm",
                             "mkdir", "wc", "stat", "grep", "cut", "chmod"}) {
      std::filesystem::create_symlink("busybox", dir + "/bin/" + tool);
    }
    write(dir, "etc/image-name", marker + "\n");
    write(dir, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n");
    write(dir, "etc/group", "root:x:0:\napp:x:1000:\n");
    ::chown((dir + "/home/app").c_str(), 1000, 1000);
    return dir;
  }

  static void write(const std::string& layer, const std::string& path, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(layer + "/" + path).parent_path());
    std::ofstream(layer + "/" + path) << text;
  }
  static void whiteout(const std::string& layer, const std::string& path) {
    std::filesystem::create_directories(std::filesystem::path(layer + "/" + path).parent_path());
    if (::mknod((layer + "/" + path).c_str(), S_IFCHR | 0600, makedev(0, 0)) != 0)
      throw std::runtime_error("mknod whiteout " + path);
  }
  static void opaque(const std::string& layer, const std::string& dir) {
    std::filesystem::create_directories(layer + "/" + dir);
    if (::setxattr((layer + "/" + dir).c_str(), "user.overlay.opaque", "y", 1, 0) != 0)
      throw std::runtime_error("setxattr opaque " + dir);
  }

  // What the store does for a root runner: every file's owner moved into
  // the pod id range (inside uid n is host pod_id_base + n). Call once all
  // layers are written.
  void own_for_pods(std::uint32_t pod_id_base = SandboxOptions{}.pod_id_base) const {
    if (::geteuid() != 0) return;  // an unprivileged runner's pods map its own uid to root
    for (const auto& entry : std::filesystem::recursive_directory_iterator(base_)) {
      struct stat st {};
      if (::lstat(entry.path().c_str(), &st) != 0 || st.st_uid >= pod_id_base) continue;
      ::lchown(entry.path().c_str(), pod_id_base + st.st_uid, pod_id_base + st.st_gid);
    }
  }

 private:
  std::string base_;
};

// Images the test backend's resolver knows, by reference.
class ImageRegistry {
 public:
  void add(ImageRootfs image) {
    std::lock_guard lock(mutex_);
    images_[image.reference] = std::move(image);
  }
  ImageRootfs resolve(const std::string& reference) {
    std::lock_guard lock(mutex_);
    auto it = images_.find(reference);
    if (it == images_.end()) throw std::runtime_error("test registry: no image " + reference);
    return it->second;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, ImageRootfs> images_;
};

inline ImageRootfs make_image(const std::string& reference, std::vector<std::string> layers_lowest_first,
                              ImageConfig config = {}) {
  ImageRootfs image;
  image.reference = reference;
  image.manifest_digest = "sha256:" + std::string(64, '0');
  image.layer_dirs = std::move(layers_lowest_first);
  image.config = std::move(config);
  return image;
}

}  // namespace clnrm::testing
