#pragma once
// Side: inside the pod (docs/SANDBOX.md, "Code by side"); includes no
// runner-side header. Pod init's hostname, loopback and network namespace
// (pod_network.cpp).

#include "backend/sandbox/pod_init_config.h"

namespace clnrm::sandbox {

// Async-signal-safe; 0, or the errno of what failed (and `stage` names it).
inline constexpr const char* kPodHostname = "cleanroom";
// The pod's hostname: kPodHostname, or `hostname` when not null.
int set_pod_hostname(const char* hostname, const char** stage) noexcept;
// Loopback up, in a pod with a network namespace of its own.
int bring_up_loopback(const char** stage) noexcept;

// The pod's network namespace, made beside pod init's setup
// (PodInitConfig::network_beside): making one is the kernel's costliest
// part of a pod (~0.5 ms: sysctl tables, the loopback device), and a clone
// that makes it keeps the runner waiting that long for pod init. A child
// sharing pod init's memory and descriptors makes it instead -- owned by the
// pod's user namespace, loopback up -- while pod init waits for its go and
// mounts, on the other CPU; pod init enters it before it reports ready.
//
// Clones the child (before the uid/gid maps are written: the capabilities a
// new user namespace gives its first process are enough). 0, or the errno.
int start_network_beside(NetworkBesideMemory& memory) noexcept;
// Waits for the child and enters the namespace it made: 0, or the errno of
// what failed (`stage` names it).
int enter_network_beside(NetworkBesideMemory& memory, const char** stage) noexcept;

}  // namespace clnrm::sandbox
