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
// Side: runner (docs/SANDBOX.md, "Code by side"). This file decides the list
// (and finds the sockets) once, before any pod exists; the list's types
// (RootView, ViewEntry) are in pod_init_config.h, since mounts.cpp builds it
// inside the pod's fresh mount namespace from that list, with
// async-signal-safe calls only.

#include "backend/sandbox/pod_init_config.h"

#include <clnrm/spec.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace clnrm::sandbox {

// The allowlisted system directories as they are on this host now, with the
// sockets and secrets to cover. A backend takes it once, when it starts.
std::shared_ptr<const RootView> system_root_view();

// A backend's system_root_view(), taken once, by the first thread that asks;
// the others wait for that walk (a walk that threw is tried again by the
// next). The runner's thread asks while the standby worker is already
// cloning the first pod, which needs the view only once its namespaces exist
// (sandbox_pod.cpp): the walk and the clone overlap.
class SystemViewOnce {
 public:
  std::shared_ptr<const RootView> get();

 private:
  std::once_flag once_;
  std::shared_ptr<const RootView> view_;
};

// `system` plus `shared_dirs` (absolute, existing directories; Error(Config)
// otherwise) and `volumes` (an existing directory or regular file each, bound
// at its container_path), and the sockets under them (a volume's at their
// place in the pod). Each list is walked once per `system`.
std::shared_ptr<const RootView> add_shared_dirs(const std::shared_ptr<const RootView>& system,
                                                const std::vector<std::string>& shared_dirs,
                                                const std::vector<VolumeSpec>& volumes = {});


}  // namespace clnrm::sandbox
