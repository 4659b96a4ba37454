#pragma once
// Internal to src/report: the progress state of a ConsoleReporter (which
// tests run, how many finished, the ticker that redraws the status line).

#include <clnrm/report.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <string>
#include <thread>

namespace clnrm {

struct ConsoleReporter::Progress {
  using Clock = std::chrono::steady_clock;
  struct Running {
    std::string name;  // already escaped for the terminal
    Clock::time_point since;
  };
  std::size_t total = 0;
  std::size_t finished = 0;
  bool live = false;          // status line on a terminal
  bool status_shown = false;  // the status line is on screen now
  std::chrono::milliseconds quiet_period{30000};
  Clock::time_point last_output = Clock::now();
  std::map<int, Running> running;  // by worker lane
  std::condition_variable_any wake;
  std::jthread ticker;  // last: stopped and joined first
};

}  // namespace clnrm
