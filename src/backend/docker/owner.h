#pragma once
// Who owns a container: the labels every clnrm container carries, and the
// liveness check of the owning process that the reaper relies on. A pid alone
// is not enough (pids are reused), so the owner is (boot id, pid, process
// start time in clock ticks since boot) on a named host.

#include <cstdint>
#include <map>
#include <string>

namespace clnrm::docker {

inline constexpr const char* kLabelSession = "clnrm.session";
inline constexpr const char* kLabelPid = "clnrm.pid";
inline constexpr const char* kLabelPidStart = "clnrm.pid-start";
inline constexpr const char* kLabelBoot = "clnrm.boot";
inline constexpr const char* kLabelHost = "clnrm.host";
inline constexpr const char* kLabelTest = "clnrm.test";
inline constexpr const char* kLabelRole = "clnrm.role";  // pod | step | service
inline constexpr const char* kLabelService = "clnrm.service";
inline constexpr const char* kLabelReuseHash = "clnrm.reuse-hash";
inline constexpr const char* kLabelReuseSlot = "clnrm.reuse-slot";
inline constexpr const char* kLabelReuseName = "clnrm.reuse-name";

struct Owner {
  std::string host;
  std::string boot_id;
  long pid = 0;
  std::uint64_t start_ticks = 0;
};

// The current process.
const Owner& self_owner();
// The ownership labels of this process (session, pid, pid-start, boot, host).
std::map<std::string, std::string> owner_labels(const std::string& session_id);

enum class OwnerState { Alive, Dead, Unknown /* another host, or labels missing */ };
OwnerState owner_state(const std::map<std::string, std::string>& labels);

}  // namespace clnrm::docker
