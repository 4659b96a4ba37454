#pragma once
// Benchmark results, statistics and the regression gate (src/perf).
//
// The gate compares two sets of Google Benchmark results benchmark by
// benchmark. A regression is reported only when it is both statistically
// significant (two-sided Mann–Whitney U test, Holm-corrected across the
// suite) and large (the LOWER bound of the Hodges–Lehmann confidence interval
// of the new/base ratio passes a threshold). One slow sample on a noisy
// machine can move a mean or a median; it cannot move both of those.

#include <clnrm/parsed.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clnrm::perf {

// ---- results ---------------------------------------------------------------

// Auto: cpu_time, except real_time for benchmarks registered with
// UseRealTime() (their names end in "/real_time"): the author of a benchmark
// already said which time is meaningful for it. On a shared machine wall time
// of a single-threaded loop mostly measures waiting for a core.
enum class Metric { Auto, RealTime, CpuTime, Instructions };
std::string_view to_string(Metric metric) noexcept;
// Throws Error(Usage) for anything but auto, real_time, cpu_time, instructions.
Parsed<Metric> parse_metric(std::string_view text);
// "ns" for times (every time is converted to nanoseconds), "instr" for counts.
std::string_view metric_unit(Metric metric) noexcept;

struct BenchmarkSamples {
  std::string name;            // Google Benchmark run_name (aggregate suffix stripped)
  std::vector<double> values;  // one per repetition, ns or instructions per iteration
  bool from_aggregate = false; // the file had only aggregates for it (one sample)
  std::string error;           // error_message of a failed run (values empty)
};

struct BenchmarkResults {
  std::string source;  // file name, for messages
  std::map<std::string, std::string> context;  // string-valued context entries
  std::vector<BenchmarkSamples> benchmarks;    // in file order
  const BenchmarkSamples* find(std::string_view name) const;
};

// Reads Google Benchmark JSON (--benchmark_out_format=json). Iteration rows
// are the samples; aggregate rows (mean/median/stddev/cv) are skipped unless a
// benchmark has nothing else, then its median (else mean) is one sample.
// Bare NaN / Infinity / -Infinity tokens (Google Benchmark writes them) and
// unknown fields are accepted. Throws Error(Config) naming the file on
// anything unreadable.
BenchmarkResults parse_benchmark_json(std::string_view text, const std::string& source, Metric metric);
BenchmarkResults read_benchmark_json(const std::string& path, Metric metric);
// Replaces bare NaN/Infinity tokens outside strings with JSON strings.
std::string quote_non_finite_tokens(std::string_view json);
// Concatenates the "benchmarks" arrays of several result files (every field
// kept); the context is the first file's, plus "clnrm_merged_from". Throws
// Error(Config) naming a file that is not a result file.
std::string merge_benchmark_json(const std::vector<std::string>& paths);

// The statistics (median, Mann–Whitney U, Hodges–Lehmann, Holm) are in
// src/base/statistics.h, shared with `clnrm history trend`.

// ---- budgets ---------------------------------------------------------------

struct Thresholds {
  double warning = 0.15;   // relative slowdown of the CI lower bound
  double critical = 0.30;
  double blocker = 0.50;
};
Thresholds default_thresholds(Metric metric);

struct Budget {
  std::string pattern;             // glob (* ?) over benchmark names; a pattern without
                                   // wildcards also matches as a prefix
  std::optional<double> max_ns;    // absolute ceiling on the new median (time metrics)
  std::optional<double> max_instructions;
  double noise = 0;                // allowed noise: added to every threshold
  std::optional<Thresholds> thresholds;  // replaces the defaults when set
  std::string source;              // "file:line" for messages
};

struct Budgets {
  double default_noise = 0;
  std::vector<Budget> entries;
  // The first entry whose pattern matches, or null.
  const Budget* match(std::string_view name) const;
};

bool glob_match(std::string_view pattern, std::string_view text);
// "5%" or 0.05 style -> 0.05.
Budgets parse_budgets(std::string_view toml, const std::string& source);
Budgets read_budgets(const std::string& path);

// ---- comparison ------------------------------------------------------------

enum class Verdict { Ok, Improved, Warning, Critical, Blocker, New, Missing, Failed };
std::string_view to_string(Verdict verdict) noexcept;

struct CompareOptions {
  Metric metric = Metric::Auto;
  double alpha = 0.05;  // significance after Holm; the interval is 1 - alpha
  std::optional<Thresholds> thresholds;  // default: default_thresholds(metric)
  Budgets budgets;
  // How errors name alpha (the CLI: "--alpha"; docs/ARCHITECTURE.md, "Errors").
  std::string alpha_as = "alpha";
};

