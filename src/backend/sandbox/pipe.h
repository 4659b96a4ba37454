#pragma once
// Side: runner (docs/SANDBOX.md, "Code by side").
//
// Pipes that are CLOEXEC from birth: the runner is multi-threaded, and a
// descriptor without O_CLOEXEC leaks into every child any other thread forks
// at that moment. (UniqueFd, the one descriptor owner, is base/unique_fd.h's.)

#include "base/unique_fd.h"

namespace clnrm::sandbox {

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

// pipe2(O_CLOEXEC | extra_flags); throws clnrm::Error on failure.
Pipe make_pipe(int extra_flags = 0);

}  // namespace clnrm::sandbox
