// The docker backend's fresh pool as the CLI runs it (issue 17,
// docs/docker-backend.md "Fresh pool"): after a run its teardown process
// starts never-used containers of the shapes the run used; the next run
// takes one instead of creating its own, never one another run has, never
// one that was used; --pool / --no-pool / CLNRM_DOCKER_POOL and [defaults]
// pool / pool_ttl of cleanroom.toml size it, switch it off and bound it;
// `clnrm cleanup` and the start-up reaper remove what is left.
//
// Each test gives its service a shape of its own (an env value with the
// test's name and pid), so parallel tests never take each other's entries.
#include <gtest/gtest.h>

#include <cstdlib>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "e2e/run_process.h"
#include "support/scoped_env.h"

using namespace run_e2e;
using nlohmann::json;

namespace {

std::string unique(const std::string& base) { return base + "_" + std::to_string(::getpid()); }

std::string shell(const std::string& command) {
  TempDir dir;
  const std::string out = dir.file("out");
  [[maybe_unused]] int rc = std::system((command + " > " + out + " 2>/dev/null").c_str());
  return read_file(out);
}

struct Entry {
  std::string id;  // full
  std::string name;
  bool unclaimed() const { return name.rfind("/clnrm-pool-", 0) == 0; }
};

// Every container with the pool label whose env holds `mark` (any state).
std::vector<Entry> pool_containers(const std::string& mark) {
  std::vector<Entry> found;
  std::istringstream lines(shell(
      "ids=$(docker ps -aq --no-trunc --filter label=clnrm.pool); [ -n \"$ids\" ] && docker inspect -f "
      "'{{.Id}} {{.Name}} {{range .Config.Env}}{{.}} {{end}}' $ids"));
  for (std::string line; std::getline(lines, line);) {
    if (line.find("POOL_MARK=" + mark + " ") == std::string::npos) continue;
    std::istringstream f(line);
    Entry e;
    f >> e.id >> e.name;
    found.push_back(e);
  }
  return found;
}

std::vector<Entry> unclaimed_entries(const std::string& mark) {
  std::vector<Entry> out;
  for (const Entry& e : pool_containers(mark))
    if (e.unclaimed()) out.push_back(e);
  return out;
}

// Polls until at least `n` unclaimed entries of `mark` exist.
std::vector<Entry> wait_for_entries(const std::string& mark, std::size_t n,
                                    std::chrono::seconds limit = std::chrono::seconds(60)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  std::vector<Entry> e;
  while ((e = unclaimed_entries(mark)).size() < n && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  return e;
}

bool wait_for_no_container(const std::string& mark, std::chrono::seconds limit = std::chrono::seconds(60)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!pool_containers(mark).empty() && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  return pool_containers(mark).empty();
}

// One busybox service that runs the test's one step. The step fails when it
// finds what an earlier run's step left, so a used container handed to a
// second run fails it.
std::string pool_test(const std::string& name, const std::string& mark, const std::string& step_command) {
  return "[test.metadata]\nname = \"" + name +
         "\"\n\n[services.box]\nplugin = \"generic_container\"\nimage = \"clnrm-test/busybox\"\n"
         "args = [\"sleep\", \"2147483647\"]\nenv = { POOL_MARK = \"" +
         mark + "\" }\n\n[[steps]]\nname = \"inside\"\nservice = \"box\"\ncommand = [\"sh\", \"-c\", \"" +
         step_command + "\"]\n";
}

const char* const kFreshStep = "test ! -e /tmp/used && touch /tmp/used && hostname";

// The test binaries start every clnrm with CLNRM_DOCKER_POOL=0
// (tests/support/test_environment_defaults.cpp); here the runner's own
// default and the flags, file and environment given per run decide.
struct PoolAsAUserHasIt : clnrm::testing::ScopedEnv {
  PoolAsAUserHasIt() : ScopedEnv("CLNRM_DOCKER_POOL", std::nullopt) {}
};

struct Scratch {
  PoolAsAUserHasIt pool_env;
  TempDir dir;
  std::string mark;
  std::string file;
  json last_service;  // the JSON report's first service of the last run
  json last_step;     // and its first step
  Scratch(const std::string& base, const std::string& step = kFreshStep) : mark(unique(base)) {
    file = dir.write("t.clnrm.toml", pool_test(mark, mark, step));
  }
  ~Scratch() {
    for (const Entry& e : pool_containers(mark)) shell("docker rm -f " + e.id);
  }
  // The service container id of a run (its JSON report).
  std::string run(const std::vector<std::string>& extra, const std::vector<std::string>& env = {},
                  Outcome* outcome = nullptr) {
    static int n = 0;
    const std::string report = dir.file("r" + std::to_string(n++) + ".json");
    std::vector<std::string> args = {"run", "--backend", "docker", "--no-history", "--json", report};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(file);
    TempDir out;
    Child c(args, out.path(), env);
    const Outcome o = c.wait(std::chrono::seconds(120));
    if (outcome) *outcome = o;
    EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
    try {
      const json test = json::parse(read_file(report))["tests"][0];
      last_service = test["services"][0];
      last_step = test["steps"][0];
      return last_service["id"].get<std::string>();
    } catch (const std::exception&) {
      return {};
    }
  }
};

bool same(const std::string& report_id, const Entry& e) {
  return !report_id.empty() && e.id.rfind(report_id, 0) == 0;
}

}  // namespace

TEST(RunDockerPool, TheNextRunTakesAFreshEntryAndNeverAUsedOne) {
  Scratch s("pool_claim");
  const std::string first = s.run({"--no-config", "--pool", "1", "--verbose"});
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(s.last_service["pooled"], false) << "nothing was pooled before the first run";
  const auto filled = wait_for_entries(s.mark, 1);
  ASSERT_EQ(filled.size(), 1u) << "--pool 1 refills one entry after the run";
  EXPECT_FALSE(same(first, filled[0])) << "the first run's own container is never pooled";

  // The second run's service is the entry made before it (and its step saw
  // no /tmp/used: fresh state), renamed as its own.
  Outcome second_run;
  const std::string second = s.run({"--no-config", "--pool", "1", "--verbose"}, {}, &second_run);
  EXPECT_TRUE(same(second, filled[0])) << second << " vs " << filled[0].id << second_run.err;
  EXPECT_EQ(s.last_service["pooled"], true) << "the report says where the container came from";
  EXPECT_EQ(s.last_service["reused"], false) << "fresh state: not a reused container";
  EXPECT_NE(second_run.err.find("pool 1 (--pool)"), std::string::npos) << second_run.err;

  // The third run gets the second run's refill, not the container the
  // second run used (that one is gone).
  const auto refilled = wait_for_entries(s.mark, 1);
  ASSERT_EQ(refilled.size(), 1u);
  EXPECT_NE(refilled[0].id, filled[0].id);
  const std::string third = s.run({"--no-config", "--pool", "1"});
  EXPECT_TRUE(same(third, refilled[0])) << third;
  EXPECT_NE(third, second);
}

// The step prints the command line of the process that started the
// agent's sh (the parent of the step's reaper): the kept agent's server,
// started with the container (clnrm-seccomp-exec --serve-beside=3 -- ...).
const char* const kAgentServerStep =
    "sh_pid=$(cut -d' ' -f4 /proc/$PPID/stat); server=$(cut -d' ' -f4 /proc/$sh_pid/stat); "
    "tr '\\\\0' ' ' </proc/$server/cmdline";

TEST(RunDockerPool, APooledServicesFirstStepRunsInTheAgentItsRefillStarted) {
  Scratch s("pool_agent", kAgentServerStep);
  s.run({"--no-config", "--pool", "1"});
  const std::string own = s.last_step["stdout"].get<std::string>();
  EXPECT_NE(own.find("--serve-beside=3 -- sh -c"), std::string::npos) << "a run's own agent: " << s.last_step.dump(2);
  const auto filled = wait_for_entries(s.mark, 1);
  ASSERT_EQ(filled.size(), 1u);
  // The entry's command started its kept agent, which was up before the
  // entry joined the pool (src/backend/docker/kept_agent.h); no exec.
  EXPECT_NE(shell("docker top " + filled[0].id + " -o pid,args").find("--serve-beside=3 -- sh -c"), std::string::npos);
  EXPECT_EQ(shell("docker inspect -f '{{len .ExecIDs}}' " + filled[0].id), "0\n");
  const std::string second = s.run({"--no-config", "--pool", "1"});
  EXPECT_TRUE(same(second, filled[0])) << second;
  // Its first step ran in that agent: no engine exec of the run's.
  EXPECT_NE(s.last_step["stdout"].get<std::string>().find("--serve-beside=3 -- sh -c"), std::string::npos)
      << s.last_step.dump(2);
}

TEST(RunDockerPool, TwoRunsAtOnceNeverShareAnEntry) {
  Scratch s("pool_parallel");
  s.run({"--no-config", "--pool", "1"});
  const auto filled = wait_for_entries(s.mark, 1);
  ASSERT_EQ(filled.size(), 1u);
  std::string a, b;
  std::thread ta([&] { a = s.run({"--no-config", "--pool", "1"}); });
  std::thread tb([&] { b = s.run({"--no-config", "--pool", "1"}); });
  ta.join();
  tb.join();
  ASSERT_FALSE(a.empty());
  ASSERT_FALSE(b.empty());
  EXPECT_NE(a, b);
  // One of them took the one entry; the other made its own container.
  EXPECT_TRUE(same(a, filled[0]) != same(b, filled[0])) << a << " " << b << " " << filled[0].id;
}

TEST(RunDockerPool, NoPoolPoolZeroAndTheEnvironmentSwitchItOff) {
  Scratch s("pool_off");
  s.run({"--no-config", "--pool", "1"});
  const auto filled = wait_for_entries(s.mark, 1);
  ASSERT_EQ(filled.size(), 1u);
  // Each of these neither takes the entry nor adds one.
  const std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> off = {
      {{"--no-config", "--no-pool"}, {}},
      {{"--no-config", "--pool", "0"}, {}},
      {{"--no-config"}, {"CLNRM_DOCKER_POOL=0"}}};
  for (const auto& [flags, env] : off) {
    const std::string id = s.run(flags, env);
    EXPECT_FALSE(id.empty());
    EXPECT_FALSE(same(id, filled[0])) << flags.back() << (env.empty() ? "" : env[0]);
  }
  std::this_thread::sleep_for(std::chrono::seconds(3));  // a refill would have started by now
  const auto left = unclaimed_entries(s.mark);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].id, filled[0].id);
  // CLNRM_DOCKER_POOL=1 is a pool again: the entry is taken.
  EXPECT_TRUE(same(s.run({"--no-config"}, {"CLNRM_DOCKER_POOL=1"}), filled[0]));
}

