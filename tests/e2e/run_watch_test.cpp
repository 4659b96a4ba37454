// clnrm run --watch DIR through the real binary (issue 18 item 4;
// docs/running-tests.md, "Watch mode"): a first run, a real file change
// that makes a passing test fail, the rerun of only that file with the
// verdict change, then SIGINT: exit 130, nothing left running. Every wait
// reads the binary's output (generous limits); nothing sleeps and asserts.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "e2e/run_process.h"

using run_e2e::Child;
using run_e2e::no_process_left;
using run_e2e::Outcome;
using run_e2e::run_clnrm;
using run_e2e::TempDir;
using run_e2e::wait_for_process;

namespace {

constexpr auto npos = std::string::npos;

std::string echo_test(const std::string& name, const std::string& says,
                      const std::string& expects) {
  return "[test.metadata]\nname = \"" + name +
         "\"\n\n[[steps]]\nname = \"say\"\ncommand = "
         "[\"echo\", \"" +
         says + "\"]\nexpected_output_regex = \"" + expects + "\"\n";
}

// Rewrites a file the way a plain editor save does (truncate, write, close).
void save(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// Polls `c`'s captured stdout until `needle` appears at or after `from`;
// returns where it starts (npos when the limit passed first).
std::size_t wait_for_stdout(const Child& c, const std::string& needle, std::size_t from = 0) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  for (;;) {
    const std::string out = c.stdout_so_far();
    const std::size_t at = out.size() > from ? out.find(needle, from) : npos;
    if (at != npos || std::chrono::steady_clock::now() > until) return at;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// The test files in one temp dir, watched by absolute path (so the runner's
// processes are found by it), the output in another.
struct WatchScratch {
  TempDir files{"clnrm-e2e-watch"}, out{"clnrm-e2e-watch-out"};
  std::string err() const { return run_e2e::read_file(out.path() + "/stderr"); }
  Child start(std::vector<std::string> extra = {}, const std::string& backend = "sandbox") const {
    std::vector<std::string> args = {"run",   "--no-history", "--backend",
                                     backend, "--watch",      files.path()};
    args.insert(args.end(), extra.begin(), extra.end());
    return Child(args, out.path(), {}, files.path());
  }
};

TEST(RunWatch, RerunsOnlyTheChangedFileAndSaysItsVerdictChangedThenSigintEndsIt) {
  WatchScratch s;
  const std::string a = s.files.write("a.clnrm.toml", echo_test("watched_a", "hello", "hello"));
  s.files.write("sub/b.clnrm.toml", echo_test("watched_b", "fine", "fine"));
  Child c = s.start();

  const std::size_t first = wait_for_stdout(c, "clnrm watch: watching");
  ASSERT_NE(first, npos) << c.stdout_so_far() << s.err();
  std::string out = c.stdout_so_far();
  EXPECT_NE(out.find("PASS   watched_a"), npos) << out;
  EXPECT_NE(out.find("PASS   watched_b"), npos) << out;
  EXPECT_NE(out.find("(2 test files)"), npos) << out;

  save(a, echo_test("watched_a", "goodbye", "hello"));  // a passing test now fails
  const std::size_t summary =
      wait_for_stdout(c, "changed verdict: watched_a passed -> failed", first);
  ASSERT_NE(summary, npos) << c.stdout_so_far() << s.err();
  out = c.stdout_so_far();
  const std::string rerun = out.substr(first);
  EXPECT_NE(rerun.find("clnrm watch: changed: " + a + "\n"), npos) << rerun;
  EXPECT_NE(rerun.find("clnrm watch: rerunning " + a + "\n"), npos) << rerun;
  EXPECT_NE(rerun.find("FAIL   watched_a"), npos) << rerun;
  EXPECT_EQ(rerun.find("watched_b"), npos) << "only the changed file reruns: " << rerun;
  EXPECT_EQ(count(out, "clnrm watch: rerunning"), 1u) << "one save, one rerun: " << out;

  c.signal(SIGINT);
  const Outcome o = c.wait(std::chrono::seconds(30));
  EXPECT_EQ(o.exit_code, 130) << o.out << o.err;
  EXPECT_NE(o.out.find("clnrm watch: stopped"), npos) << o.out;
  EXPECT_TRUE(no_process_left(s.files.path())) << "a process of the watch survived";
}

TEST(RunWatch, SigintDuringARerunCancelsItAndLeavesNothingRunning) {
  WatchScratch s;
  const std::string t = s.files.write("slow.clnrm.toml", echo_test("watched_slow", "x", "x"));
  Child c = s.start();
  const std::size_t first = wait_for_stdout(c, "clnrm watch: watching");
  ASSERT_NE(first, npos) << c.stdout_so_far() << s.err();

  save(t,
       "[test.metadata]\nname = \"watched_slow\"\n\n[[steps]]\nname = \"hang\"\n"
       "command = [\"sleep\", \"3583.25\"]\n");
  ASSERT_TRUE(wait_for_process("sleep 3583.25", std::chrono::seconds(120)))
      << "the rerun never started: " << c.stdout_so_far() << s.err();
  c.signal(SIGINT);
  const Outcome o = c.wait(std::chrono::seconds(30));
  EXPECT_EQ(o.exit_code, 130) << o.out << o.err;
  EXPECT_NE(o.out.find("CANCL  watched_slow"), npos) << o.out;
  EXPECT_TRUE(no_process_left("sleep 3583.25")) << "the step survived the watch";
  EXPECT_TRUE(no_process_left(s.files.path())) << "a process of the watch survived";
}

// Ids of the containers labelled with test `test` (any state), as
// run_docker_teardown_test.cpp finds them.
std::string containers_of_test(const std::string& test) {
  TempDir dir;
  const std::string out = dir.file("ps");
  [[maybe_unused]] int rc = std::system(
      ("docker ps -aq --filter label=clnrm.test=" + test + " > " + out + " 2>&1").c_str());
  return run_e2e::read_file(out);
}

bool no_container_left(const std::string& test) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < until) {
    if (containers_of_test(test).empty()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

TEST(RunWatch, SigintDuringADockerRerunLeavesNoContainer) {
  WatchScratch s;
  const std::string name = "watched_docker_" + std::to_string(::getpid());
  const std::string service =
      "[test.metadata]\nname = \"" + name +
      "\"\n\n[services.box]\nplugin = \"generic_container\"\n"
      "image = \"clnrm-test/busybox\"\nargs = [\"sleep\", \"2147483647\"]\n\n";
  const std::string t = s.files.write(
      "d.clnrm.toml",
      service + "[[steps]]\nname = \"quick\"\nservice = \"box\"\ncommand = [\"true\"]\n");
  Child c = s.start({}, "docker");
  const std::size_t first = wait_for_stdout(c, "clnrm watch: watching");
  ASSERT_NE(first, npos) << c.stdout_so_far() << s.err();
  EXPECT_NE(c.stdout_so_far().find("PASS   " + name), npos) << c.stdout_so_far() << s.err();

  save(t,
       service + "[[steps]]\nname = \"hang\"\nservice = \"box\"\ncommand = [\"sleep\", \"600\"]\n");
  ASSERT_NE(wait_for_stdout(c, "clnrm watch: rerunning", first), npos) << c.stdout_so_far();
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (containers_of_test(name).empty() && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_FALSE(containers_of_test(name).empty()) << "the rerun made no container: " << s.err();
  c.signal(SIGINT);
  const Outcome o = c.wait(std::chrono::seconds(60));
  EXPECT_EQ(o.exit_code, 130) << o.out << o.err;
  EXPECT_TRUE(no_container_left(name)) << containers_of_test(name);
  EXPECT_TRUE(no_process_left(s.files.path()));
}

TEST(RunWatch, AParseErrorIsShownWithItsPlaceAndTheWatchGoesOnNewAndDeletedFilesToo) {
  WatchScratch s;
  const std::string a = s.files.write("a.clnrm.toml", echo_test("watched_a", "hi", "hi"));
  Child c = s.start({"--jobs", "1"});
  std::size_t at = wait_for_stdout(c, "clnrm watch: watching");
  ASSERT_NE(at, npos) << c.stdout_so_far() << s.err();

  save(a, "[test.metadata]\nname = \"watched_a\"\nbroken = \n");
  at = wait_for_stdout(c, "nothing ran", at);
  ASSERT_NE(at, npos) << c.stdout_so_far() << s.err();
  EXPECT_NE(s.err().find(a + ":3:"), npos) << "file:line:col: " << s.err();

  save(a, echo_test("watched_a", "hi", "hi"));
  at = wait_for_stdout(c, "PASS   watched_a", at);
  ASSERT_NE(at, npos) << c.stdout_so_far() << s.err();

  // A new test file (in a directory made after the watch started) is picked up.
  const std::string n = s.files.write("later/new.clnrm.toml", echo_test("watched_new", "n", "n"));
  at = wait_for_stdout(c, "clnrm watch: new test file " + n + ": watched", at);
  ASSERT_NE(at, npos) << c.stdout_so_far() << s.err();
  at = wait_for_stdout(c, "PASS   watched_new", at);
  ASSERT_NE(at, npos) << c.stdout_so_far();

  // A deleted one is dropped, with a line saying so.
  std::filesystem::remove(n);
  at = wait_for_stdout(c, "clnrm watch: " + n + " was removed: no longer watched", at);
  ASSERT_NE(at, npos) << c.stdout_so_far();

  c.signal(SIGTERM);
  const Outcome o = c.wait(std::chrono::seconds(30));
  EXPECT_EQ(o.exit_code, 130) << o.out << o.err;
  EXPECT_TRUE(no_process_left(s.files.path()));
}

TEST(RunWatch, FlagsThatContradictWatchingAreRefused) {
  TempDir dir;
  dir.write("a.clnrm.toml", echo_test("a", "a", "a"));
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"--list"}, "--watch: --list runs nothing"},
      {{"--dry-run"}, "--watch: --dry-run runs nothing"},
      {{"--shard", "1/2"}, "drop --shard"},
      {{"--rerun-failed"}, "--rerun-failed"},
      {{"--update-golden"}, "run it once without --watch"},
  };
  for (const auto& [flags, message] : cases) {
    std::vector<std::string> args = {"run", "--no-history", "--watch", dir.path()};
    args.insert(args.end(), flags.begin(), flags.end());
    const Outcome o = run_clnrm(args, std::chrono::seconds(60));
    EXPECT_EQ(o.exit_code, 2) << flags[0] << ": " << o.out << o.err;
    EXPECT_NE(o.err.find(message), npos) << flags[0] << ": " << o.err;
    EXPECT_EQ(o.out.find("clnrm watch"), npos) << flags[0] << ": nothing watched: " << o.out;
  }
  const Outcome file = run_clnrm({"run", "--watch", dir.file("a.clnrm.toml")});
  EXPECT_EQ(file.exit_code, 2) << file.err;
  EXPECT_NE(file.err.find("not a directory"), npos) << file.err;
}

}  // namespace
