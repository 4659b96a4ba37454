#include <clnrm/error.h>
#include <clnrm/metrics_formats.h>
#include <clnrm/report.h>
#include <clnrm/version.h>
#include <fmt/format.h>

#include <array>
#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>


namespace clnrm {
namespace {

using Labels = std::vector<std::pair<std::string_view, std::string>>;

double seconds(std::chrono::nanoseconds ns) { return static_cast<double>(ns.count()) / 1e9; }
double seconds(std::chrono::microseconds us) { return static_cast<double>(us.count()) / 1e6; }

// Shortest round-trip form; Prometheus parses it like Go's ParseFloat.
std::string number(double v) { return fmt::format("{}", v); }

// Bucket bounds in seconds: from a 1 ms no-op step to a 5 min integration test.
constexpr std::array<double, 15> kTestBuckets = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                 1,     2.5,   5,    10,    30,   60,  300};
constexpr std::array<double, 15> kStepBuckets = kTestBuckets;

class Writer {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help) {
    fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name,
                   escape_help_text(help), name, type);
  }
  void sample(std::string_view name, const Labels& labels, std::string_view value) {
    out_.append(name);
    if (!labels.empty()) {
      out_.push_back('{');
      bool first = true;
      for (const auto& [k, v] : labels) {
        if (!first) out_.push_back(',');
        first = false;
        out_.append(k);
        out_.append("=\"");
        out_.append(escape_label_value(v));
        out_.push_back('"');
      }
      out_.push_back('}');
    }
    out_.push_back(' ');
    out_.append(value);
    out_.push_back('\n');
  }
  void sample(std::string_view name, const Labels& labels, double value) {
    sample(name, labels, number(value));
  }
  void counter(std::string_view name, std::string_view help, std::uint64_t value) {
    family(name, "counter", help);
    sample(name, {}, std::to_string(value));
  }
  void counter_seconds(std::string_view name, std::string_view help, double value) {
    family(name, "counter", help);
    sample(name, {}, value);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

template <std::size_t N>
void histogram(Writer& w, std::string_view name, std::string_view help,
               const std::array<double, N>& bounds, const std::vector<double>& values) {
  w.family(name, "histogram", help);
  std::array<std::uint64_t, N> counts{};
  double sum = 0;
  for (double v : values) {
    sum += v;
    for (std::size_t i = 0; i < N; ++i) {
      if (v <= bounds[i]) ++counts[i];
    }
  }
  const std::string bucket = std::string(name) + "_bucket";
  for (std::size_t i = 0; i < N; ++i)
    w.sample(bucket, {{"le", number(bounds[i])}}, std::to_string(counts[i]));
  w.sample(bucket, {{"le", "+Inf"}}, std::to_string(values.size()));
  w.sample(std::string(name) + "_sum", {}, sum);
  w.sample(std::string(name) + "_count", {}, std::to_string(values.size()));
}

// Identity labels of each test; a test that appears twice in one run
// (--repeat) gets repeat="n" so every series stays unique.
std::vector<Labels> test_labels(const RunResult& run) {
  std::vector<Labels> all;
  std::map<std::pair<std::string, std::string>, int> seen;
  for (const auto& t : run.tests) {
    Labels l = {{"test", t.name}, {"file", t.file}};
    const int n = seen[{t.name, t.file}]++;
    if (n > 0) l.emplace_back("repeat", std::to_string(n));
    all.push_back(std::move(l));
  }
  return all;
}

Labels with(Labels base, std::initializer_list<std::pair<std::string_view, std::string>> more) {
  for (const auto& m : more) base.push_back(m);
  return base;
}

std::string step_label(const StepResult& s) {
  return s.scenario.empty() ? s.name : s.scenario + "/" + s.name;
}

struct ServiceCounts {
  std::uint64_t started = 0, created = 0, reused = 0;
};
ServiceCounts count_services(const TestResult& t) {
  ServiceCounts c;
  for (const auto& s : t.services) {
    if (s.reused) {
      ++c.reused;
    } else {
      ++c.created;
      ++c.started;
    }
  }
  return c;
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out.push_back(c);
  }
  return out;
}

std::string escape_help_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out.push_back(c);
  }
  return out;
}