struct BenchmarkComparison {
  std::string name;
  std::size_t n_base = 0, n_new = 0;
  double median_base = 0, median_new = 0;
  double median_change = 0;  // median_new / median_base - 1
  double ratio = 1;          // exp(Hodges–Lehmann estimate of log(new) - log(base))
  double ratio_low = 1, ratio_high = 1;
  double p_value = 1, p_adjusted = 1;
  bool exact = false;
  Verdict verdict = Verdict::Ok;
  Thresholds thresholds;     // after budget noise
  std::optional<double> ceiling;  // absolute budget for the new median
  bool budget_exceeded = false;
  std::string note;          // why no verdict was possible, budget source, errors
};

struct ComparisonReport {
  std::string base_source, new_source;
  CompareOptions options;
  std::vector<BenchmarkComparison> rows;  // in the new file's order, then missing ones
  std::size_t count(Verdict verdict) const;
  std::size_t budgets_exceeded() const;
  // 0 ok (improvements too), 1 blocker/critical or a budget exceeded,
  // 3 warnings only.
  int exit_code() const;
};

ComparisonReport compare(const BenchmarkResults& base, const BenchmarkResults& fresh, const CompareOptions& options);

enum class Format { Text, Markdown, Json, Html };
Parsed<Format> parse_format(std::string_view text);
std::string render(const ComparisonReport& report, Format format);
std::string render_text(const ComparisonReport& report);
std::string render_markdown(const ComparisonReport& report);
std::string render_json(const ComparisonReport& report);
std::string render_html(const ComparisonReport& report);

// Helpers shared by the renderers.
std::string format_value(double value, Metric metric);  // "12.3 µs", "1.20 M instr"
std::string format_percent(double fraction);            // "+12.3%"
std::string summary_line(const ComparisonReport& report);
// The comparison as an HTML <table> plus an inline-SVG interval plot (no
// scripts, no external resources); used by render_html and the history page.
std::string comparison_html_fragment(const ComparisonReport& report);
// A bench page (the comparison, the history): the shared page shell
// (src/base/html_page.h) with the bench stylesheet and `title` as heading.
std::string html_page(std::string_view title, std::string_view body);

// ---- platforms and baselines -----------------------------------------------

struct Platform {
  std::string os, arch, compiler, build_type, cpu_model;
  // "linux-x86_64-gcc-12.2.0-release-amd-epyc": lowercase, [a-z0-9._-] only.
  std::string slug() const;
};
// From the results' context (clnrm_os, clnrm_arch, clnrm_compiler,
// clnrm_build_type, clnrm_cpu_model, written by bench/support), completed
// from this machine for whatever is missing.
Platform platform_of(const BenchmarkResults& results);
Platform this_platform();
// <dir>/<name>/<platform slug>.json
std::string baseline_path(const std::string& dir, const std::string& name, const Platform& platform);
// Copies the raw result file there (creating directories); returns the path.
std::string save_baseline(const std::string& results_path, const std::string& dir, const std::string& name,
                          const Platform& platform);

// ---- bench history (SQLite) ------------------------------------------------

struct RecordedBenchRun {
  std::int64_t id = 0;
  std::string recorded_at;  // ISO 8601 UTC
  std::string commit;
  std::string platform;
  std::string metric;
  BenchmarkResults results;  // samples per benchmark
};

class BenchResultsDb {
 public:
  // Opens (creating) the database in WAL mode. Throws Error(Io) naming it.
  explicit BenchResultsDb(const std::string& path);
  ~BenchResultsDb();
  BenchResultsDb(const BenchResultsDb&) = delete;
  BenchResultsDb& operator=(const BenchResultsDb&) = delete;

  std::int64_t record(const BenchmarkResults& results, Metric metric, const std::string& commit,
                      const std::string& platform);
  // Oldest first; only runs of this metric (and platform when not empty).
  std::vector<RecordedBenchRun> runs(Metric metric, const std::string& platform = {}) const;

 private:
  struct Impl;
  Impl* impl_;
};

struct BenchTrendPageOptions {
  CompareOptions compare;
  std::string title = "clnrm benchmark history";
};
// A self-contained HTML page: one inline-SVG trend line per benchmark (median
// per run, change points marked where a run differs from the previous one by
// a verdict of warning or worse), the latest comparison, the budgets.
std::string render_bench_trend_html(const std::vector<RecordedBenchRun>& runs, const BenchTrendPageOptions& options);

// ---- instruction counts (callgrind) ----------------------------------------

// Reads the callgrind.out files dumped by bench/support's instrumented loops
// (one dump per measured loop, described "clnrm-bench:<iterations>:<name>")
// and returns results whose samples are instructions per iteration.
BenchmarkResults read_callgrind_dumps(const std::vector<std::string>& files);
// Google-Benchmark-shaped JSON with an "instructions" field per row, so
// `clnrm bench compare --metric instructions` reads it like any result file.
std::string to_benchmark_json(const BenchmarkResults& results, Metric metric);

}  // namespace clnrm::perf
