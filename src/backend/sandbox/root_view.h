#pragma once
// What of the host a pod sees: an allowlist, not the host root with holes.
//
// A pod's root is a fresh read-only tmpfs holding only the system directories
// programs need (/usr, /bin, /sbin, /lib*, /etc, /opt) and the host
// directories its PodSpec shares, each bound read-only; beside them a private
// /dev, /proc with the OCI runtime spec's masked and read-only paths, /sys
// read-only, and one scratch tmpfs for /tmp (with the workdir), /run,
// /var/tmp and /dev/shm. Never /run, /var, /home or /root of the host: a unix
// socket anywhere in the host's tree is a door to the host (connect(2)
// ignores read-only mounts and network namespaces), so every socket found in
// a bound directory is covered by /dev/null as well.
//
// This file is the runner's side: it decides the list (and finds the
// sockets) once, before any pod exists. mounts.cpp builds it inside the pod's
// fresh mount namespace from that list, with async-signal-safe calls only.

#include <clnrm/spec.h>

#include <memory>
#include <string>
#include <vector>

namespace clnrm::sandbox {

struct ViewEntry {
  enum class Kind { Directory, File, Symlink };
  std::string path;  // the path on the host (and in the pod, unless `target` is set)
  Kind kind = Kind::Directory;
  std::string link;     // Symlink: its target, recreated as is (/bin -> usr/bin)
  // A PodSpec::shared_host_dirs or PodSpec::volumes entry: opened by the
  // runner's identity, bound after the pod's own mounts.
  bool shared = false;
  std::string target{};   // a volume: where the pod sees it (container_path)
  bool writable = false;  // a volume with read_only = false
  bool volume = false;    // opened without following any symbolic link

  const std::string& in_pod() const { return target.empty() ? path : target; }
};

struct RootView {
  std::vector<ViewEntry> entries;  // parents before children
  // Covered by /dev/null in the pod: the unix sockets inside bound
  // directories, and the host's password hashes and host keys (which host
  // root, the identity of a low pod, could read).
  std::vector<std::string> covered;
};

// The allowlisted system directories as they are on this host now, with the
// sockets and secrets to cover. A backend takes it once, when it starts.
std::shared_ptr<const RootView> system_root_view();

// `system` plus `shared_dirs` (absolute, existing directories; Error(Config)
// otherwise) and `volumes` (an existing directory or regular file each, bound
// at its container_path), and the sockets under them (a volume's at their
// place in the pod). Each list is walked once per `system`.
std::shared_ptr<const RootView> add_shared_dirs(const std::shared_ptr<const RootView>& system,
                                                const std::vector<std::string>& shared_dirs,
                                                const std::vector<VolumeSpec>& volumes = {});


}  // namespace clnrm::sandbox
