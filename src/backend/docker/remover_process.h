#pragma once
// The teardown process: removals of torn-down pods run in a child process
// forked when the backend is made, so the process that runs the tests never
// waits for the engine's container removal, also not at its end (the CLI
// prints the verdict and exits while the child removes the last test's
// containers). The child is in a session of its own with stdio on /dev/null
// (a pipe reading the runner's output is not held open, Ctrl-C does not reach
// it). Commands arrive over a pipe; when it closes (the runner exited, or
// was SIGKILLed) the child finishes the queued batches, removes every
// container still labelled with this runner's pid in the watched sessions
// (warm reuse units excepted), and exits. Nothing is left behind: what the
// child cannot remove (engine gone) the reaper removes at the next start.

#include <memory>

#include "backend/docker/remover.h"

namespace clnrm::docker {

class DockerClient;

// A connected client (its API version is used by the child as is). Returns
// nullptr when the child cannot be started (the caller uses a ThreadRemover).
std::unique_ptr<Remover> make_process_remover(DockerClient& client);

}  // namespace clnrm::docker
