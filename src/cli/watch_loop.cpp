// watch_and_rerun (watch_loop.h): the loop of clnrm run --watch.
#include "cli/watch_loop.h"

#include <clnrm/affected_tests.h>
#include <clnrm/control_characters.h>
#include <clnrm/error.h>
#include <clnrm/parser.h>
#include <clnrm/signals.h>
#include <clnrm/suite.h>
#include <fmt/format.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <set>

#include "cli/change_batch.h"
#include "cli/directory_watch.h"
#include "cli/watch_verdicts.h"

namespace clnrm::cli {
namespace {

namespace fs = std::filesystem;
using Clock = ChangeBatch::Clock;

// However long the tree stays quiet, the loop wakes this often to see
// whether a signal asked it to stop (the handler cannot wake poll(2) in
// this thread: signals may land on any thread).
constexpr std::chrono::milliseconds kIdleWake{100};

std::string absolute_normal(const std::string& path) {
  std::error_code ec;
  const fs::path p = fs::absolute(path, ec);
  return (ec ? fs::path(path) : p).lexically_normal().string();
}

// The directories to watch: every --watch DIR, and each test path's
// directory (the path itself, or a file's parent), so the tests' own edits
// are seen even when DIR is elsewhere (--watch src tests/).
std::vector<std::string> watched_roots(const WatchRequest& r) {
  std::vector<std::string> roots = r.roots;
  for (const std::string& p : r.test_paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      roots.push_back(p);
    } else {
      const fs::path parent = fs::path(p).parent_path();
      roots.push_back(parent.empty() ? "." : parent.string());
    }
  }
  std::vector<std::string> unique;
  std::vector<std::string> seen;
  for (const std::string& root : roots) {
    const std::string key = absolute_normal(root);
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    seen.push_back(key);
    unique.push_back(root);
  }
  return unique;
}

class OwnOutputs {
 public:
  explicit OwnOutputs(const std::vector<std::string>& paths) { add(paths); }
  void add(const std::vector<std::string>& paths) {
    for (const std::string& p : paths)
      if (!p.empty()) paths_.push_back(absolute_normal(p));
  }
  // `path` is an output, or lies below one (a --keep-logs directory).
  bool contains(const std::string& path) const {
    const std::string p = absolute_normal(path);
    return std::any_of(paths_.begin(), paths_.end(),
                       [&](const std::string& own) { return path_within(p, own); });
  }
  // An output lies below `path` (a directory the run made to write into).
  bool below(const std::string& path) const {
    const std::string p = absolute_normal(path);
    return std::any_of(paths_.begin(), paths_.end(),
                       [&](const std::string& own) { return path_within(own, p) && own != p; });
  }

 private:
  std::vector<std::string> paths_;
};

// How a path is shown: as given, without "./" or doubled slashes.
std::string shown(const std::string& path) {
  const std::string s = fs::path(path).lexically_normal().string();
  return s.empty() ? path : s;
}

std::vector<std::string> shown_all(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const std::string& p : paths) out.push_back(shown(p));
  return out;
}

// A path made during the batch and gone at its end was a temporary file
// (sed -i's sedXXXXXX, an editor's backup): no test can have read it.
std::vector<std::string> without_temporaries(std::vector<std::string> changed,
                                             const std::set<std::string>& made) {
  changed.erase(std::remove_if(changed.begin(), changed.end(),
                               [&](const std::string& p) {
                                 std::error_code ec;
                                 return made.count(p) && !fs::exists(fs::symlink_status(p, ec));
                               }),
                changed.end());
  return changed;
}

class Watch {
 public:
  Watch(const WatchRequest& r, const RunFiles& run_files)
      : r_(r), run_files_(run_files), own_(r.own_outputs) {}

