#include "backend/sandbox/cgroups.h"

#include <clnrm/error.h>

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace clnrm::sandbox {
namespace {

bool write_file(const std::string& path, const std::string& value) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) return false;
  return ::write(fd.get(), value.data(), value.size()) == static_cast<ssize_t>(value.size());
}

// "<root>/<controller>/<parent>" exists (or can be created) and is writable.
std::optional<std::string> parent_group(const SandboxOptions& options, const char* controller) {
  const std::string hierarchy = options.cgroup_root + "/" + controller;
  struct stat st {};
  if (::stat((hierarchy + "/cgroup.procs").c_str(), &st) != 0) return std::nullopt;  // not a v1 hierarchy
  const std::string parent = hierarchy + "/" + options.cgroup_parent;
  if (::mkdir(parent.c_str(), 0755) != 0 && errno != EEXIST) return std::nullopt;
  if (::access(parent.c_str(), W_OK) != 0) return std::nullopt;
  return parent;
}

std::string cgroup_name(const std::string& pod_id) { return fmt::format("{}-{}", ::getpid(), pod_id); }

}  // namespace

PodCgroups PodCgroups::create(const SandboxOptions& options, const std::string& pod_id, const LimitsSpec& limits,
                              SecurityPlan& plan, std::vector<EnforcedLimit>& enforced,
                              const LimitsSpec* explicit_limits) {
  PodCgroups groups;
  const std::string name = cgroup_name(pod_id);
  auto make_group = [&](const char* controller) -> std::optional<std::string> {
    auto parent = parent_group(options, controller);
    if (!parent) return std::nullopt;
    std::string dir = *parent + "/" + name;
    if (::mkdir(dir.c_str(), 0755) != 0) return std::nullopt;
    UniqueFd procs(::open((dir + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC));
    if (!procs.valid()) {
      ::rmdir(dir.c_str());
      return std::nullopt;
    }
    groups.dirs_.push_back(Group{dir, std::move(procs)});
    return dir;
  };

  if (limits.memory_mb) {
    const std::uint64_t bytes = *limits.memory_mb << 20;
    const std::string value = fmt::format("{} MiB", *limits.memory_mb);
    auto dir = make_group("memory");
    if (dir && write_file(*dir + "/memory.limit_in_bytes", std::to_string(bytes))) {
      // Without a memsw limit an over-limit process would swap instead of
      // being killed (when the kernel has swap accounting).
      write_file(*dir + "/memory.memsw.limit_in_bytes", std::to_string(bytes));
      groups.memory_dir_ = *dir;
      enforced.push_back({"memory", "cgroup v1 memory.limit_in_bytes (whole pod)", value});
    } else if (explicit_limits && !explicit_limits->memory_mb) {
      enforced.push_back({"memory", "not enforced: level default, cgroup v1 memory not writable", value});
    } else {
      plan.rlimits.push_back({RLIMIT_AS, rlimit{bytes, bytes}});
      enforced.push_back({"memory", "setrlimit RLIMIT_AS (per process address space; cgroup v1 memory not writable)",
                          value});
    }
  }
  if (limits.pids) {
    const std::string value = std::to_string(*limits.pids);
    auto dir = make_group("pids");
    if (dir && write_file(*dir + "/pids.max", value)) {
      enforced.push_back({"pids", "cgroup v1 pids.max (whole pod)", value});
    } else if (explicit_limits && !explicit_limits->pids) {
      enforced.push_back({"pids", "not enforced: level default, cgroup v1 pids not writable", value});
    } else {
      plan.rlimits.push_back({RLIMIT_NPROC, rlimit{*limits.pids, *limits.pids}});
      enforced.push_back(
          {"pids", "setrlimit RLIMIT_NPROC (per user, not enforced for root; cgroup v1 pids not writable)", value});
    }
  }
  if (limits.cpu_millicores) {
    const std::string value = fmt::format("{}m", *limits.cpu_millicores);
    auto dir = make_group("cpu");
    const std::uint64_t period = 100000;
    const std::uint64_t quota = std::max<std::uint64_t>(1000, std::uint64_t{*limits.cpu_millicores} * period / 1000);
    if (dir && write_file(*dir + "/cpu.cfs_period_us", std::to_string(period)) &&
        write_file(*dir + "/cpu.cfs_quota_us", std::to_string(quota))) {
      enforced.push_back({"cpu", "cgroup v1 cpu.cfs_quota_us (whole pod)", value});
    } else {
      enforced.push_back({"cpu", "not enforced: cgroup v1 cpu controller not writable", value});
    }
  }
  return groups;
}

std::vector<int> PodCgroups::procs_fds() const {
  std::vector<int> fds;
  for (const auto& g : dirs_) fds.push_back(g.procs.get());
  return fds;
}

void PodCgroups::attach(pid_t pid) const {
  const std::string text = std::to_string(pid);
  for (const auto& g : dirs_) {
    if (::write(g.procs.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
      throw_errno("sandbox: moving pod init into " + g.dir);
    }
  }
}

std::optional<std::uint64_t> PodCgroups::oom_kills() const {
  if (memory_dir_.empty()) return std::nullopt;
  std::ifstream in(memory_dir_ + "/memory.oom_control");
  std::string key;
  std::uint64_t value = 0;
  while (in >> key >> value) {
    if (key == "oom_kill") return value;
  }
  return std::uint64_t{0};
}

void PodCgroups::remove() noexcept {
  for (auto& g : dirs_) {
    g.procs.reset();
    // Tasks that were just killed leave the group asynchronously.
    for (int attempt = 0; attempt < 200; ++attempt) {
      if (::rmdir(g.dir.c_str()) == 0 || errno != EBUSY) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  dirs_.clear();
  memory_dir_.clear();
}

void remove_stale_cgroups(const SandboxOptions& options) noexcept {
  for (const char* controller : {"memory", "pids", "cpu"}) {
    const std::string parent = options.cgroup_root + "/" + controller + "/" + options.cgroup_parent;
    DIR* dir = ::opendir(parent.c_str());
    if (dir == nullptr) continue;
    while (dirent* entry = ::readdir(dir)) {
      if (entry->d_type != DT_DIR || entry->d_name[0] == '.') continue;
      char* end = nullptr;
      const long pid = std::strtol(entry->d_name, &end, 10);
      if (end == entry->d_name || *end != '-' || pid <= 0) continue;
      if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
      ::rmdir((parent + "/" + entry->d_name).c_str());  // fails harmlessly when not empty
    }
    ::closedir(dir);
  }
}

}  // namespace clnrm::sandbox
