// Who/where/what of a run: host, git commit, version.
#include <clnrm/history.h>
#include <clnrm/version.h>
#include <unistd.h>

#include <array>

#include "base/git_head.h"
#include "base/host_name.h"

namespace clnrm::history {

std::string default_path() { return ".clnrm/history.db"; }

RunMeta collect_run_meta(std::string backend, std::string options, const std::string& dir) {
  RunMeta meta;
  meta.started = std::chrono::system_clock::now();
  meta.host = host_name("");
  meta.git_commit = git_head(dir);
  meta.clnrm_version = kVersion;
  meta.backend = std::move(backend);
  meta.options = std::move(options);
  return meta;
}

}  // namespace clnrm::history
