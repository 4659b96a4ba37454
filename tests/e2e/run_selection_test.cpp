// Issue 18 item 1 through the real binary: -k, --tag / --skip-tag, --list
// (after --shard), --dry-run (nothing started: no step, no service process,
// no container, no history row), and tags in the JSON, JUnit and HTML
// reports. The suite is made in a temp dir; selection runs on the null
// backend, the dry runs name the sandbox and the docker backends and are
// checked against a real run of the same file.
#include <clnrm/history.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/http_client.h"
#include "base/sqlite.h"
#include "e2e/run_process.h"

using nlohmann::json;
using run_e2e::Outcome;
using run_e2e::run_clnrm;
using run_e2e::TempDir;

namespace {

namespace fs = std::filesystem;

void write(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << text;
}

std::string test_file(const std::string& name, const std::string& tags) {
  return "[test.metadata]\nname = \"" + name + "\"\ntags = [" + tags +
         "]\n\n[[steps]]\nname = \"say\"\ncommand = [\"echo\", \"" + name + "\"]\n";
}

// api/login, api/logout, db/redis_cache, db/postgres_migrate, misc/untagged.
struct MixedSuite {
  TempDir dir;
  MixedSuite() {
    write(dir.file("api/login.clnrm.toml"), test_file("api_login", "\"api\", \"fast\""));
    write(dir.file("api/logout.clnrm.toml"), test_file("api_logout", "\"api\""));
    write(dir.file("db/redis.clnrm.toml"), test_file("redis_cache", "\"db\", \"slow\""));
    write(dir.file("db/pg.clnrm.toml"), test_file("postgres_migrate", "\"db\""));
    write(dir.file("misc/plain.clnrm.toml"), test_file("untagged", ""));
  }
  // Runs `clnrm run --backend null --no-history --format FORMAT EXTRA... DIR`.
  Outcome run(std::vector<std::string> extra, const std::string& format = "json") const {
    std::vector<std::string> args = {"run", "--backend", "null", "--no-history", "--no-config",
                                     "--format", format};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(dir.path());
    return run_clnrm(args);
  }
  // The names the JSON report says ran, sorted.
  std::vector<std::string> ran(std::vector<std::string> extra) const {
    const Outcome o = run(std::move(extra));
    EXPECT_EQ(o.exit_code, 0) << o.err;
    const json report = json::parse(o.out);
    std::vector<std::string> names;
    for (const json& t : report["tests"]) names.push_back(t["name"]);
    std::sort(names.begin(), names.end());
    return names;
  }
};

using Names = std::vector<std::string>;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
    lines.push_back(text.substr(start, nl - start));
  return lines;
}

std::int64_t history_runs(const std::string& db) {
  { clnrm::history::Store fold(db); }  // runs still in the inbox are counted too
  clnrm::sql::Connection c(db, true, 1000);
  return c.scalar("SELECT COUNT(*) FROM runs") * 1000 + c.scalar("SELECT COUNT(*) FROM executions");
}

}  // namespace

TEST(RunSelection, DashKSubstringGlobNotAndRepeated) {
  MixedSuite s;
  EXPECT_EQ(s.ran({"-k", "log"}), (Names{"api_login", "api_logout"}));
  EXPECT_EQ(s.ran({"-k", "api_*"}), (Names{"api_login", "api_logout"}));
  EXPECT_EQ(s.ran({"-k", "*_[cm]*"}), (Names{"postgres_migrate", "redis_cache"}));
  EXPECT_EQ(s.ran({"-k", "not api"}), (Names{"postgres_migrate", "redis_cache", "untagged"}));
  EXPECT_EQ(s.ran({"-k", "login", "-k", "redis"}), (Names{"api_login", "redis_cache"}))
      << "repeated -k: any of them";
  EXPECT_EQ(s.ran({"-k", "api", "-k", "not logout"}), (Names{"api_login"}))
      << "and none of the negations";
  EXPECT_EQ(s.ran({"-k", "*/db/*::*"}), (Names{"postgres_migrate", "redis_cache"}))
      << ":: matches FILE::NAME";
}

TEST(RunSelection, TagAndSkipTag) {
  MixedSuite s;
  EXPECT_EQ(s.ran({"--tag", "db"}), (Names{"postgres_migrate", "redis_cache"}));
  EXPECT_EQ(s.ran({"--tag", "fast", "--tag", "slow"}), (Names{"api_login", "redis_cache"}));
  EXPECT_EQ(s.ran({"--skip-tag", "api", "--skip-tag", "slow"}),
            (Names{"postgres_migrate", "untagged"}));
  EXPECT_EQ(s.ran({"--tag", "api", "-k", "not login"}), (Names{"api_logout"}));
}

