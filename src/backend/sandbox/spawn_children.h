#pragma once
// Side: inside the pod (docs/SANDBOX.md, "Code by side"): the entry of the
// runner-forked path's children (runner_spawn.h says what C1, C2 and C3 do).

#include "backend/sandbox/spawn_request.h"

namespace clnrm::sandbox {

// C1: its argument is a SpawnChildContext. Joins the pod's namespaces and
// cgroups, clones C2 (CLONE_PARENT) and reports its pid (a SpawnReport) on
// report_fd.
int spawn_c1_main(void* arg);

// The signal on which C2 SIGKILLs C3 (kill_tree_signal()); set once, in
// the runner, before the first clone.
void set_kill_tree_signal(int sig) noexcept;

}  // namespace clnrm::sandbox
