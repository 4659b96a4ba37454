#pragma once
// The seccomp programs the executable's build compiled for the built-in
// security levels (include/clnrm/sandbox.h, PrebuiltSeccompProgram):
// defined in the build tree's generated/seccomp_prebuilt.cpp, which
// tools/seccomp_prebuilt.cpp writes when clnrm is built.

#include <clnrm/sandbox.h>

#include <span>

namespace clnrm::cli {

std::span<const PrebuiltSeccompProgram> prebuilt_seccomp_programs();

}  // namespace clnrm::cli
