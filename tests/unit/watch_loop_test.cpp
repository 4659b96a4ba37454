// watch_and_rerun (src/cli/watch_loop.cpp) in-process, on a real scratch
// tree with real inotify: the run is a fake that records what it was asked
// to run and drives the next step itself (a file change made during the
// first run, SIGINT raised from the second), so nothing waits on a clock.
#include "cli/watch_loop.h"

#include <clnrm/result.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.h"

using namespace clnrm;
using namespace clnrm::cli;
using clnrm::testing::TempDir;

namespace {

const char* const kTest = "[test.metadata]\nname = \"t\"\n";

WatchRun result_of(const std::string& file, Status status, int exit_code) {
  WatchRun r;
  r.exit_code = exit_code;
  TestResult t;
  t.file = file;
  t.name = "t";
  t.status = status;
  r.run.tests.push_back(t);
  return r;
}

// What the watch printed to `out`.
std::string text_of(std::FILE* out) {
  std::fflush(out);
  std::rewind(out);
  std::string text;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, out)) text.append(buf, n);
  return text;
}

// Ends a watch that never got where the test drives it (SIGINT after a
// generous limit), so a broken watch fails its assertions instead of
// hanging; disarmed when the scope ends.
class Watchdog {
 public:
  Watchdog()
      : thread_([this] {
          std::unique_lock lock(mutex_);
          if (!cv_.wait_for(lock, std::chrono::seconds(120), [this] { return done_; }))
            ::kill(::getpid(), SIGINT);
        }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

struct Scratch {
  Watchdog watchdog;
  TempDir dir{"clnrm-watch-loop"};
  std::FILE* out = std::tmpfile();
  ~Scratch() { std::fclose(out); }
  WatchRequest request() const {
    WatchRequest r;
    r.roots = {dir.path()};
    r.test_paths = {dir.path()};
    r.out = out;
    r.announce_signals = false;
    return r;
  }
};

TEST(WatchLoop, AChangedTestFileIsRerunAloneAndSigintEndsWith130) {
  Scratch s;
  const std::string a = s.dir.write("a.clnrm.toml", kTest);
  const std::string b = s.dir.write("sub/b.clnrm.toml", kTest);
  std::vector<std::vector<std::string>> calls;
  const int code =
      watch_and_rerun(s.request(), [&](const std::vector<std::string>& paths, CancelToken&) {
        calls.push_back(paths);
        if (calls.size() < 3) {  // each run but the last edits the file again
          s.dir.write("a.clnrm.toml", std::string(kTest) + "# edited\n");
          return result_of(a, calls.size() == 1 ? Status::Passed : Status::Failed, 0);
        }
        ::kill(::getpid(), SIGINT);  // the watch's own handler: cancels, the loop ends
        return result_of(a, Status::Failed, 1);
      });
  EXPECT_EQ(code, 130);
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0], std::vector<std::string>{s.dir.path()}) << "the first run: the test paths";
  EXPECT_EQ(calls[1], std::vector<std::string>{a});
  const std::string text = text_of(s.out);
  EXPECT_NE(text.find("clnrm watch: changed: " + a + "\n"), std::string::npos) << text;
  EXPECT_NE(text.find("clnrm watch: rerunning " + a + "\n"), std::string::npos) << text;
  EXPECT_NE(text.find("changed verdict: t passed -> failed"), std::string::npos) << text;
  EXPECT_EQ(text.find(b), std::string::npos) << text;
  EXPECT_NE(text.find("clnrm watch: stopped"), std::string::npos) << text;
}

TEST(WatchLoop, TheRunsOwnOutputsAndTemporariesAreNotChanges) {
  Scratch s;
  const std::string a = s.dir.write("a.clnrm.toml", kTest);
  WatchRequest request = s.request();
  request.own_outputs = {s.dir.file("reports/r.json"), s.dir.file("logs")};
  std::vector<std::vector<std::string>> calls;
  const int code =
      watch_and_rerun(request, [&](const std::vector<std::string>& paths, CancelToken&) {
        calls.push_back(paths);
        if (calls.size() == 1) {
          s.dir.write("reports/r.json", "{}");
          s.dir.write("logs/t/svc.log", "x");
          s.dir.write("per-test.xml", "<x/>");  // written by the run: told by files_written
          s.dir.write("sedAbC123", "tmp");      // sed -i's temporary, gone before the batch ends
          std::filesystem::remove(s.dir.file("sedAbC123"));
          s.dir.write("a.clnrm.toml", std::string(kTest) + "# edited\n");
          WatchRun r = result_of(a, Status::Passed, 0);
          r.files_written = {s.dir.file("per-test.xml")};
          return r;
        }
        ::kill(::getpid(), SIGINT);
        return result_of(a, Status::Passed, 0);
      });
  EXPECT_EQ(code, 130);
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[1], std::vector<std::string>{a});
  const std::string text = text_of(s.out);
  EXPECT_NE(text.find("clnrm watch: changed: " + a + "\n"), std::string::npos) << text;
}

TEST(WatchLoop, EndsWithTheLastRunsExitCodeWhenTheWatchedTreeIsGone) {
  Scratch s;
  const std::string tree = s.dir.file("tree");
  s.dir.write("tree/a.clnrm.toml", kTest);
  WatchRequest request = s.request();
  request.roots = {tree};
  request.test_paths = {tree};
  int calls = 0;
  const int code = watch_and_rerun(request, [&](const std::vector<std::string>&, CancelToken&) {
    ++calls;
    std::filesystem::remove_all(tree);
    return result_of(tree + "/a.clnrm.toml", Status::Failed, 1);
  });
  EXPECT_EQ(code, 1);
  EXPECT_EQ(calls, 1);
  EXPECT_NE(text_of(s.out).find("every watched directory is gone"), std::string::npos);
}

}  // namespace
