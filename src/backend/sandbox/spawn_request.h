#pragma once
// Side: shared protocol (docs/SANDBOX.md, "Code by side"): what the runner
// gives the children of the runner-forked path (runner_spawn.h) and what
// they report. Plain data prepared before the clone; the children
// (spawn_children.cpp) read it with async-signal-safe calls only.

#include "backend/sandbox/child_exec.h"
#include "backend/sandbox/security.h"

#include <sys/types.h>

#include <vector>

namespace clnrm::sandbox {

struct NamespaceJoin {
  int fd = -1;
  int type = 0;            // CLONE_NEW*
  const char* name = "";   // for error messages: "net", "mnt", ...
};

struct SpawnRequest {
  std::vector<NamespaceJoin> namespaces;  // joined in this order (user first)
  bool joins_user_namespace = false;      // then C1 cannot share the runner's memory
  std::vector<int> cgroup_tasks_fds;      // C1 writes "0" to each (joins the group)
  const SecurityPlan* security = nullptr;
  // Root runner: C2/C3 turn off dumpable (the runner keeps access through
  // CAP_SYS_PTRACE). An unprivileged runner needs them dumpable to open their
  // namespaces, and its steps cannot gain more than the runner's uid anyway.
  bool make_undumpable = true;
  RawExec exec;        // raw_exec() of an ExecPlan that outlives the spawn
  int stdin_fd = -1;   // -1: /dev/null
  int stdout_fd = -1;
  int stderr_fd = -1;
  int status_fd = -1;  // C2 writes a StepStatus here
};

// What C1 tells the runner on the report pipe: C2's pid, or the stage that
// failed and its errno. Stage strings are static, so the pointer is valid in
// the parent as well.
struct SpawnReport {
  pid_t pid = -1;
  int error = 0;
  const char* stage = nullptr;
};

// C1's argument.
struct SpawnChildContext {
  const SpawnRequest* request;
  int report_fd;
  char* c3_stack_top;
};

}  // namespace clnrm::sandbox
