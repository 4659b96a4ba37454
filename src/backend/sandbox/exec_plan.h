#pragma once
// Everything a child needs to exec a ProcessSpec, computed in the parent
// before forking: after fork a multi-threaded parent's child may only make
// async-signal-safe calls (no malloc, no locale, no iostreams).
//
// Side: runner (docs/SANDBOX.md, "Code by side"): made before the fork; what
// a child reads of it is a RawExec (child_exec.h).

#include "backend/sandbox/child_exec.h"

#include <clnrm/backend.h>

#include <string>
#include <vector>

namespace clnrm::sandbox {

struct ExecPlan {
  std::vector<std::string> argv_storage;
  std::vector<char*> argv;                 // null-terminated
  std::vector<std::string> env_storage;    // "KEY=value"
  std::vector<char*> envp;                 // null-terminated
  std::vector<std::string> candidates;     // absolute paths to try, in PATH order
  std::vector<const char*> candidate_ptrs;  // null-terminated
  std::string workdir;                     // absolute path inside the pod
  std::string rootfs;                      // empty: the pod's root (its allowlisted view)
  bool rootfs_writable = false;            // a service's image root (image_roots.h)
  int uid = -1;                            // an image's User; -1: the pod's root
  int gid = -1;
  std::string not_found_message;           // "clnrm: foo: command not found\n"
  std::string denied_message;              // "clnrm: foo: permission denied\n"
};

// The fixed base environment (see include/clnrm/sandbox.h) plus spec.env,
// which overrides a base key of the same name.
std::vector<std::string> sandbox_environment(const ProcessSpec& spec, const std::string& test_name,
                                             const std::string& home);

// Throws Error(Config) for an empty argv, or a rootfs that is not a directory
// with the mount points the sandbox needs (/tmp, /proc).
ExecPlan make_exec_plan(const ProcessSpec& spec, const std::string& test_name, const std::string& pod_workdir);

// `plan` as the plain pointers a child reads (valid while `plan` lives).
RawExec raw_exec(const ExecPlan& plan);

}  // namespace clnrm::sandbox
