// `clnrm run --shard K/N [--timings FILE]` and `clnrm history timings`, the
// way a CI matrix runs them: every test runs in exactly one shard, whether
// the shards share one history DB that each shard run adds to, or run on N
// machines that each have their own history and a copy of one snapshot
// (docs/running-tests.md, "Sharding across CI machines").
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "e2e/run_process.h"

using namespace run_e2e;
using nlohmann::json;

namespace {

constexpr int kTests = 12;

std::string fmt_name(int i) { return (i < 10 ? "s0" : "s") + std::to_string(i); }

// A checkout: `root/suite/sNN.clnrm.toml`, kTests tests whose one step is
// `true`, run from `root` as `clnrm run suite` (so history and snapshot name
// them suite/sNN.clnrm.toml on every machine, wherever it checked out).
void write_suite(const std::string& root) {
  std::filesystem::create_directories(root + "/suite");
  for (int i = 1; i <= kTests; ++i) {
    const std::string name = fmt_name(i);
    std::ofstream(root + "/suite/" + name + ".clnrm.toml")
        << "[test.metadata]\nname = \"" << name << "\"\n\n[[steps]]\nname = \"go\"\n"
        << "command = [\"true\"]\n";
  }
}

Outcome clnrm_in(const std::string& cwd, const std::vector<std::string>& args) {
  TempDir out;
  Child c(args, out.path(), {}, cwd);
  return c.wait(std::chrono::seconds(120));
}

std::vector<std::string> names_of(const Outcome& r) {
  std::vector<std::string> out;
  const json j = json::parse(r.out, nullptr, false);
  if (j.is_discarded()) {
    ADD_FAILURE() << "not JSON (exit " << r.exit_code << "):\n" << r.out << "\nstderr:\n" << r.err;
    return out;
  }
  for (const auto& t : j["tests"]) out.push_back(t["name"]);
  return out;
}

// Runs shard k/n in `cwd` on `db`; returns the tests it ran.
std::vector<std::string> run_shard(const std::string& cwd, const std::string& db, int k, int n,
                                   const std::string& timings = "") {
  std::vector<std::string> args{
      "run",      "suite", "--db",    db,
      "--format", "json",  "--shard", std::to_string(k) + "/" + std::to_string(n)};
  if (!timings.empty()) {
    args.push_back("--timings");
    args.push_back(timings);
  }
  const Outcome r = clnrm_in(cwd, args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const std::string split = timings.empty() ? "split by test count (no --timings)"
                                            : "split by the durations in " + timings;
  EXPECT_NE(r.err.find(split), std::string::npos) << r.err;
  return names_of(r);
}

// Every test of the suite ran exactly once over all shards.
void expect_each_exactly_once(const std::vector<std::vector<std::string>>& shards) {
  std::map<std::string, int> ran;
  for (const auto& s : shards)
    for (const auto& name : s) ++ran[name];
  for (int i = 1; i <= kTests; ++i) EXPECT_EQ(ran[fmt_name(i)], 1) << fmt_name(i);
  EXPECT_EQ(ran.size(), static_cast<std::size_t>(kTests));
}

}  // namespace

// The bug: shard 1 recorded its durations, and shards 2 and 3 on the same DB
// then computed another split, so some tests ran in several shards and some
// in none. Two full passes, so the second starts from a history the first
// made uneven.
TEST(RunShards, OneHistoryChangingBetweenShardRunsRunsEveryTestOnce) {
  TempDir dir;
  write_suite(dir.path());
  const std::string db = dir.file("history.db");
  for (int pass = 0; pass < 2; ++pass) {
    SCOPED_TRACE(pass == 0 ? "empty history" : "history of the first pass");
    std::vector<std::vector<std::string>> shards;
    for (int k = 1; k <= 3; ++k) shards.push_back(run_shard(dir.path(), db, k, 3));
    expect_each_exactly_once(shards);
  }
}

TEST(RunShards, OneSnapshotOnAChangingHistoryRunsEveryTestOnce) {
  TempDir dir;
  write_suite(dir.path());
  const std::string db = dir.file("history.db");
  ASSERT_EQ(clnrm_in(dir.path(), {"run", "suite", "--db", db, "-q"}).exit_code, 0);
  const Outcome taken =
      clnrm_in(dir.path(), {"history", "timings", "--db", db, "-o", "timings.json"});
  ASSERT_EQ(taken.exit_code, 0) << taken.err;
  const json snap = json::parse(read_file(dir.file("timings.json")));
  EXPECT_EQ(snap["version"], 1);
  EXPECT_EQ(snap["tests"].size(), static_cast<std::size_t>(kTests));
  for (int n : {2, 3, 5}) {
    SCOPED_TRACE("N=" + std::to_string(n));
    std::vector<std::vector<std::string>> shards;
    for (int k = 1; k <= n; ++k) shards.push_back(run_shard(dir.path(), db, k, n, "timings.json"));
    expect_each_exactly_once(shards);
  }
}

// N fresh machines: each checks the suite out elsewhere, has its own history
// (none, one earlier run, a run of part of the suite) and a copy of the
// snapshot a previous job took.
TEST(RunShards, SnapshotCopiedToFreshMachinesRunsEveryTestOnce) {
  TempDir dir;
  const std::string prep = dir.file("prep");
  write_suite(prep);
  ASSERT_EQ(clnrm_in(prep, {"run", "suite", "--db", "h.db", "-q"}).exit_code, 0);
  const Outcome taken = clnrm_in(prep, {"history", "timings", "--db", "h.db"});
  ASSERT_EQ(taken.exit_code, 0) << taken.err;
  constexpr int kMachines = 3;
  std::vector<std::vector<std::string>> shards;
  for (int k = 1; k <= kMachines; ++k) {
    const std::string machine = dir.file("machine" + std::to_string(k));
    write_suite(machine);
    std::ofstream(machine + "/timings.json") << taken.out;
    if (k == 2) {
      ASSERT_EQ(clnrm_in(machine, {"run", "suite", "--db", "h.db", "-q"}).exit_code, 0);
    }
    if (k == 3) {
      ASSERT_EQ(clnrm_in(machine, {"run", "suite/s07.clnrm.toml", "--db", "h.db", "-q"}).exit_code,
                0);
    }
    shards.push_back(run_shard(machine, "h.db", k, kMachines, "timings.json"));
  }
  expect_each_exactly_once(shards);
}

// --timings acts: a snapshot in which s01 takes 100 s puts s01 alone on a
// shard; tests added since the snapshot (all but s01, s02) count as its median.
TEST(RunShards, TheSnapshotDecidesTheSplit) {
  TempDir dir;
  write_suite(dir.path());
  std::ofstream(dir.file("timings.json"))
      << R"({"format": "clnrm-timings", "version": 1, "taken_at": "2026-12-05T10:00:00Z",
            "tests": [{"file": "suite/s01.clnrm.toml", "test": "s01", "duration_ns": 100000000000},
                      {"file": "suite/s02.clnrm.toml", "test": "s02", "duration_ns": 1000000}]})";
  const std::string db = dir.file("h.db");
  std::vector<std::vector<std::string>> shards;
  for (int k = 1; k <= 3; ++k) shards.push_back(run_shard(dir.path(), db, k, 3, "timings.json"));
  expect_each_exactly_once(shards);
  EXPECT_EQ(shards[0], std::vector<std::string>{"s01"});
  // Without --timings the same suite splits by count: 4 + 4 + 4.
  for (int k = 1; k <= 3; ++k) EXPECT_EQ(run_shard(dir.path(), db, k, 3).size(), 4u);
}

