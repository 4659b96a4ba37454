#pragma once
// Side: inside the pod (docs/SANDBOX.md, "Code by side"); includes no
// runner-side header. The pod's filesystem, built in mounts.cpp by pod init
// (and enter_rootfs by a step's process). Async-signal-safe.

#include "backend/sandbox/pod_init_config.h"

#include <string>
#include <vector>

namespace clnrm::sandbox {

// The pod's root of MountPlan, made the root of the calling process's fresh
// mount namespace (async-signal-safe), in three parts. The first, with the
// runner's identity, opens the shared directories into `shared_fds` (at
// most kMaxSharedDirs): one may lie below a directory that the pod's root
// may not enter (a 0700 home or mkdtemp directory). The second, as the pod's
// root (what it makes is its own), builds the rest, binds them from those
// descriptors, mounts the images, makes the root read-only and the root of
// the process, and detaches the host's. The third covers `covered` (the
// unix sockets and secrets below the bound directories, paths in the pod:
// the runner may still be walking for them while the second part runs).
// Each returns 0 or an errno with *stage.
int prepare_pod_mounts(const MountPlan& plan, int* shared_fds, const char** stage) noexcept;
int assemble_pod_root(const MountPlan& plan, const int* shared_fds, const char** stage) noexcept;
int seal_pod_root(const std::vector<std::string>& covered, const char** stage) noexcept;
// Makes `rootfs` the root of the calling process's (fresh, unshared) mount
// namespace: a bind of it (read-only unless `writable`: a service's image
// root, whose writes go to its overlay's upper directory), with the pod's
// /tmp (and workdir), /proc and /dev bound in, then pivot_root
// (async-signal-safe).
int enter_rootfs(const char* rootfs, bool writable, const char** stage) noexcept;

}  // namespace clnrm::sandbox
