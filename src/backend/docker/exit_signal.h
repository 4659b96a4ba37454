#pragma once
// The signal behind an exit status that Docker (an exec's ExitCode) and the
// step agent's shell (src/backend/docker/step_agent.cpp) report for a process
// killed by one: 128+n, as a shell does.

namespace clnrm::docker {

// n for an exit code 128+n with n a signal number (1..64), else 0.
inline int signal_of_exit_code(int exit_code) {
  return exit_code > 128 && exit_code < 128 + 65 ? exit_code - 128 : 0;
}

}  // namespace clnrm::docker