TEST(RunSelection, NothingSelectedSaysSoAndBadExpressionIsAUsageError) {
  MixedSuite s;
  const Outcome none = s.run({"-k", "no_such_test"});
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_NE(none.err.find("selected 0 of 5 tests"), std::string::npos) << none.err;
  EXPECT_NE(none.err.find("no test selected"), std::string::npos) << none.err;

  const Outcome bad = s.run({"-k", "api or db"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("-k 'api or db': -k takes one pattern"), std::string::npos) << bad.err;
  EXPECT_EQ(s.run({"-k", "not"}).exit_code, 2);
}

TEST(RunSelection, ListIsWhatWouldRunAfterSelectionAndShard) {
  MixedSuite s;
  const Outcome all = s.run({"--list"}, "human");
  EXPECT_EQ(all.exit_code, 0) << all.err;
  const std::vector<std::string> listed = lines_of(all.out);
  ASSERT_EQ(listed.size(), 5u) << all.out;
  EXPECT_NE(std::find(listed.begin(), listed.end(),
                      s.dir.file("db/redis.clnrm.toml") + "::redis_cache"),
            listed.end())
      << all.out;

  // The two shards of the selection split it: together they are the
  // selection, apart they share nothing.
  std::vector<std::string> both;
  for (const char* shard : {"1/2", "2/2"}) {
    const Outcome o = s.run({"--list", "--skip-tag", "slow", "--shard", shard});
    EXPECT_EQ(o.exit_code, 0) << o.err;
    const json j = json::parse(o.out);
    ASSERT_TRUE(j.is_array()) << o.out;
    for (const json& t : j) both.push_back(t["name"]);
  }
  std::sort(both.begin(), both.end());
  EXPECT_EQ(both, (Names{"api_login", "api_logout", "postgres_migrate", "untagged"}));

  const json j = json::parse(s.run({"--list", "-k", "redis"}).out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["file"], s.dir.file("db/redis.clnrm.toml"));
  EXPECT_EQ(j[0]["name"], "redis_cache");
  EXPECT_EQ(j[0]["tags"], json::array({"db", "slow"}));
  EXPECT_EQ(j[0]["services"], json::array());
}

TEST(RunSelection, ListAndDryRunRefuseReportFlagsAndEachOther) {
  MixedSuite s;
  const Outcome both = s.run({"--list", "--dry-run"});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_NE(both.err.find("--list and --dry-run exclude each other"), std::string::npos)
      << both.err;
  const Outcome junit = s.run({"--list", "--junit", s.dir.file("j.xml")});
  EXPECT_EQ(junit.exit_code, 2);
  EXPECT_NE(junit.err.find("--list runs nothing and writes no report: drop --junit"),
            std::string::npos)
      << junit.err;
  const Outcome html = s.run({"--dry-run", "--html", s.dir.file("r.html")});
  EXPECT_EQ(html.exit_code, 2);
  EXPECT_NE(html.err.find("drop --html"), std::string::npos) << html.err;
  EXPECT_FALSE(fs::exists(s.dir.file("j.xml")));
  EXPECT_FALSE(fs::exists(s.dir.file("r.html")));
}

// A service that would leave a mark on the host (a writable volume) and a
// step that would too: the dry run prints them and neither runs; a real run
// of the same file leaves both marks, so the check can fail.
TEST(RunSelection, DryRunOnTheSandboxStartsNothingAndRecordsNoHistory) {
  TempDir dir;
  fs::create_directories(dir.file("t/out"));
  // Writable by the pod's unprivileged user (medium level: a user namespace).
  fs::permissions(dir.file("t/out"), fs::perms::all);
  write(dir.file("t/marks.clnrm.toml"), R"([test.metadata]
name = "leaves_marks"
tags = ["marks"]

[services.sleeper]
plugin = "process"
args = ["sh", "-c", "touch /out/service_ran; echo marked; exec sleep 987653"]
volumes = ["out:/out:rw"]
# Ready once its mark is made, so the real run below cannot end before it.
wait_for = { log = "marked", timeout = "30s" }

[[steps]]
name = "mark"
command = ["touch", "/out/step_ran"]
service = "sleeper"
)");
  const std::string db = dir.file("history.db");
  // History with one run in it, so "no row added" is a real comparison.
  write(dir.file("other/plain.clnrm.toml"), test_file("plain", ""));
  ASSERT_EQ(
      run_clnrm({"run", "--backend", "null", "--no-config", "--db", db, dir.file("other")})
          .exit_code,
      0);
  const std::int64_t before = history_runs(db);

  run_e2e::Child child({"run", "--backend", "sandbox", "--no-config", "--db", db, "--dry-run",
                        dir.file("t")},
                       dir.path());
  const pid_t runner = child.pid();
  const Outcome o = child.wait();
  EXPECT_EQ(o.exit_code, 0) << o.err;
  for (const char* want :
       {"dry run: 1 test on 1 lane", "backend sandbox", "nothing was started", "::leaves_marks",
        "[tags: marks]", "service sleeper: plugin process, args: sh -c touch /out/service_ran; "
                         "echo marked; exec sleep 987653",
        "step 1 mark: touch /out/step_ran  (in service sleeper)"})
    EXPECT_NE(o.out.find(want), std::string::npos) << want << "\n" << o.out;
  EXPECT_FALSE(fs::exists(dir.file("t/out/service_ran")));
  EXPECT_FALSE(fs::exists(dir.file("t/out/step_ran")));
  EXPECT_TRUE(run_e2e::processes_matching("sleep 987653").empty());
  EXPECT_EQ(history_runs(db), before) << "a dry run records no history";
  // No pod: the sandbox names its cgroups "<runner pid>-<pod>".
  std::error_code ec;
  for (const auto& ctl : fs::directory_iterator("/sys/fs/cgroup", ec))
    for (const auto& g : fs::directory_iterator(ctl.path() / "clnrm", ec))
      EXPECT_NE(g.path().filename().string().rfind(std::to_string(runner) + "-", 0), 0u)
          << g.path();

  const Outcome json_plan = run_clnrm({"run", "--backend", "sandbox", "--no-config", "--db", db,
                                       "--dry-run", "--format", "json", dir.file("t")});
  EXPECT_EQ(json_plan.exit_code, 0) << json_plan.err;
  const json plan = json::parse(json_plan.out);
  EXPECT_EQ(plan["schema"], "clnrm.plan.v1");
  EXPECT_EQ(plan["backend"]["name"], "sandbox");
  EXPECT_EQ(plan["tests"][0]["services"][0]["plugin"], "process");
  EXPECT_EQ(plan["tests"][0]["steps"][0]["command"], json::array({"touch", "/out/step_ran"}));
  EXPECT_EQ(plan["tests"][0]["steps"][0]["service"], "sleeper");
  EXPECT_EQ(history_runs(db), before);

  // The control: a real run leaves the service's mark and a history row.
  const Outcome real =
      run_clnrm({"run", "--backend", "sandbox", "--no-config", "--db", db, dir.file("t")});
  EXPECT_TRUE(fs::exists(dir.file("t/out/service_ran"))) << real.out << real.err;
  EXPECT_TRUE(fs::exists(dir.file("t/out/step_ran"))) << real.out << real.err;
  EXPECT_GT(history_runs(db), before);
  EXPECT_TRUE(run_e2e::no_process_left("sleep 987653"));
}

namespace {

// Engine events about containers labelled with `runner`'s pid between two
// instants (the engine answers at once when `until` is given).
std::string container_events_of(pid_t runner, std::time_t since, std::time_t until) {
  clnrm::http::Request r;
  r.unix_socket = "/var/run/docker.sock";
  const std::string filters = "%7B%22type%22%3A%5B%22container%22%5D%2C%22label%22%3A%5B%22"
                              "clnrm.pid%3D" +
                              std::to_string(runner) + "%22%5D%7D";
  r.url = "http://localhost/events?since=" + std::to_string(since) +
          "&until=" + std::to_string(until) + "&filters=" + filters;
  r.timeout = std::chrono::seconds(20);
  const clnrm::http::Response response = clnrm::http::send(r);
  EXPECT_EQ(response.status, 200) << response.body;
  return response.body;
}

}  // namespace

TEST(RunSelection, DryRunOnDockerCreatesNoContainer) {
  TempDir dir;
  write(dir.file("t/image.clnrm.toml"), R"([test.metadata]
name = "with_image"

[services.box]
image = "clnrm-test/busybox"
args = ["sleep", "30"]

[[steps]]
name = "hello"
command = ["echo", "hello"]
)");
  auto run_and_events = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"run", "--backend", "docker", "--no-config", "--no-history"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(dir.file("t"));
    const std::time_t since = std::time(nullptr) - 1;
    run_e2e::Child child(args, dir.path());
    const pid_t runner = child.pid();
    const Outcome o = child.wait();
    return std::make_pair(o, container_events_of(runner, since, std::time(nullptr) + 1));
  };
  const auto [dry, dry_events] = run_and_events({"--dry-run"});
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("service box: plugin generic_container, image clnrm-test/busybox, args: "
                         "sleep 30"),
            std::string::npos)
      << dry.out;
  EXPECT_NE(dry.out.find("backend docker (--backend)"), std::string::npos) << dry.out;
  EXPECT_EQ(dry_events.find("\"create\""), std::string::npos) << dry_events;

  // The control: a real run of the same file is seen creating containers.
  const auto [real, real_events] = run_and_events({});
  EXPECT_NE(real_events.find("\"create\""), std::string::npos)
      << real_events << real.out << real.err;
}

TEST(RunSelection, TagsAreInTheJsonJunitAndHtmlReports) {
  MixedSuite s;
  TempDir out;
  const Outcome o = s.run({"-k", "redis", "--junit", out.file("r.xml"), "--html",
                           out.file("r.html"), "--json", out.file("r.json")});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const json j = json::parse(run_e2e::read_file(out.file("r.json")));
  EXPECT_EQ(j["tests"][0]["tags"], json::array({"db", "slow"}));
  const std::string xml = run_e2e::read_file(out.file("r.xml"));
  EXPECT_NE(xml.find("<property name=\"tag\" value=\"db\"/>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<property name=\"tag\" value=\"slow\"/>"), std::string::npos) << xml;
  const std::string html = run_e2e::read_file(out.file("r.html"));
  EXPECT_NE(html.find("<span class=\"tag\">db</span><span class=\"tag\">slow</span>"),
            std::string::npos);
}
