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

// The allowlisted system directories as they are on this host now (a few
// lstat calls; covered empty: system_covered() is that list, apart).
std::shared_ptr<const RootView> system_root_entries();
// The sockets under them (the walk of /etc and /opt, remembered between runs
// in the user's cache directory) and the host's secrets: what a pod covers.
std::vector<std::string> system_covered();

// A backend's system view, each part taken once, by the first thread that
// asks; the others wait for it (a part that threw is tried again by the
// next). The walk is the slow part (~0.1-0.6 ms); pod init needs the list
// only for its last mounts, so a pod sharing the runner's memory takes it
// after its go (pod_init_config.h, late_ending).
class SystemViewOnce {
 public:
  std::shared_ptr<const RootView> entries();
  std::shared_ptr<const std::vector<std::string>> covered();

 private:
  std::once_flag entries_once_;
  std::shared_ptr<const RootView> entries_;
  std::once_flag covered_once_;
  std::shared_ptr<const std::vector<std::string>> covered_;
};

// `system` plus `shared_dirs` (absolute, existing directories; Error(Config)
// otherwise) and `volumes` (an existing directory or regular file each, bound
// at its container_path), and the sockets under them (a volume's at their
// place in the pod). Each list is walked once per `system`.
std::shared_ptr<const RootView> add_shared_dirs(const std::shared_ptr<const RootView>& system,
                                                const std::vector<std::string>& shared_dirs,
                                                const std::vector<VolumeSpec>& volumes = {});


}  // namespace clnrm::sandbox
