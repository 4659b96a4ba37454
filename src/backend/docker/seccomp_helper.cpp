#include "backend/docker/seccomp_helper.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <utility>

namespace clnrm::docker {

namespace {

// Set before main by the binaries that need it (set_seccomp_helper_fallback),
// read afterwards; a function-local static so a setter in another
// translation unit's static initialiser never sees it unconstructed.
std::string& seccomp_helper_fallback() {
  static std::string path;
  return path;
}

}  // namespace

void set_seccomp_helper_fallback(std::string path) { seccomp_helper_fallback() = std::move(path); }

SeccompHelper locate_seccomp_helper(const Endpoint& engine, std::string_view configured,
                                    std::string_view env, std::string_view exe_dir,
                                    std::string_view libexec_from_bindir,
                                    std::string_view fallback,
                                    const std::function<bool(const std::string&)>& is_executable) {
  SeccompHelper h;
  if (engine.unix_socket.empty()) {
    h.why_not = fmt::format(
        "the engine is reached over {}: clnrm cannot bind-mount {} from this host into its "
        "containers",
        engine.describe(), kSeccompHelperFileName);
    return h;
  }
  auto take = [&](std::string_view path, std::string_view source) {
    if (is_executable(std::string(path))) {
      h.host_path = std::string(path);
    } else {
      h.why_not = fmt::format("{} '{}' is not an executable file", source, path);
    }
  };
  if (!configured.empty()) {
    take(configured, "the configured seccomp helper");
  } else if (!env.empty()) {
    take(env, "CLNRM_SECCOMP_EXEC");
  } else {
    std::vector<std::string> tried;
    if (!exe_dir.empty()) {
      tried.push_back(fmt::format("{}/{}", exe_dir, kSeccompHelperFileName));
      if (!libexec_from_bindir.empty()) {
        const std::filesystem::path installed = std::filesystem::path(exe_dir) /
                                                libexec_from_bindir / kSeccompHelperFileName;
        tried.push_back(installed.lexically_normal().string());
      }
    }
    if (!fallback.empty()) tried.emplace_back(fallback);
    for (const std::string& path : tried) {
      if (is_executable(path)) {
        h.host_path = path;
        return h;
      }
    }
    h.why_not = fmt::format("{} not found (looked at {}; set CLNRM_SECCOMP_EXEC to its path)",
                            kSeccompHelperFileName, fmt::join(tried, ", "));
  }
  return h;
}

SeccompHelper find_seccomp_helper(const Endpoint& engine, std::string_view configured) {
  const char* env = std::getenv("CLNRM_SECCOMP_EXEC");
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  // From the top-level CMakeLists.txt: libexec/clnrm relative to bin/, e.g.
  // "../libexec/clnrm".
#ifdef CLNRM_SECCOMP_EXEC_FROM_BINDIR
  const std::string_view libexec_from_bindir = CLNRM_SECCOMP_EXEC_FROM_BINDIR;
#else
  const std::string_view libexec_from_bindir;
#endif
  return locate_seccomp_helper(
      engine, configured, env ? env : "", ec ? std::string() : exe.parent_path().string(),
      libexec_from_bindir, seccomp_helper_fallback(), [](const std::string& path) {
        std::error_code e;
        return std::filesystem::is_regular_file(path, e) && ::access(path.c_str(), X_OK) == 0;
      });
}

std::vector<std::string> seccomp_exec_prefix(const IsolationPolicy& policy) {
  if (!policy.seccomp) return {};
  std::vector<std::string> prefix{std::string(kSeccompHelperInContainer)};
  if (!policy.denied_syscalls.empty())
    prefix.push_back(fmt::format("--deny={}", fmt::join(policy.denied_syscalls, ",")));
  if (policy.deny_new_user_namespaces) prefix.emplace_back("--deny-new-userns");
  prefix.emplace_back("--");
  return prefix;
}

std::vector<std::string> reaping_exec_prefix(const IsolationPolicy& policy) {
  std::vector<std::string> prefix = seccomp_exec_prefix(policy);
  if (prefix.empty()) {
    prefix = {std::string(kSeccompHelperInContainer), "--"};
  }
  prefix.insert(prefix.end() - 1, "--reap");
  return prefix;
}

}  // namespace clnrm::docker
