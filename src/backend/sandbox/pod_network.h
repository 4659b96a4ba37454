#pragma once
// Side: inside the pod (docs/SANDBOX.md, "Code by side"); includes no
// runner-side header. Pod init's hostname and loopback (pod_network.cpp).

namespace clnrm::sandbox {

// Async-signal-safe; 0, or the errno of what failed (and `stage` names it).
inline constexpr const char* kPodHostname = "cleanroom";
// The pod's hostname: kPodHostname, or `hostname` when not null.
int set_pod_hostname(const char* hostname, const char** stage) noexcept;
// Loopback up, in a pod with a network namespace of its own.
int bring_up_loopback(const char** stage) noexcept;

}  // namespace clnrm::sandbox
