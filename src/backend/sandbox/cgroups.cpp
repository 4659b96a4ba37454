// Side: runner (docs/SANDBOX.md, "Code by side").
#include "backend/sandbox/cgroups.h"

#include <clnrm/error.h>

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

namespace clnrm::sandbox {
namespace {

bool write_file(const std::string& path, const std::string& value) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) return false;
  return ::write(fd.get(), value.data(), value.size()) == static_cast<ssize_t>(value.size());
}

// "<runner pid>-g<n>": unique in this process, and remove_stale_cgroups can
// tell the owner.
std::string new_group_name() {
  static std::atomic<std::uint64_t> counter{0};
  return fmt::format("{}-g{}", ::getpid(), counter.fetch_add(1) + 1);
}

// A pod's processes join by writing "0" to `tasks`: each joiner (pod init,
// a spawned step's first child) is single-threaded and moves itself, which
// the kernel does without its global cgroup_threadgroup_rwsem. A write to
// cgroup.procs, or of another task's id, takes that lock for writing, and
// the first such write after a quiet spell waits for an RCU grace period:
// 4-16 ms here, more than the rest of a one-step `clnrm run` (docs/SANDBOX.md,
// "Joining a group").
UniqueFd open_tasks(const std::string& dir) {
  return UniqueFd(::open((dir + "/tasks").c_str(), O_WRONLY | O_CLOEXEC));
}

// Spare groups: the empty groups a backend leaves when it is done, for the
// next run to take, instead of removing them. Making a memory group and
// removing it again is part of what the group costs a one-step run (the
// kernel allocates and frees a memory cgroup's per-CPU state and ~30
// control files each time; spares saved 0.1 ms of the run's median:
// docs/SANDBOX.md, "Spare groups"). A spare is named `spare-<k>` under its
// parent; taking one renames it to the taker's "<pid>-g<n>" (a rename is
// atomic: of two runners only one gets it), leaving one renames it back. A
// spare holds no task and little charge (retire_group_dir). Every limit is
// written anew by the taker (set_limit: a taken group has nothing in
// `written`).
constexpr int kSpareGroups = 4;

std::string spare_dir(const std::string& parent, int k) { return fmt::format("{}/spare-{}", parent, k); }

std::optional<CgroupGroup> take_spare(const std::string& parent) {
  for (int k = 0; k < kSpareGroups; ++k) {
    CgroupGroup g;
    g.dir = parent + "/" + new_group_name();
    if (::rename(spare_dir(parent, k).c_str(), g.dir.c_str()) != 0) continue;
    g.tasks = open_tasks(g.dir);
    if (g.tasks.valid()) return g;
    ::rmdir(g.dir.c_str());
  }
  return std::nullopt;
}

std::optional<CgroupGroup> make_group_dir(const std::string& parent) {
  if (auto spare = take_spare(parent)) return spare;
  CgroupGroup g;
  g.dir = parent + "/" + new_group_name();
  if (::mkdir(g.dir.c_str(), 0755) != 0) return std::nullopt;
  g.tasks = open_tasks(g.dir);
  if (!g.tasks.valid()) {
    ::rmdir(g.dir.c_str());
    return std::nullopt;
  }
  return g;
}

bool group_is_empty(const std::string& dir) {
  UniqueFd fd(::open((dir + "/cgroup.procs").c_str(), O_RDONLY | O_CLOEXEC));
  char byte;
  return fd.valid() && ::read(fd.get(), &byte, 1) == 0;
}