  int run() {
    // Signals are ours for the whole watch: a run is cancelled through the
    // same token (and so the same teardown) as a plain `clnrm run`.
    SignalCancellation signals(cancel_, r_.announce_signals);
    const std::vector<std::string> roots = watched_roots(r_);
    for (const std::string& root : roots)
      watch_.add_tree(root);  // before the first run: its edits count

    files_ = select_test_files(r_.test_paths, r_.include_failing);
    if (files_.empty())
      say("no test files yet: waiting for one");
    else
      run_tests(r_.test_paths);  // as a plain run: what the directories held besides is said
    if (cancel_.cancelled()) return stopped();
    say(fmt::format("watching {} ({} test file{}); Ctrl-C ends", list_paths(shown_all(roots)),
                    files_.size(), files_.size() == 1 ? "" : "s"));

    ChangeBatch batch;
    std::set<std::string> made;  // paths made during the batch
    bool overflow = false;
    for (;;) {
      if (cancel_.cancelled()) return stopped();
      const auto now = Clock::now();
      auto wait = kIdleWake;
      if (const auto due = batch.due())
        wait = std::clamp(std::chrono::ceil<std::chrono::milliseconds>(*due - now),
                          std::chrono::milliseconds(0), kIdleWake);
      pollfd p{watch_.fd(), POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(wait.count())) < 0 && errno != EINTR)
        throw_errno("poll on the inotify descriptor");
      WatchEvents events = watch_.read();
      overflow = overflow || events.overflow;
      made.insert(events.made.begin(), events.made.end());
      for (const std::string& path : events.paths)
        if (!own_.contains(path) && !(made.count(path) && own_.below(path)))
          batch.add(path, Clock::now());
      if (overflow && batch.empty()) batch.add(roots.front(), Clock::now());
      if (watch_.directories() == 0) {
        say("every watched directory is gone: the watch ends");
        return last_exit_;
      }
      if (!batch.ready(Clock::now())) continue;
      std::vector<std::string> changed = without_temporaries(batch.take(), made);
      made.clear();
      rerun(changed, std::exchange(overflow, false));
    }
  }

 private:
  void say(const std::string& line) {
    std::fprintf(r_.out, "clnrm watch: %s\n", line.c_str());
    std::fflush(r_.out);
  }

  // Ended by SIGINT/SIGTERM: 130, as an interrupted `clnrm run`.
  int stopped() {
    say("stopped");
    return exit_code(SuiteVerdict::Interrupted);
  }

  void run_tests(const std::vector<std::string>& files) {
    WatchRun result = run_files_(files, cancel_);
    last_exit_ = result.exit_code;
    own_.add(result.files_written);
    changes_ = verdicts_.record(result.run);
    ran_ = !result.run.tests.empty();
  }

  void rerun(const std::vector<std::string>& changed, bool overflow) {
    std::vector<std::string> now;
    try {
      now = select_test_files(r_.test_paths, r_.include_failing);
    } catch (const Error& e) {  // a test path itself was removed
      say(escape_control_characters(e.describe()));
    }
    AffectedTests affected = affected_tests(files_, now, changed);
    if (overflow) {  // events were lost: anything may have changed
      affected.all = true;
      affected.rerun = now;
    }
    files_ = std::move(now);
    if (changed.empty() && !overflow && affected.added.empty() && affected.removed.empty())
      return;  // only temporaries came and went

    std::fprintf(r_.out, "\n");
    say(overflow ? "changes were lost (the kernel's event queue overflowed)"
                 : fmt::format("changed: {}", list_paths(shown_all(changed))));
    for (const std::string& f : affected.removed) {
      say(fmt::format("{} was removed: no longer watched", escape_control_characters(shown(f))));
      verdicts_.forget_file(f);
    }
    for (const std::string& f : affected.added)
      say(fmt::format("new test file {}: watched", escape_control_characters(shown(f))));
    if (affected.rerun.empty()) {
      if (affected.removed.empty()) say("no test file to run; watching, Ctrl-C ends");
      return;
    }
    say(affected.all ? fmt::format("rerunning every test file ({}): cleanroom.toml, or a file "
                                   "outside every test's directory, changed",
                                   affected.rerun.size())
                     : fmt::format("rerunning {}", list_paths(shown_all(affected.rerun), 10)));
    run_tests(affected.rerun);
    if (cancel_.cancelled()) return;
    say(ran_ ? fmt::format("{}; watching, Ctrl-C ends", describe_changes(changes_))
             : "nothing ran (see above); watching, Ctrl-C ends");
  }

  const WatchRequest& r_;
  const RunFiles& run_files_;
  OwnOutputs own_;
  CancelToken cancel_;
  DirectoryWatch watch_;
  WatchVerdicts verdicts_;
  std::vector<std::string> files_;  // the test files selected now
  std::vector<VerdictChange> changes_;
  bool ran_ = false;
  int last_exit_ = 2;  // no run yet: as `clnrm run` without a test file
};

}  // namespace

int watch_and_rerun(const WatchRequest& request, const RunFiles& run_files) {
  return Watch(request, run_files).run();
}

}  // namespace clnrm::cli