TEST(RunShards, ABadSnapshotIsAnErrorNamingTheFileAndNothingRuns) {
  TempDir dir;
  write_suite(dir.path());
  std::ofstream(dir.file("broken.json"))
      << "{\n  \"format\": \"clnrm-timings\",\n  \"tests\": [,]\n}\n";
  std::ofstream(dir.file("v9.json"))
      << R"({"format": "clnrm-timings", "version": 9, "taken_at": "2026-12-05T10:00:00Z", "tests": []})";
  const std::string db = dir.file("h.db");
  const struct {
    std::vector<std::string> args;
    std::string says;
  } cases[] = {
      {{"--shard", "1/2", "--timings", "broken.json"}, "broken.json:3:13: not valid JSON"},
      {{"--shard", "1/2", "--timings", "v9.json"},
       "v9.json: not a usable timing snapshot: format version 9 is not supported"},
      {{"--shard", "1/2", "--timings", "absent.json"}, "absent.json: cannot read"},
      {{"--timings", "v9.json"}, "--timings: acts only together with --shard K/N"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args{"run", "suite", "--db", db};
    args.insert(args.end(), c.args.begin(), c.args.end());
    const Outcome r = clnrm_in(dir.path(), args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(db)) << "a run started";
}

TEST(RunShards, HistoryTimingsWritesTheSnapshotToStdoutOrAtomicallyToAFile) {
  TempDir dir;
  write_suite(dir.path());
  // No history yet (a pipeline's first run): an empty snapshot, said on stderr.
  const Outcome none = clnrm_in(dir.path(), {"history", "timings", "--db", "none.db"});
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_TRUE(json::parse(none.out)["tests"].empty()) << none.out;
  EXPECT_NE(none.err.find("no history at none.db"), std::string::npos) << none.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("none.db")));

  ASSERT_EQ(clnrm_in(dir.path(), {"run", "suite", "--db", "h.db", "-q"}).exit_code, 0);
  const Outcome out = clnrm_in(dir.path(), {"history", "timings", "--db", "h.db"});
  ASSERT_EQ(out.exit_code, 0) << out.err;
  const json j = json::parse(out.out);
  EXPECT_EQ(j["format"], "clnrm-timings");
  EXPECT_EQ(j["version"], 1);
  EXPECT_TRUE(j["taken_at"].is_string());
  ASSERT_EQ(j["tests"].size(), static_cast<std::size_t>(kTests));
  EXPECT_EQ(j["tests"][0]["file"], "suite/s01.clnrm.toml");
  EXPECT_EQ(j["tests"][0]["test"], "s01");
  EXPECT_GT(j["tests"][0]["duration_ns"].get<std::int64_t>(), 0);

  const Outcome to_file =
      clnrm_in(dir.path(), {"history", "timings", "--db", "h.db", "-o", "t.json"});
  EXPECT_EQ(to_file.exit_code, 0) << to_file.err;
  EXPECT_EQ(json::parse(read_file(dir.file("t.json")))["tests"], j["tests"]);
  const Outcome nowhere =
      clnrm_in(dir.path(), {"history", "timings", "--db", "h.db", "-o", "h.db/x/t.json"});
  EXPECT_NE(nowhere.exit_code, 0);
  EXPECT_NE(nowhere.err.find("h.db/x/t.json"), std::string::npos) << nowhere.err;
}