// rmdir, retrying while tasks that were just killed leave the group.
void remove_group_dir(const std::string& dir) noexcept {
  for (int attempt = 0; attempt < 200; ++attempt) {
    if (::rmdir(dir.c_str()) == 0 || errno != EBUSY) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

// What a memory group may still have charged to be left as a spare: page
// cache its last pod read or wrote, kernel objects (dentries, inodes) its
// processes left (a step of 60 processes left 5 MB). It is all reclaimable,
// and the next pod's limit write reclaims it first; beyond this much the
// group is removed instead, so that writing a small limit stays quick.
constexpr std::uint64_t kSpareChargeMax = 8u << 20;

bool charge_small_enough(const std::string& dir) {
  std::ifstream usage(dir + "/memory.usage_in_bytes");
  if (!usage) return true;  // not a memory group
  std::uint64_t bytes = 0;
  return (usage >> bytes) && bytes <= kSpareChargeMax;
}

// A group this backend is done with: left as a spare when it is empty,
// holds little charge and a spare's name is free (take_spare above), else
// removed.
void retire_group_dir(const std::string& dir, bool known_empty = false) noexcept {
  if ((known_empty || group_is_empty(dir)) && charge_small_enough(dir)) {
    const std::string parent = dir.substr(0, dir.rfind('/'));
    for (int k = 0; k < kSpareGroups; ++k)
      if (::rename(dir.c_str(), spare_dir(parent, k).c_str()) == 0) return;
  }
  remove_group_dir(dir);
}

// Writes `value` unless the group already has it.
bool set_limit(CgroupGroup& g, const std::string& file, const std::string& value) {
  auto it = g.written.find(file);
  if (it != g.written.end() && it->second == value) return true;
  if (!write_file(g.dir + "/" + file, value)) {
    g.written.erase(file);
    return false;
  }
  g.written[file] = value;
  return true;
}

const LimitMechanism& mechanism_of(std::string_view controller) {
  for (const LimitMechanism& m : kLimitMechanisms)
    if (controller == m.controller) return m;
  std::abort();  // only the three controllers above are ever asked for
}

}  // namespace

Parsed<std::string> cgroup_parent(const SandboxOptions& options, std::string_view controller) {
  const std::string hierarchy = fmt::format("{}/{}", options.cgroup_root, controller);
  struct stat st {};
  if (::stat((hierarchy + "/cgroup.procs").c_str(), &st) != 0) {
    // Pod groups live in v1 hierarchies only; a v2-only machine (cgroup.controllers at the root)
    // is named as such, it is the usual reason.
    const bool v2 = ::stat((options.cgroup_root + "/cgroup.controllers").c_str(), &st) == 0;
    return Parsed<std::string>::failure(
        v2 ? fmt::format("cgroup v2 only at {} (the sandbox uses cgroup v1 hierarchies)", options.cgroup_root)
           : fmt::format("no cgroup v1 {} hierarchy at {}", controller, hierarchy));
  }
  const std::string parent = hierarchy + "/" + options.cgroup_parent;
  if (::mkdir(parent.c_str(), 0755) != 0 && errno != EEXIST)
    return Parsed<std::string>::failure(fmt::format("cannot create {}: {}", parent, std::strerror(errno)));
  if (::access(parent.c_str(), W_OK) != 0)
    return Parsed<std::string>::failure(fmt::format("{} is not writable: {}", parent, std::strerror(errno)));
  return parent;
}

std::optional<CgroupGroup> CgroupPool::acquire(const std::string& parent) {
  std::optional<CgroupGroup> pooled;
  {
    std::unique_lock lock(mutex_);
    prepared_.wait(lock, [&] {
      auto p = preparing_.find(parent);
      return p == preparing_.end() || p->second == 0;
    });
    auto it = free_.find(parent);
    if (it != free_.end() && !it->second.empty()) {
      pooled = std::move(it->second.back());
      it->second.pop_back();
    }
  }
  if (pooled && pooled->tasks.valid()) return pooled;  // prepared just now
  if (pooled) {
    // Pooled groups keep no descriptor open (a pool that grew to the run's
    // peak concurrency must not look like a descriptor leak).
    pooled->tasks = open_tasks(pooled->dir);
    if (pooled->tasks.valid()) return pooled;
    remove_group_dir(pooled->dir);
  }
  return make_group_dir(parent);
}

void CgroupPool::prepare(const std::string& parent) {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    ++preparing_[parent];
  }
  std::optional<CgroupGroup> made;
  try {
    made = make_group_dir(parent);
  } catch (...) {
  }
  {
    std::lock_guard lock(mutex_);
    --preparing_[parent];
    if (made && !closed_) {
      try {
        free_[parent].push_back(std::move(*made));  // its descriptor stays open for the acquire to come
        made.reset();
      } catch (...) {
      }
    }
  }
  prepared_.notify_all();
  if (made) remove_group_dir(made->dir);  // the pool closed meanwhile
}

