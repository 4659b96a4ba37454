// Side: runner (docs/SANDBOX.md, "Code by side").
#include "backend/sandbox/exec_plan.h"

#include <clnrm/error.h>
#include <clnrm/sandbox.h>

#include <sys/stat.h>

#include <algorithm>
#include <string_view>

namespace clnrm::sandbox {
namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> dirs;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find(':', start), path.size());
    std::string dir(path.substr(start, end - start));
    dirs.push_back(dir.empty() ? "." : dir);  // an empty entry means the cwd, as in execvp
    start = end + 1;
  }
  return dirs;
}

}  // namespace

std::vector<std::string> sandbox_environment(const ProcessSpec& spec, const std::string& test_name,
                                             const std::string& home) {
  std::vector<std::pair<std::string, std::string>> env = {
      {"PATH", kSandboxPath}, {"HOME", home},         {"LANG", "C.UTF-8"},
      {"TZ", "UTC"},          {"CLNRM_TEST", test_name}, {"CLNRM_STEP", spec.name},
  };
  for (const auto& [key, value] : spec.env) {
    auto it = std::find_if(env.begin(), env.end(), [&](const auto& kv) { return kv.first == key; });
    if (it != env.end()) {
      it->second = value;
    } else {
      env.emplace_back(key, value);
    }
  }
  std::vector<std::string> out;
  out.reserve(env.size());
  for (auto& [key, value] : env) out.push_back(key + "=" + value);
  return out;
}

ExecPlan make_exec_plan(const ProcessSpec& spec, const std::string& test_name, const std::string& pod_workdir) {
  if (spec.argv.empty() || spec.argv.front().empty()) {
    throw Error(ErrorKind::Config, "empty command", spec.name.empty() ? "sandbox exec" : "step '" + spec.name + "'");
  }
  ExecPlan plan;
  if (!spec.rootfs.empty()) {
    const std::string where = spec.name.empty() ? "sandbox exec" : "step '" + spec.name + "'";
    if (spec.rootfs.front() != '/') {
      throw Error(ErrorKind::Config, "rootfs must be an absolute path: '" + spec.rootfs + "'", where);
    }
    // The pod sees it only when its PodSpec shares it (shared_host_dirs).
    for (const char* needed : {"", "/tmp", "/proc"}) {
      struct stat st {};
      const std::string path = spec.rootfs + needed;
      if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        throw Error(ErrorKind::Config,
                    "rootfs '" + spec.rootfs + "' has no directory " + (needed[0] ? needed : "(the rootfs itself)") +
                        " (the sandbox mounts the pod's /tmp and /proc there)",
                    where);
      }
    }
    plan.rootfs = spec.rootfs;
  }
  plan.argv_storage = spec.argv;
  for (auto& arg : plan.argv_storage) plan.argv.push_back(arg.data());
  plan.argv.push_back(nullptr);

  plan.env_storage = sandbox_environment(spec, test_name, pod_workdir);
  for (auto& entry : plan.env_storage) plan.envp.push_back(entry.data());
  plan.envp.push_back(nullptr);

  if (spec.workdir.empty()) {
    plan.workdir = pod_workdir;
  } else if (spec.workdir.front() == '/') {
    plan.workdir = spec.workdir;
  } else {
    plan.workdir = pod_workdir + "/" + spec.workdir;
  }

  const std::string& program = spec.argv.front();
  if (program.find('/') != std::string::npos) {
    // Relative paths with a slash resolve against the workdir, as in a shell.
    plan.candidates.push_back(program);
  } else {
    std::string path = kSandboxPath;
    for (const auto& entry : plan.env_storage) {
      if (entry.rfind("PATH=", 0) == 0) path = entry.substr(5);
    }
    for (const auto& dir : split_path(path)) plan.candidates.push_back(dir + "/" + program);
  }
  for (const auto& c : plan.candidates) plan.candidate_ptrs.push_back(c.c_str());
  plan.candidate_ptrs.push_back(nullptr);
  plan.not_found_message = "clnrm: " + program + ": command not found\n";
  plan.denied_message = "clnrm: " + program + ": permission denied\n";
  return plan;
}

RawExec raw_exec(const ExecPlan& plan) {
  RawExec raw;
  raw.candidates = plan.candidate_ptrs.data();
  raw.argv = plan.argv.data();
  raw.envp = plan.envp.data();
  raw.workdir = plan.workdir.c_str();
  raw.rootfs = plan.rootfs.c_str();
  raw.rootfs_writable = plan.rootfs_writable;
  raw.uid = plan.uid;
  raw.gid = plan.gid;
  raw.not_found_message = plan.not_found_message.c_str();
  raw.denied_message = plan.denied_message.c_str();
  return raw;
}

}  // namespace clnrm::sandbox
