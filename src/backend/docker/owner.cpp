#include "backend/docker/owner.h"

#include "base/host_name.h"

#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>

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

std::optional<std::uint64_t> process_start_ticks(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  if (!in) return std::nullopt;
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The command name (field 2) may contain spaces and ')': fields resume after the last ')'.
  auto close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(stat.substr(close + 2));
  std::string field;
  // Fields 3..22: starttime is the 20th after the ')'.
  for (int i = 3; i <= 22; ++i) {
    if (!(rest >> field)) return std::nullopt;
  }
  return to_number<std::uint64_t>(field);
}

const Owner& self_owner() {
  static const Owner owner = [] {
    Owner o;
    o.host = host_name();
    o.boot_id = read_first_line("/proc/sys/kernel/random/boot_id");
    o.pid = ::getpid();
    o.start_ticks = process_start_ticks(o.pid).value_or(0);
    return o;
  }();
  // A fork()ed child (tests, runners that fork) must label with its own pid.
  if (owner.pid != ::getpid()) {
    thread_local Owner child;
    child = owner;
    child.pid = ::getpid();
    child.start_ticks = process_start_ticks(child.pid).value_or(0);
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
  auto start = process_start_ticks(*pid);
  if (!start) return OwnerState::Dead;
  auto want = to_number<std::uint64_t>(get(kLabelPidStart));
  if (want && *want != *start) return OwnerState::Dead;  // the pid was reused by another process
  return OwnerState::Alive;
}

}  // namespace clnrm::docker
