#include "backend/docker/owner.h"

#include "base/host_name.h"
#include "base/proc_stat.h"

#include <unistd.h>

#include <charconv>
#include <fstream>

namespace clnrm::docker {
namespace {

std::string read_first_line(const char* path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

template <typename T>
std::optional<T> to_number(const std::string& s) {
  T v{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

const Owner& self_owner() {
  static const Owner owner = [] {
    Owner o;
    o.host = host_name();
    o.boot_id = read_first_line("/proc/sys/kernel/random/boot_id");
    o.pid = ::getpid();
    o.start_ticks = read_proc_stat(o.pid).value_or(ProcStat{}).start_ticks;
    return o;
  }();
  // A fork()ed child (tests, runners that fork) must label with its own pid.
  if (owner.pid != ::getpid()) {
    thread_local Owner child;
    child = owner;
    child.pid = ::getpid();
    child.start_ticks = read_proc_stat(child.pid).value_or(ProcStat{}).start_ticks;
    return child;
  }
  return owner;
}

std::map<std::string, std::string> owner_labels(const std::string& session_id) {
  const Owner& o = self_owner();
  return {{kLabelSession, session_id},
          {kLabelPid, std::to_string(o.pid)},
          {kLabelPidStart, std::to_string(o.start_ticks)},
          {kLabelBoot, o.boot_id},
          {kLabelHost, o.host}};
}

OwnerState owner_state(const std::map<std::string, std::string>& labels) {
  auto get = [&labels](const char* k) -> std::string {
    auto it = labels.find(k);
    return it == labels.end() ? std::string() : it->second;
  };
  const Owner& self = self_owner();
  if (get(kLabelHost) != self.host) return OwnerState::Unknown;
  // Another boot: every process of the old boot is gone.
  if (!get(kLabelBoot).empty() && get(kLabelBoot) != self.boot_id) return OwnerState::Dead;
  auto pid = to_number<long>(get(kLabelPid));
  if (!pid || *pid <= 0) return OwnerState::Unknown;
  const std::optional<ProcStat> stat = read_proc_stat(*pid);
  if (!stat) return OwnerState::Dead;
  auto want = to_number<std::uint64_t>(get(kLabelPidStart));
  if (want && *want != stat->start_ticks) return OwnerState::Dead;  // the pid was reused by another process
  return OwnerState::Alive;
}

}  // namespace clnrm::docker
