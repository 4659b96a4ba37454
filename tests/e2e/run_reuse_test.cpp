// `reuse = true` end to end through the CLI on the real engine: an adopted
// warm service is reported as reused everywhere (JSON report, Prometheus
// counters, history), two tests of one run with the same service definition
// share one instance, and the sandbox says that it shares nothing.
//
// Every test writes its files with this process's pid in the service's env,
// so its warm unit is its own (never one a parallel test or an earlier
// invocation left), and removes the unit at the end (`clnrm services stop`).
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "e2e/run_process.h"

using namespace run_e2e;
using nlohmann::json;

namespace {

std::string pid_text() { return std::to_string(::getpid()); }

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// A reused busybox that only sleeps, and one step inside it.
std::string reuse_test_file(const std::string& test, const std::string& step_command) {
  return "[test.metadata]\nname = \"" + test +
         "\"\n\n"
         "[services.keeper]\n"
         "plugin = \"generic_container\"\n"
         "image = \"clnrm-test/busybox\"\n"
         "args = [\"sleep\", \"2147483647\"]\n"
         "env = { E2E_OWNER = \"run_reuse_test-" +
         pid_text() +
         "\" }\n"
         "reuse = true\n\n"
         "[[steps]]\n"
         "name = \"inside\"\n"
         "service = \"keeper\"\n"
         "command = " +
         step_command + "\n";
}

// Removes the warm units (by container id) when the test ends, passed or not.
struct StopWarmUnits {
  std::vector<std::string> ids;
  ~StopWarmUnits() {
    for (const std::string& id : ids)
      if (!id.empty()) run_clnrm({"services", "stop", id.substr(0, 12)});
  }
};

json read_json(const std::string& path) { return json::parse(read_file(path)); }

// The value of an unlabelled Prometheus sample `name VALUE`.
std::string sample(const std::string& text, const std::string& name) {
  const std::string key = "\n" + name + " ";
  const std::size_t at = text.find(key);
  if (at == std::string::npos) return "(absent)";
  const std::size_t start = at + key.size();
  return text.substr(start, text.find('\n', start) - start);
}

TEST(RunDocker, ReuseIsReportedFalseWhenCreatedAndTrueWhenAdoptedByTheNextRun) {
  TempDir dir;
  const std::string file = dir.file("reuse.clnrm.toml");
  const std::string test = "reuse_report_" + pid_text();
  write(file, reuse_test_file(test, "[\"hostname\"]"));
  StopWarmUnits cleanup;
  const std::string db = dir.file("history.db");

  auto first = run_clnrm({"run", "--backend", "docker", "--db", db, "--json", dir.file("1.json"), "--metrics-file",
                          dir.file("1.prom"), file});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  const json one = read_json(dir.file("1.json"))["tests"][0];
  cleanup.ids.push_back(one["services"][0]["id"]);
  EXPECT_EQ(one["services"][0]["reused"], false) << one.dump(2);
  const std::string prom1 = read_file(dir.file("1.prom"));
  EXPECT_EQ(sample(prom1, "clnrm_containers_reused_total"), "0") << prom1;
  EXPECT_EQ(sample(prom1, "clnrm_containers_created_total"), "1") << prom1;

  auto second = run_clnrm({"run", "--backend", "docker", "--db", db, "--json", dir.file("2.json"), "--metrics-file",
                           dir.file("2.prom"), file});
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  const json two = read_json(dir.file("2.json"))["tests"][0];
  EXPECT_EQ(two["services"][0]["reused"], true) << two.dump(2);
  EXPECT_EQ(two["services"][0]["id"], one["services"][0]["id"]) << "the same container, adopted";
  EXPECT_EQ(two["steps"][0]["stdout"], one["steps"][0]["stdout"]) << "the same hostname: the same pod anchor";
  const std::string prom2 = read_file(dir.file("2.prom"));
  EXPECT_EQ(sample(prom2, "clnrm_containers_reused_total"), "1") << prom2;
  EXPECT_EQ(sample(prom2, "clnrm_containers_created_total"), "0") << prom2;
  EXPECT_EQ(sample(prom2, "clnrm_services_started_total"), "0") << prom2;
  EXPECT_NE(prom2.find("clnrm_test_containers_reused{test=\"" + test), std::string::npos) << prom2;

  // History: the test rows of the two runs (step "") count created, then reused.
  auto exported = run_clnrm({"history", "export", "--db", db, "--format", "json"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  std::vector<std::pair<int, int>> created_reused;
  for (const json& row : json::parse(exported.out))
    if (row["test"] == test && row["step"] == "")
      created_reused.emplace_back(row["containers_created"].get<int>(), row["containers_reused"].get<int>());
  ASSERT_EQ(created_reused.size(), 2u) << exported.out;
  EXPECT_EQ(created_reused[0], (std::pair<int, int>{1, 0})) << exported.out;
  EXPECT_EQ(created_reused[1], (std::pair<int, int>{0, 1})) << exported.out;
}

TEST(RunDocker, TwoTestsOfOneRunShareOneReusedService) {
  TempDir dir;
  // Same service definition, different tests: the first leaves a file in the
  // service container, the second (run after it: --jobs 1, file order) sees it.
  write(dir.file("a.clnrm.toml"),
        reuse_test_file("share_a_" + pid_text(), "[\"sh\", \"-c\", \"echo left-by-a > /tmp/mark; hostname\"]"));
  write(dir.file("b.clnrm.toml"),
        reuse_test_file("share_b_" + pid_text(), "[\"sh\", \"-c\", \"cat /tmp/mark; hostname\"]"));
  StopWarmUnits cleanup;
  auto r = run_clnrm({"run", "--backend", "docker", "--jobs", "1", "--order", "file", "--json",
                      dir.file("report.json"), dir.path()});
  const json report = read_json(dir.file("report.json"));
  ASSERT_EQ(report["tests"].size(), 2u) << r.out << r.err;
  const json& a = report["tests"][0];
  const json& b = report["tests"][1];
  cleanup.ids.push_back(a["services"][0]["id"]);
  cleanup.ids.push_back(b["services"][0]["id"]);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_EQ(a["name"], "share_a_" + pid_text());
  EXPECT_EQ(a["services"][0]["reused"], false);
  EXPECT_EQ(b["services"][0]["reused"], true) << b.dump(2);
  EXPECT_EQ(a["services"][0]["id"], b["services"][0]["id"]) << "one container for both tests";
  const std::string a_out = a["steps"][0]["stdout"];
  const std::string b_out = b["steps"][0]["stdout"];
  EXPECT_EQ(b_out, "left-by-a\n" + a_out) << "b sees a's file and the same hostname";
}

TEST(RunSandbox, ReuseTrueWarnsThatTheSandboxSharesNothing) {
  TempDir dir;
  const std::string file = dir.file("sandbox_reuse.clnrm.toml");
  write(file,
        "[test.metadata]\nname = \"sandbox_reuse\"\n\n"
        "[services.keeper]\nplugin = \"process\"\nargs = [\"sleep\", \"1000\"]\nreuse = true\n\n"
        "[[steps]]\nname = \"s\"\ncommand = [\"true\"]\n");
  auto r = run_clnrm({"run", "--backend", "sandbox", "--json", dir.file("r.json"), file});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("service 'keeper': reuse = true has no effect on the sandbox backend"), std::string::npos)
      << r.err;
  const json t = read_json(dir.file("r.json"))["tests"][0];
  EXPECT_EQ(t["services"][0]["reused"], false);
  bool named = false;
  for (const json& e : t["enforced"]) named |= e["what"] == "reuse" && e["value"] == "ignored";
  EXPECT_TRUE(named) << t["enforced"].dump(2);

  auto flag = run_clnrm({"run", "--backend", "sandbox", "--reuse", file});
  ASSERT_EQ(flag.exit_code, 0) << flag.out << flag.err;
  EXPECT_NE(flag.err.find("--reuse has no effect on the sandbox backend"), std::string::npos) << flag.err;
}

}  // namespace