void CgroupPool::release(CgroupGroup group) noexcept {
  group.tasks.reset();
  // Tasks that were just killed leave the group asynchronously.
  bool empty = group_is_empty(group.dir);
  for (int attempt = 0; attempt < 200 && !empty; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    empty = group_is_empty(group.dir);
  }
  if (empty) {
    std::lock_guard lock(mutex_);
    if (!closed_) {
      const std::string parent = group.dir.substr(0, group.dir.rfind('/'));
      try {
        free_[parent].push_back(std::move(group));
        return;
      } catch (...) {
        // no memory for the pool: remove the group instead
      }
    }
    retire_group_dir(group.dir, true);
    return;
  }
  remove_group_dir(group.dir);
}

void CgroupPool::close() noexcept {
  std::map<std::string, std::vector<CgroupGroup>> groups;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    groups.swap(free_);
  }
  for (auto& [parent, list] : groups) {
    for (const auto& g : list) retire_group_dir(g.dir, true);  // released empty
  }
}

PodCgroups PodCgroups::create(const SandboxOptions& options, const LimitsSpec& limits, std::vector<RlimitSetting>& rlimits,
                              std::vector<EnforcedLimit>& enforced, const LimitsSpec* explicit_limits,
                              std::shared_ptr<CgroupPool> pool) {
  PodCgroups groups;
  groups.pool_ = std::move(pool);
  // The group just added, for its limit files; null when none could be made.
  auto make_group = [&](const char* controller) -> CgroupGroup* {
    const Parsed<std::string> parent = cgroup_parent(options, controller);
    if (!parent) return nullptr;
    auto g = groups.pool_ ? groups.pool_->acquire(*parent) : make_group_dir(*parent);
    if (!g) return nullptr;
    groups.dirs_.push_back(std::move(*g));
    return &groups.dirs_.back();
  };

  if (limits.memory_mb) {
    const std::uint64_t bytes = *limits.memory_mb << 20;
    const std::string value = fmt::format("{} MiB", *limits.memory_mb);
    CgroupGroup* g = make_group("memory");
    // memsw first when lowering, limit first when raising: the kernel wants
    // memory.limit_in_bytes <= memory.memsw.limit_in_bytes at every moment.
    // Without a memsw limit an over-limit process would swap instead of being
    // killed (when the kernel has swap accounting, else the file is missing).
    const std::string value_bytes = std::to_string(bytes);
    if (g != nullptr && (set_limit(*g, "memory.limit_in_bytes", value_bytes) ||
                         (set_limit(*g, "memory.memsw.limit_in_bytes", value_bytes) &&
                          set_limit(*g, "memory.limit_in_bytes", value_bytes)))) {
      set_limit(*g, "memory.memsw.limit_in_bytes", value_bytes);
      groups.memory_dir_ = g->dir;
      enforced.push_back({"memory", mechanism_of("memory").cgroup, value});
    } else if (explicit_limits && !explicit_limits->memory_mb) {
      enforced.push_back({"memory", "not enforced: level default, cgroup v1 memory not writable", value});
    } else {
      rlimits.push_back({RLIMIT_AS, rlimit{bytes, bytes}});
      enforced.push_back(
          {"memory", fmt::format("{} (cgroup v1 memory not writable)", mechanism_of("memory").fallback), value});
    }
  }
  if (limits.pids) {
    const std::string value = std::to_string(*limits.pids);
    CgroupGroup* g = make_group("pids");
    if (g != nullptr && set_limit(*g, "pids.max", value)) {
      enforced.push_back({"pids", mechanism_of("pids").cgroup, value});
    } else if (explicit_limits && !explicit_limits->pids) {
      enforced.push_back({"pids", "not enforced: level default, cgroup v1 pids not writable", value});
    } else {
      rlimits.push_back({RLIMIT_NPROC, rlimit{*limits.pids, *limits.pids}});
      enforced.push_back(
          {"pids", fmt::format("{} (cgroup v1 pids not writable)", mechanism_of("pids").fallback), value});
    }
  }
  if (limits.cpu_millicores) {
    const std::string value = fmt::format("{}m", *limits.cpu_millicores);
    CgroupGroup* g = make_group("cpu");
    const std::uint64_t period = 100000;
    const std::uint64_t quota = std::max<std::uint64_t>(1000, std::uint64_t{*limits.cpu_millicores} * period / 1000);
    if (g != nullptr && set_limit(*g, "cpu.cfs_period_us", std::to_string(period)) &&
        set_limit(*g, "cpu.cfs_quota_us", std::to_string(quota))) {
      enforced.push_back({"cpu", mechanism_of("cpu").cgroup, value});
    } else {
      enforced.push_back({"cpu", "not enforced: cgroup v1 cpu controller not writable", value});
    }
  }
  return groups;
}

