// Side: runner (docs/SANDBOX.md, "Code by side").
#include "backend/sandbox/pipe.h"

#include <clnrm/error.h>

#include <fcntl.h>

namespace clnrm::sandbox {

Pipe make_pipe(int extra_flags) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | extra_flags) != 0) throw_errno("sandbox: pipe2");
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

}  // namespace clnrm::sandbox