std::string render_prometheus(const MetricsSnapshot& c, const RunResult& run) {
  Writer w;
  w.family("clnrm_build_info", "gauge", "clnrm version and the backend of this run (always 1)");
  w.sample("clnrm_build_info",
           {{"version", kVersion}, {"backend", run.backend}, {"session", run.session_id}}, "1");

  w.counter("clnrm_tests_started_total", "Tests started in this session", c.tests_started);
  w.counter("clnrm_tests_passed_total", "Tests that passed", c.tests_passed);
  w.counter("clnrm_tests_failed_total", "Tests that failed, errored, timed out or were cancelled",
            c.tests_failed);
  w.counter("clnrm_steps_total", "Steps run", c.steps_run);
  w.counter("clnrm_steps_failed_total", "Steps that failed", c.steps_failed);
  w.counter("clnrm_services_started_total", "Services started (not reused)", c.services_started);
  w.counter("clnrm_containers_created_total", "Containers or sandbox service processes created",
            c.containers_created);
  w.counter("clnrm_containers_reused_total", "Services kept by reuse = true and used again",
            c.containers_reused);
  w.counter("clnrm_retries_total", "Test attempts beyond the first (--retries)", c.retries);
  w.counter_seconds("clnrm_step_wall_seconds_total", "Wall time of all steps",
                    static_cast<double>(c.step_wall_ns) / 1e9);
  w.counter_seconds("clnrm_step_cpu_user_seconds_total", "User CPU time of all steps",
                    static_cast<double>(c.step_user_cpu_us) / 1e6);
  w.counter_seconds("clnrm_step_cpu_system_seconds_total", "System CPU time of all steps",
                    static_cast<double>(c.step_system_cpu_us) / 1e6);

  w.family("clnrm_run_wall_seconds", "gauge", "Wall time of the whole run");
  w.sample("clnrm_run_wall_seconds", {}, seconds(run.duration));
  w.family("clnrm_run_jobs", "gauge", "Tests run in parallel (--jobs)");
  w.sample("clnrm_run_jobs", {}, std::to_string(run.jobs));

  std::vector<double> test_durations, step_durations, ready_durations;
  for (const auto& t : run.tests) {
    test_durations.push_back(seconds(t.duration));
    for (const auto& s : t.steps) step_durations.push_back(seconds(s.duration));
    for (const auto& s : t.services) {
      if (!s.reused) ready_durations.push_back(seconds(s.ready_duration));
    }
  }
  histogram(w, "clnrm_test_duration_seconds", "Wall time per test", kTestBuckets, test_durations);
  histogram(w, "clnrm_step_duration_seconds", "Wall time per step", kStepBuckets, step_durations);
  histogram(w, "clnrm_service_ready_duration_seconds", "Readiness wait per started service",
            kStepBuckets, ready_durations);

  const auto labels = test_labels(run);
  // Per-test gauges: one family at a time (the format wants a family's samples together).
  auto per_test = [&](std::string_view name, std::string_view help, auto value_of) {
    w.family(name, "gauge", help);
    for (std::size_t i = 0; i < run.tests.size(); ++i)
      w.sample(name, labels[i], value_of(run.tests[i]));
  };
  per_test("clnrm_test_wall_seconds", "Wall time of this test",
           [](const TestResult& t) { return seconds(t.duration); });
  per_test("clnrm_test_passed", "1 when the test passed, 0 otherwise",
           [](const TestResult& t) { return std::string(t.status == Status::Passed ? "1" : "0"); });
  per_test("clnrm_test_retries", "Attempts beyond the first",
           [](const TestResult& t) { return std::to_string(t.attempts > 1 ? t.attempts - 1 : 0); });
  per_test("clnrm_test_services_started", "Services this test started",
           [](const TestResult& t) { return std::to_string(count_services(t).started); });
  per_test("clnrm_test_containers_created", "Service containers/processes this test created",
           [](const TestResult& t) { return std::to_string(count_services(t).created); });
  per_test("clnrm_test_containers_reused", "Services this test reused",
           [](const TestResult& t) { return std::to_string(count_services(t).reused); });

  auto per_step = [&](std::string_view name, std::string_view help, auto value_of) {
    w.family(name, "gauge", help);
    for (std::size_t i = 0; i < run.tests.size(); ++i) {
      const auto& steps = run.tests[i].steps;
      for (std::size_t k = 0; k < steps.size(); ++k) {
        w.sample(name,
                 with(labels[i], {{"step", step_label(steps[k])}, {"index", std::to_string(k)}}),
                 value_of(steps[k]));
      }
    }
  };
  per_step("clnrm_step_wall_seconds", "Wall time of this step",
           [](const StepResult& s) { return seconds(s.duration); });
  per_step("clnrm_step_cpu_user_seconds", "User CPU time of this step",
           [](const StepResult& s) { return seconds(s.exec.usage.user_cpu); });
  per_step("clnrm_step_cpu_system_seconds", "System CPU time of this step",
           [](const StepResult& s) { return seconds(s.exec.usage.system_cpu); });
  per_step("clnrm_step_max_rss_bytes", "Peak resident set size of this step's processes",
           [](const StepResult& s) { return std::to_string(s.exec.usage.max_rss_kb * 1024); });
  per_step("clnrm_step_exit_code", "Exit code of this step (128+signal when killed)",
           [](const StepResult& s) { return std::to_string(s.exec.exit_code); });

  auto per_service = [&](std::string_view name, std::string_view help, auto value_of) {
    w.family(name, "gauge", help);
    for (std::size_t i = 0; i < run.tests.size(); ++i) {
      for (const auto& s : run.tests[i].services) {
        w.sample(name, with(labels[i], {{"service", s.name}}), value_of(s));
      }
    }
  };
  per_service("clnrm_service_start_seconds", "Time to start this service's process or container",
              [](const ServiceResult& s) { return seconds(s.start_duration); });
  per_service("clnrm_service_ready_seconds", "Time this service took to become ready",
              [](const ServiceResult& s) { return seconds(s.ready_duration); });
  return w.take();
}

void write_metrics_file(const std::string& path, const MetricsSnapshot& counters,
                        const RunResult& run) {
  write_report_file(path, render_prometheus(counters, run));
}

}  // namespace clnrm
