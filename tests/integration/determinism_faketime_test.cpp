// Runs real programs under the determinism environment with a plain
// posix_spawn (no backend), proving the variables do what they claim.
#include <clnrm/determinism.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

extern char** environ;

namespace {

struct Output {
  int status = -1;
  std::string out;
};

// Spawns argv with exactly `env` (+ PATH) and returns its stdout.
Output run_with_env(const std::vector<std::string>& argv, const clnrm::EnvList& env) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return {};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  std::vector<std::string> env_strings = {"PATH=/usr/bin:/bin"};
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> argp;
  for (auto& a : args) argp.push_back(a.data());
  argp.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, argp[0], &actions, nullptr, argp.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  Output result;
  if (rc != 0) {
    ::close(pipe_fds[0]);
    return result;
  }
  char buf[4096];
  ssize_t n;
  while ((n = ::read(pipe_fds[0], buf, sizeof buf)) > 0)
    result.out.append(buf, static_cast<std::size_t>(n));
  ::close(pipe_fds[0]);
  ::waitpid(pid, &result.status, 0);
  return result;
}

}  // namespace

TEST(DeterminismFaketime, DateUnderFreezeClockPrintsTheFrozenTime) {
  ASSERT_TRUE(clnrm::find_libfaketime().has_value())
      << "libfaketime missing: apt-get install faketime";
  clnrm::DeterminismSpec spec;
  spec.freeze_clock = "2025-01-01T00:00:00Z";
  spec.seed = 1;
  const auto env = clnrm::determinism_environment(spec);
  const auto epoch = run_with_env({"date", "+%s"}, env);
  ASSERT_TRUE(WIFEXITED(epoch.status) && WEXITSTATUS(epoch.status) == 0);
  // 'start at' lets the clock run from the frozen instant; a fresh `date`
  // process reads it within its first second.
  EXPECT_EQ(epoch.out, "1735689600\n");
  const auto human = run_with_env({"date", "+%Y-%m-%dT%H:%M:%S%z"}, env);
  EXPECT_EQ(human.out, "2025-01-01T00:00:00+0000\n");
}

TEST(DeterminismFaketime, EveryProcessStartsAtTheSameInstant) {
  clnrm::DeterminismSpec spec;
  spec.freeze_clock = "2030-06-15T12:00:00+02:00";
  const auto env = clnrm::determinism_environment(spec);
  // Two processes 1.1 s apart both see the frozen start: the clock resets per process.
  const auto first = run_with_env({"date", "-u", "+%s"}, env);
  const auto second = run_with_env({"sh", "-c", "sleep 1.1; date -u +%s"}, env);
  EXPECT_EQ(first.out, "1907748000\n");
  EXPECT_EQ(second.out, "1907748000\n");
}

TEST(DeterminismFaketime, WithoutFreezeClockTheRealTimeIsSeen) {
  const auto env = clnrm::determinism_environment(clnrm::DeterminismSpec{});
  const auto out = run_with_env({"date", "+%s"}, env);
  ASSERT_FALSE(out.out.empty());
  EXPECT_GT(std::stoll(out.out), 1735689600 + 86400);  // today is later than the frozen date
}

TEST(DeterminismFaketime, LocaleZoneAndSeedReachTheProcess) {
  clnrm::DeterminismSpec spec;
  spec.seed = 99;
  const auto out = run_with_env({"sh", "-c", "echo $CLNRM_SEED $TZ $LC_ALL; date +%Z"},
                                clnrm::determinism_environment(spec));
  EXPECT_EQ(out.out, "99 UTC C.UTF-8\nUTC\n");
}
