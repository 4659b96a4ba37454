// `clnrm bench record | report | import-callgrind`: the bench-history DB and
// its HTML page, and instruction counts from callgrind dumps.
#include <clnrm/error.h>
#include <clnrm/perf.h>

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "cli/bench_internal.h"
#include "base/atomic_file.h"

namespace clnrm::cli {

namespace {

struct HistoryArgs {
  std::string results;
  std::string db = ".clnrm/bench-history.db";
  std::string metric = "auto";
  std::string commit;
  std::string platform;
  std::string html;
  std::string budgets;
  std::string title = "clnrm benchmark history";
  double alpha = 0.05;
  std::vector<std::string> dumps;
  std::string output;
  std::string name_prefix;
};

void ensure_parent(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) throw Error(ErrorKind::Io, "cannot create directory: " + ec.message(), parent.string());
}

// Atomically (src/base/atomic_file.cpp): a reader never sees half a page.
void write_file(const std::string& path, const std::string& text) {
  ensure_parent(path);
  write_file_atomically(path, text);
}

}  // namespace

void add_bench_record_commands(CLI::App& bench, CliContext& ctx) {
  auto a = std::make_shared<HistoryArgs>();

  auto* rec = bench.add_subcommand("record", "Append a result file to the bench-history SQLite database (WAL)");
  rec->add_option("RESULTS", a->results, "Google Benchmark JSON")->required();
  rec->add_option("--db", a->db, "History database")->capture_default_str();
  rec->add_option("--metric", a->metric, "auto (cpu_time; real_time for UseRealTime benchmarks) | real_time | cpu_time | instructions")->capture_default_str();
  rec->add_option("--commit", a->commit, "Commit the results belong to (default: GITHUB_SHA or git HEAD)");
  rec->add_option("--platform", a->platform, "Platform slug (default: from the results' context and this machine)");
  rec->callback([&ctx, a] {
    const auto metric = flag_value(perf::parse_metric(a->metric), "--metric");
    const auto results = perf::read_benchmark_json(a->results, metric);
    const std::string platform = a->platform.empty() ? perf::platform_of(results).slug() : a->platform;
    const std::string commit = a->commit.empty() ? bench_git_commit() : a->commit;
    ensure_parent(a->db);
    perf::BenchResultsDb history(a->db);
    const auto id = history.record(results, metric, commit, platform);
    std::printf("recorded run %lld: %zu benchmarks, commit %s, platform %s, into %s\n", static_cast<long long>(id),
                results.benchmarks.size(), commit.c_str(), platform.c_str(), a->db.c_str());
    ctx.exit_code = 0;
  });

  auto* rep = bench.add_subcommand("report", "Draw the bench history as one self-contained HTML page");
  rep->add_option("--html", a->html, "Output file")->required();
  rep->add_option("--db", a->db, "History database")->capture_default_str();
  rep->add_option("--metric", a->metric, "auto (cpu_time; real_time for UseRealTime benchmarks) | real_time | cpu_time | instructions")->capture_default_str();
  rep->add_option("--platform", a->platform, "Only runs of this platform slug (default: all)");
  rep->add_option("--budgets", a->budgets, "Budgets file to draw and check");
  rep->add_option("--alpha", a->alpha, "Significance level for change points")->capture_default_str();
  rep->add_option("--title", a->title, "Page title")->capture_default_str();
  rep->callback([&ctx, a] {
    perf::BenchTrendPageOptions options;
    options.compare.metric = flag_value(perf::parse_metric(a->metric), "--metric");
    options.compare.alpha = a->alpha;
    options.compare.alpha_as = "--alpha";
    options.title = a->title;
    if (!a->budgets.empty()) options.compare.budgets = perf::read_budgets(a->budgets);
    if (!std::filesystem::exists(a->db))
      throw Error(ErrorKind::Config, "no bench history here (record one with `clnrm bench record`)", a->db);
    perf::BenchResultsDb history(a->db);
    const auto runs = history.runs(options.compare.metric, a->platform);
    write_file(a->html, perf::render_bench_trend_html(runs, options));
    std::printf("wrote %s (%zu runs)\n", a->html.c_str(), runs.size());
    ctx.exit_code = 0;
  });

  auto* imp = bench.add_subcommand(
      "import-callgrind", "Turn callgrind dumps of measured loops into Google-Benchmark-shaped JSON (instructions)");
  imp->add_option("DUMPS", a->dumps, "callgrind.out files")->required();
  imp->add_option("-o,--output", a->output, "Output JSON file")->required();
  imp->callback([&ctx, a] {
    auto results = perf::read_callgrind_dumps(a->dumps);
    const auto platform = perf::this_platform();
    results.context["clnrm_os"] = platform.os;
    results.context["clnrm_arch"] = platform.arch;
    results.context["clnrm_cpu_model"] = platform.cpu_model;
    write_file(a->output, perf::to_benchmark_json(results, perf::Metric::Instructions));
    std::printf("wrote %s: %zu benchmarks\n", a->output.c_str(), results.benchmarks.size());
    ctx.exit_code = 0;
  });
}

}  // namespace clnrm::cli
