// The metrics file, checked by Prometheus's own parser and linter
// (`promtool check metrics`, Debian package `prometheus`).
#include <clnrm/metrics_formats.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <string>

#include "support/sample_run.h"
#include "support/temp_dir.h"

namespace {

struct Run {
  int status = -1;
  std::string output;
};

Run run_shell(const std::string& cmd) {
  Run r;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  r.status = ::pclose(p);
  return r;
}

}  // namespace

TEST(PromtoolCheck, MetricsFilePassesPromtoolCheckMetrics) {
  ASSERT_EQ(::access("/usr/bin/promtool", X_OK), 0)
      << "promtool missing: apt-get install prometheus (scripts/setup-deps.sh)";
  const clnrm::testing::TempDir dir("clnrm-promtool");
  const std::string path = dir.file("metrics.prom");
  clnrm::MetricsSnapshot c;
  c.tests_started = 40;
  c.steps_run = 120;
  c.step_wall_ns = 123456789;
  clnrm::write_metrics_file(path, c, clnrm::testing::make_sample_run(40));
  const auto r = run_shell("/usr/bin/promtool check metrics < " + path);
  EXPECT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0) << r.output;
  // promtool prints lint findings (non-base units, missing _total, ...) even on exit 0.
  EXPECT_EQ(r.output, "") << r.output;
}

TEST(PromtoolCheck, PromtoolRejectsABrokenFile) {
  // Shows the check above has teeth: promtool fails on a malformed exposition.
  const auto r = run_shell("printf 'clnrm_x{a=b} 1\\n' | /usr/bin/promtool check metrics");
  EXPECT_FALSE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0) << r.output;
}
