#pragma once
// Side: inside the pod (docs/SANDBOX.md, "Code by side"); includes no
// runner-side header. Pod init's hostname and loopback (pod_network.cpp).

namespace clnrm::sandbox {

// The pod's hostname (kPodHostname, or `hostname` when not null) and
// loopback up (async-signal-safe).
inline constexpr const char* kPodHostname = "cleanroom";
int setup_pod_network(bool bring_up_loopback, const char* hostname, const char** stage) noexcept;

}  // namespace clnrm::sandbox