TEST(RunDockerPool, CleanroomTomlPoolZeroSwitchesItOff) {
  Scratch s("pool_toml_off");
  const std::string config = s.dir.write("cleanroom.toml", "[defaults]\npool = 0\n");
  s.run({"--config", config});
  std::this_thread::sleep_for(std::chrono::seconds(4));
  EXPECT_TRUE(pool_containers(s.mark).empty()) << "pool = 0 refills nothing";
  // The control: the same file with pool = 1 fills one.
  s.dir.write("cleanroom.toml", "[defaults]\npool = 1\n");
  s.run({"--config", config});
  EXPECT_EQ(wait_for_entries(s.mark, 1).size(), 1u);
}

TEST(RunDockerPool, AnExpiredEntryIsRemovedByTheNextRunAndNeverTaken) {
  Scratch s("pool_ttl");
  const std::string config = s.dir.write("cleanroom.toml", "[defaults]\npool = 1\npool_ttl = \"2s\"\n");
  s.run({"--config", config});
  const auto filled = wait_for_entries(s.mark, 1);
  ASSERT_EQ(filled.size(), 1u);
  const std::string expires =
      shell("docker inspect -f '{{index .Config.Labels \"clnrm.pool-expires\"}}' " + filled[0].id);
  EXPECT_LE(std::stoll(expires), static_cast<long long>(std::time(nullptr)) + 2) << expires;
  std::this_thread::sleep_for(std::chrono::seconds(3));
  // Another test's run (no pool of its own): its start-up reaper removes the
  // expired entry before it runs anything.
  Scratch other("pool_ttl_other");
  other.run({"--no-config", "--no-pool"});
  EXPECT_TRUE(pool_containers(s.mark).empty()) << "expired entry still there";
}