void PodCgroups::prepare(const SandboxOptions& options, const LimitsSpec& limits, CgroupPool& pool) {
  // The controllers create() makes a group in, for the same limits.
  const std::pair<const char*, bool> controllers[] = {{"memory", limits.memory_mb.has_value()},
                                                      {"pids", limits.pids.has_value()},
                                                      {"cpu", limits.cpu_millicores.has_value()}};
  for (const auto& [controller, wanted] : controllers) {
    if (!wanted) continue;
    if (const Parsed<std::string> parent = cgroup_parent(options, controller)) pool.prepare(*parent);
  }
}

std::vector<int> PodCgroups::tasks_fds() const {
  std::vector<int> fds;
  for (const auto& g : dirs_) fds.push_back(g.tasks.get());
  return fds;
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
    if (pool_) {
      pool_->release(std::move(g));
    } else {
      g.tasks.reset();
      retire_group_dir(g.dir);
    }
  }
  dirs_.clear();
  memory_dir_.clear();
}

std::vector<std::string> remove_stale_cgroups(const SandboxOptions& options, bool spares_too) {
  std::vector<std::string> removed;
  for (const char* controller : {"memory", "pids", "cpu"}) {
    const std::string parent = options.cgroup_root + "/" + controller + "/" + options.cgroup_parent;
    DIR* dir = ::opendir(parent.c_str());
    if (dir == nullptr) continue;
    while (dirent* entry = ::readdir(dir)) {
      if (entry->d_type != DT_DIR || entry->d_name[0] == '.') continue;
      if (std::string_view(entry->d_name).starts_with("spare-")) {
        std::string group = parent + "/" + entry->d_name;
        // A runner may take it meanwhile: then its rmdir fails, as it should.
        if (spares_too && ::rmdir(group.c_str()) == 0) removed.push_back(std::move(group));
        continue;
      }
      char* end = nullptr;
      const long pid = std::strtol(entry->d_name, &end, 10);
      if (end == entry->d_name || *end != '-' || pid <= 0) continue;
      if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
      std::string group = parent + "/" + entry->d_name;
      if (::rmdir(group.c_str()) == 0) removed.push_back(std::move(group));  // not when busy
    }
    ::closedir(dir);
  }
  return removed;
}

}  // namespace clnrm::sandbox

namespace clnrm {

std::vector<std::string> remove_stale_sandbox_cgroups(const SandboxOptions& options) {
  return sandbox::remove_stale_cgroups(options, true);
}

}  // namespace clnrm
