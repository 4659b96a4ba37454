// `clnrm bench`: compare benchmark results (the regression gate), keep
// baselines and a history of runs, draw the history report.
#include <clnrm/error.h>
#include <clnrm/perf.h>

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>

#include "cli/bench_internal.h"
#include "base/atomic_file.h"
#include "base/git_head.h"
#include "cli/commands.h"

namespace clnrm::cli {

namespace {

constexpr const char* kCompareFooter = R"(Exit status:
  0  no regression (improvements, new and missing benchmarks are reported only)
  1  at least one blocker or critical regression, a failed benchmark, or a budget exceeded
  2  usage or input error (unreadable/invalid result or budget file)
  3  warnings only

A regression needs BOTH a Holm-corrected two-sided Mann-Whitney p < alpha AND
the lower bound of the (1-alpha) Hodges-Lehmann interval of new/base above the
threshold: warning +15%, critical +30%, blocker +50% (instructions: +1%, +2%,
+5%), each plus the allowed noise from the budgets file.)";

struct CompareArgs {
  std::string base, fresh;
  std::string format = "text";
  std::string metric = "auto";
  double alpha = 0.05;
  std::string budgets;
  std::string baseline, save_baseline;
  std::string baseline_dir = "bench/baselines";
  std::string output;
  std::optional<double> warning, critical, blocker;
};

void write_output(const std::string& text, const std::string& path) {
  if (path.empty() || path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return;
  }
  write_file_atomically(path, text);  // a reader never sees half a report
}

std::string read_git_commit() {
  if (const char* sha = std::getenv("GITHUB_SHA"); sha && *sha) return sha;
  const std::string sha = git_head(".");
  return sha.empty() ? "unknown" : sha;
}

int run_compare(const CompareArgs& a) {
  using namespace clnrm::perf;
  perf::CompareOptions options;
  options.metric = flag_value(parse_metric(a.metric), "--metric");
  options.alpha = a.alpha;
  options.alpha_as = "--alpha";
  const Format format = flag_value(parse_format(a.format), "--format");
  if (a.warning || a.critical || a.blocker) {
    Thresholds t = default_thresholds(options.metric);
    if (a.warning) t.warning = *a.warning / 100;
    if (a.critical) t.critical = *a.critical / 100;
    if (a.blocker) t.blocker = *a.blocker / 100;
    options.thresholds = t;
  }
  if (!a.budgets.empty()) options.budgets = read_budgets(a.budgets);

  // Positional files: BASE NEW, or just NEW with --baseline NAME.
  std::string base_path = a.base, new_path = a.fresh;
  if (new_path.empty()) std::swap(base_path, new_path);
  if (new_path.empty()) throw Error(ErrorKind::Usage, "give the new result file (and BASE.json or --baseline NAME)");
  const BenchmarkResults fresh = read_benchmark_json(new_path, options.metric);
  const Platform platform = platform_of(fresh);

  if (!a.save_baseline.empty()) {
    const std::string saved = save_baseline(new_path, a.baseline_dir, a.save_baseline, platform);
    std::fprintf(stderr, "clnrm bench: saved baseline '%s' for %s as %s\n", a.save_baseline.c_str(),
                 platform.slug().c_str(), saved.c_str());
  }
  if (!a.baseline.empty()) {
    if (!base_path.empty())
      throw Error(ErrorKind::Usage, "give either BASE.json or --baseline NAME, not both");
    base_path = baseline_path(a.baseline_dir, a.baseline, platform);
    std::ifstream probe(base_path);
    if (!probe)
      throw Error(ErrorKind::Config,
                  fmt::format("no baseline '{}' for platform {} (save one with --save-baseline {})", a.baseline,
                              platform.slug(), a.baseline),
                  base_path);
  }
  if (base_path.empty()) {
    if (!a.save_baseline.empty()) return 0;  // only saving
    throw Error(ErrorKind::Usage, "give BASE.json NEW.json, or NEW.json with --baseline NAME");
  }
  const BenchmarkResults base = read_benchmark_json(base_path, options.metric);
  const ComparisonReport report = compare(base, fresh, options);
  write_output(render(report, format), a.output);
  return report.exit_code();
}

}  // namespace

void add_bench_command(CLI::App& app, CliContext& ctx) {
  auto* bench = app.add_subcommand("bench", "Benchmark results: regression gate, baselines, history");
  bench->require_subcommand(1);

  // ---- compare ----
  auto args = std::make_shared<CompareArgs>();
  auto* cmp = bench->add_subcommand("compare", "Compare two Google Benchmark JSON result files (the regression gate)");
  cmp->add_option("BASE", args->base, "Base results (Google Benchmark JSON); omit with --baseline");
  cmp->add_option("NEW", args->fresh, "New results (Google Benchmark JSON)");
  cmp->add_option("--format", args->format, "text | markdown | json | html")->capture_default_str();
  cmp->add_option("--metric", args->metric, "auto (cpu_time; real_time for UseRealTime benchmarks) | real_time | cpu_time | instructions")->capture_default_str();
  cmp->add_option("--alpha", args->alpha, "Significance level after Holm correction")->capture_default_str();
  cmp->add_option("--budgets", args->budgets, "Budgets file (e.g. bench/budgets.toml)");
  cmp->add_option("--baseline", args->baseline, "Compare NEW against the saved baseline NAME for its platform");
  cmp->add_option("--save-baseline", args->save_baseline, "Save NEW as baseline NAME for its platform");
  cmp->add_option("--baseline-dir", args->baseline_dir, "Where baselines live")->capture_default_str();
  cmp->add_option("-o,--output", args->output, "Write the report here instead of stdout");
  cmp->add_option("--warning", args->warning, "Warning threshold in percent (default 15; instructions 1)");
  cmp->add_option("--critical", args->critical, "Critical threshold in percent (default 30; instructions 2)");
  cmp->add_option("--blocker", args->blocker, "Blocker threshold in percent (default 50; instructions 5)");
  cmp->footer(kCompareFooter);
  cmp->callback([&ctx, args] { ctx.exit_code = run_compare(*args); });

  auto merge_inputs = std::make_shared<std::vector<std::string>>();
  auto merge_output = std::make_shared<std::string>();
  auto* merge = bench->add_subcommand("merge", "Concatenate result files of several suites into one (for one baseline)");
  merge->add_option("INPUTS", *merge_inputs, "Google Benchmark JSON files")->required();
  merge->add_option("-o,--output", *merge_output, "Merged file")->required();
  merge->callback([&ctx, merge_inputs, merge_output] {
    write_output(perf::merge_benchmark_json(*merge_inputs), *merge_output);
    ctx.exit_code = 0;
  });

  add_bench_record_commands(*bench, ctx);
  add_bench_run_command(*bench, ctx);
}

std::string bench_git_commit() { return read_git_commit(); }

}  // namespace clnrm::cli
