#pragma once
// Helpers for the sandbox integration tests (real namespaces; we are root).

#include <clnrm/sandbox.h>

#include "base/proc_stat.h"
#include "support/proc_file.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace clnrm::testing {

inline Backend& sandbox_backend() {
  static std::unique_ptr<Backend> backend = make_sandbox_backend();
  return *backend;
}

// A pod spec for a test named `name` at `level`, its steps direct
// (PodSpec::sequential_steps).
inline PodSpec spec_named(const std::string& name, SecurityLevel level = SecurityLevel::Medium) {
  PodSpec spec;
  spec.session_id = "itest";
  spec.test_name = name;
  spec.level = level;
  spec.sequential_steps = true;
  return spec;
}

inline std::unique_ptr<Pod> make_test_pod(const std::string& name, SecurityLevel level = SecurityLevel::Medium,
                                          LimitsSpec limits = {}, std::vector<std::string> shared_dirs = {}) {
  PodSpec spec;
  spec.shared_host_dirs = std::move(shared_dirs);
  spec.session_id = "itest";
  spec.test_name = name;
  spec.level = level;
  spec.limits = limits;
  // Set by the ctest entry that reruns the step suites with direct steps
  // (tests/CMakeLists.txt: integration.sandbox_direct_steps).
  spec.sequential_steps = std::getenv("CLNRM_TEST_SEQUENTIAL_STEPS") != nullptr;
  return sandbox_backend().create_pod(spec);
}

// Entries of a /proc directory, e.g. /proc/self/fd (descriptors) or
// /proc/self/task (threads) of this process.
inline std::size_t proc_entries(const char* dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

// Children of this process whose stat line `keep` accepts.
inline std::set<pid_t> children_where(bool (*keep)(const ProcStat&)) {
  std::set<pid_t> out;
  DIR* dir = opendir("/proc");
  while (dirent* e = readdir(dir)) {
    const pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
    if (pid <= 0) continue;
    const std::optional<ProcStat> stat = read_proc_stat(pid);
    if (stat && stat->parent == ::getpid() && keep(*stat)) out.insert(pid);
  }
  closedir(dir);
  return out;
}

inline ProcessSpec command(std::vector<std::string> argv, std::string name = "step") {
  ProcessSpec spec;
  spec.name = std::move(name);
  spec.argv = std::move(argv);
  return spec;
}

inline ProcessSpec shell(const std::string& script, std::string name = "step") {
  return command({"/bin/sh", "-c", script}, std::move(name));
}

inline ExecResult run(Pod& pod, ProcessSpec spec) {
  CancelToken cancel;
  return pod.exec(spec, cancel);
}

// Host pids whose environment or command line contains `marker`.
inline std::vector<pid_t> host_processes_with(const std::string& marker) {
  std::vector<pid_t> found;
  DIR* dir = opendir("/proc");
  if (dir == nullptr) return found;
  while (dirent* e = readdir(dir)) {
    const pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
    if (pid <= 0) continue;
    const std::string base = std::string("/proc/") + e->d_name;
    if (read_file_or_empty(base + "/environ").find(marker) != std::string::npos ||
        read_file_or_empty(base + "/cmdline").find(marker) != std::string::npos) {
      found.push_back(pid);
    }
  }
  closedir(dir);
  return found;
}

inline bool process_exists(pid_t pid) { return kill(pid, 0) == 0 || errno != ESRCH; }

// A unique marker per test so scans only ever find this test's processes.
inline std::string unique_marker(const std::string& what) {
  return what + "-" + std::to_string(getpid()) + "-" + std::to_string(rand());
}

}  // namespace clnrm::testing