TEST(RunDockerPool, CleanupRemovesEveryUnclaimedEntry) {
  Scratch s("pool_cleanup");
  s.run({"--no-config", "--pool", "2"});
  ASSERT_EQ(wait_for_entries(s.mark, 2).size(), 2u) << "--pool 2 refills two";
  const Outcome r = run_clnrm({"cleanup"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("of the fresh pool"), std::string::npos) << r.out;
  EXPECT_TRUE(pool_containers(s.mark).empty());
}

TEST(RunDockerPool, ARunnerKilledWithSigkillLeavesNoClaimedEntryBehind) {
  Scratch s("pool_sigkill", "sleep 600");
  // Filled by a run whose step ends at once (the file is the same shape).
  const std::string quick = s.dir.write("quick/t.clnrm.toml", pool_test(s.mark, s.mark, "true"));
  const std::string config = s.dir.write("cleanroom.toml", "[defaults]\npool = 1\npool_ttl = \"5m\"\n");
  {
    TempDir out;
    Child fill({"run", "--backend", "docker", "--no-history", "--config", config, quick}, out.path());
    ASSERT_EQ(fill.wait().exit_code, 0);
  }
  const auto filled = wait_for_entries(s.mark, 1);
  ASSERT_EQ(filled.size(), 1u);
  TempDir out;
  Child c({"run", "--backend", "docker", "--no-history", "--config", config, s.file}, out.path());
  // Claimed: renamed away from clnrm-pool-*.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!unclaimed_entries(s.mark).empty() && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(unclaimed_entries(s.mark).empty()) << c.stdout_so_far();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  c.signal(SIGKILL);
  EXPECT_EQ(c.wait().exit_code, 128 + SIGKILL);
  // The runner's teardown process removes the entry it claimed, and a killed
  // run refills nothing: no container of this shape is left.
  EXPECT_TRUE(wait_for_no_container(s.mark)) << pool_containers(s.mark).size();
}
