#pragma once
// clnrm's own seccomp filter (security level high) inside Docker/Podman
// containers. The engine loads only its default profile; replacing that
// profile (SecurityOpt seccomp=<json>) would need the engine's own profile to
// extend, which the API does not expose, and a guess could weaken it. So
// the static clnrm-seccomp-exec helper (src/seccomp_exec/) is bind-mounted
// read-only into every step and service container and wraps what runs there:
// it installs clnrm's deny filter ON TOP of the engine's (filters stack, the
// strictest answer wins) and execs the command. It wraps a container's PID 1
// (the step agent, a service's command), whose children inherit the filter,
// and every engine exec, which the engine starts outside PID 1's tree.
//
// The helper must exist on the engine's host: when the engine is reached
// over tcp:// or the binary is not found, the backend runs with the engine's
// profile only and enforced_limits() says so.

#include <clnrm/policy.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "backend/docker/http_transport.h"

namespace clnrm::docker {

// Where the helper is mounted inside containers.
inline constexpr std::string_view kSeccompHelperInContainer = "/.clnrm/seccomp-exec";
// Its file name next to the clnrm executable.
inline constexpr std::string_view kSeccompHelperFileName = "clnrm-seccomp-exec";

struct SeccompHelper {
  std::string host_path;  // the binary to bind-mount; empty: not available
  std::string why_not;    // when not available: the reason, for enforced_limits()
  bool available() const { return !host_path.empty(); }
};

// Decides where the helper is, from explicit inputs (unit-tested). The first
// of `configured` (DockerOptions::seccomp_exec), `env` (CLNRM_SECCOMP_EXEC),
// `<exe_dir>/clnrm-seccomp-exec`, `<exe_dir>/<libexec_from_bindir>/clnrm-seccomp-exec`
// (an install: bin/../libexec/clnrm/), `fallback` that is set wins; a
// configured or env path that is not an executable file is reported, not skipped.
SeccompHelper locate_seccomp_helper(const Endpoint& engine, std::string_view configured,
                                    std::string_view env, std::string_view exe_dir,
                                    std::string_view libexec_from_bindir,
                                    std::string_view fallback,
                                    const std::function<bool(const std::string&)>& is_executable);
// locate_seccomp_helper with the environment, /proc/self/exe, the install
// layout CMake configured, and the fallback below.
SeccompHelper find_seccomp_helper(const Endpoint& engine, std::string_view configured);

// Where the helper is for a program that has it neither next to itself nor
// in ../libexec/clnrm/: the test and benchmark binaries in the build tree's
// subdirectories set the build tree's helper here before main
// (tests/support/seccomp_helper_location.cpp). Looked at last. The library
// itself never sets it, so no path of the build tree is compiled into it.
void set_seccomp_helper_fallback(std::string path);

// The argv prefix that runs a command under the policy's filter:
// {"/.clnrm/seccomp-exec", "--deny=mount,...", "--deny-new-userns", "--"}.
// Empty when the policy has no seccomp filter.
std::vector<std::string> seccomp_exec_prefix(const IsolationPolicy& policy);
// The argv prefix of engine-exec steps at every level: the policy's filter
// (as above, none below high) plus --reap, so nothing the step starts
// outlives it: {"/.clnrm/seccomp-exec", [--deny=... --deny-new-userns,] "--reap", "--"}.
std::vector<std::string> reaping_exec_prefix(const IsolationPolicy& policy);

}  // namespace clnrm::docker
