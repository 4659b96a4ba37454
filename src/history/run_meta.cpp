// Who/where/what of a run: host, git commit, version.
#include <clnrm/history.h>
#include <clnrm/version.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>

namespace clnrm::history {

namespace {

// `git -C dir rev-parse HEAD`, or "" when dir is not in a git work tree or
// git is not installed. stderr is discarded: "not a git repository" is normal.
std::string git_head(const std::string& dir) {
  std::string quoted = "'";
  for (char c : dir) quoted += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  quoted += "'";
  const std::string cmd = "git -C " + quoted + " rev-parse --verify -q HEAD 2>/dev/null";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return {};
  std::array<char, 128> buf{};
  std::string out;
  while (std::fgets(buf.data(), static_cast<int>(buf.size()), pipe)) out += buf.data();
  const int status = ::pclose(pipe);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return {};
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out.size() == 40 || out.size() == 64 ? out : std::string();
}

}  // namespace

std::string default_path() { return ".clnrm/history.db"; }

RunMeta collect_run_meta(std::string backend, std::string options, const std::string& dir) {
  RunMeta meta;
  meta.started = std::chrono::system_clock::now();
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) == 0) meta.host = host.data();
  meta.git_commit = git_head(dir);
  meta.clnrm_version = kVersion;
  meta.backend = std::move(backend);
  meta.options = std::move(options);
  return meta;
}

}  // namespace clnrm::history
