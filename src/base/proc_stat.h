#pragma once
// A process's /proc/<pid>/stat line (proc(5)), read in one place: the
// fields clnrm asks of a process (its state, parent, session and start
// time). The docker backend's owner labels (src/backend/docker/owner.cpp)
// and its kept agents' checks (src/backend/docker/kept_agent.cpp) read it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace clnrm {

struct ProcStat {
  std::string command;            // field 2, without its parentheses
  char state = 0;                 // field 3: R, S, D, Z, T, ...
  long parent = 0;                // field 4
  long session = 0;               // field 6
  std::uint64_t start_ticks = 0;  // field 22: clock ticks after boot
};

// The fields of stat line `line`; nullopt when it ends before field 22 or a
// field read is not a number. The command name may hold spaces and ')':
// the fields resume after the line's last ')'.
std::optional<ProcStat> parse_proc_stat(std::string_view line);

// /proc/<pid>/stat parsed; nullopt when there is no such process.
std::optional<ProcStat> read_proc_stat(long pid);

}  // namespace clnrm
