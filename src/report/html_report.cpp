// The HTML run report: one file, inline CSS and SVG, no scripts and no
// external resources, so it can be attached to a CI run and opened offline.
#include <clnrm/duration.h>
#include <clnrm/error.h>
#include <clnrm/html_report.h>
#include <clnrm/report.h>
#include <clnrm/version.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <set>
#include "base/markup_escape.h"

#include "base/html_page.h"
#include "base/utc_time.h"


namespace clnrm::report {

namespace {

// The report's own classes; palette, type, tables and <pre> are the shared
// stylesheet's (src/base/html_page.cpp).
constexpr std::string_view kCss = R"css(
:root{--error:#b7410e;--timeout:var(--warn);--skip:#9aa3b2;--cancel:#7b61a8;--flaky:#1c9aa8}
header{background:var(--ink);color:#fff;padding:22px 32px 18px}
header h1{margin:0;font-size:22px;font-weight:600;letter-spacing:.2px}
header h1 .verdict{display:inline-block;margin-left:12px;padding:2px 10px;border-radius:12px;font-size:13px;vertical-align:3px}
header .meta{margin-top:6px;color:#b8c0d0;font-size:13px}
header .meta span{margin-right:18px}
main{padding:20px 32px 40px;max-width:1240px}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:18px 20px;margin-bottom:18px}
h2{margin:0 0 12px;font-size:16px;font-weight:600}
h2 small{color:var(--muted);font-weight:400;margin-left:6px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin-bottom:14px}
.card{flex:1 1 110px;border:1px solid var(--line);border-radius:8px;padding:10px 14px;background:#fafbfc}
.card .n{font-size:26px;font-weight:650;line-height:1.1}
.card .l{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.6px}
.bar{display:flex;height:10px;border-radius:5px;overflow:hidden;background:var(--line)}
.s-passed{color:var(--pass)}.s-failed{color:var(--fail)}.s-error{color:var(--error)}.s-timed_out{color:var(--timeout)}
.s-skipped{color:var(--skip)}.s-cancelled{color:var(--cancel)}.s-flaky{color:var(--flaky)}
.b-passed{background:var(--pass)}.b-failed{background:var(--fail)}.b-error{background:var(--error)}.b-timed_out{background:var(--timeout)}
.b-skipped{background:var(--skip)}.b-cancelled{background:var(--cancel)}.b-flaky{background:var(--flaky)}
.pill{display:inline-block;min-width:66px;text-align:center;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;font-weight:600}
.tag{display:inline-block;margin-left:6px;padding:0 7px;border:1px solid var(--line);border-radius:9px;color:var(--muted);font-size:11px}
table{width:100%}
td.file{color:var(--muted);font-size:12px}
.meter{height:8px;background:#e9edf5;border-radius:4px;min-width:120px}
.meter div{height:8px;background:var(--accent);border-radius:4px}
.fail{border-left:4px solid var(--fail);padding:10px 14px;margin:12px 0;background:#fdf6f6;border-radius:0 8px 8px 0}
.fail h3{margin:0 0 4px;font-size:15px}
.fail .msg{margin:4px 0 8px}
.fail .step{margin-top:8px;font-weight:600}
.legend span{display:inline-block;margin-right:14px;font-size:12px;color:var(--muted)}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
footer{color:var(--muted);font-size:12px;padding:0 32px 24px}
)css";

const char* status_color(Status s) {
  switch (s) {
    case Status::Passed:
      return "#1f9d55";
    case Status::Failed:
      return "#d64545";
    case Status::Error:
      return "#b7410e";
    case Status::TimedOut:
      return "#e8890c";
    case Status::Skipped:
      return "#9aa3b2";
    case Status::Cancelled:
      return "#7b61a8";
  }
  return "#9aa3b2";
}

std::string status_label(Status s) {
  switch (s) {
    case Status::TimedOut:
      return "timed out";
    default:
      return std::string(to_string(s));
  }
}

// The file's `tags`, one chip each, after the test's name.
std::string tag_chips(const TestResult& t) {
  std::string html;
  for (const std::string& tag : t.tags)
    html += fmt::format("<span class=\"tag\">{}</span>", html_escape(tag));
  return html;
}

std::string pill(Status s, bool flaky) {
  if (flaky && s == Status::Passed) return "<span class=\"pill b-flaky\">flaky</span>";
  return fmt::format("<span class=\"pill b-{}\">{}</span>", to_string(s), status_label(s));
}

std::string fmt_dur(std::chrono::nanoseconds d) { return html_escape(format_duration(d)); }

std::string fmt_time(SystemTime t) {
  if (t.time_since_epoch().count() == 0) return "-";
  return format_utc(t, UtcStyle::Page);
}

// The last `max_bytes` of an output stream, cut at a line start.
std::string tail(const std::string& s, std::size_t max_bytes = 4000) {
  if (s.size() <= max_bytes) return s;
  auto start = s.size() - max_bytes;
  if (auto nl = s.find('\n', start); nl != std::string::npos && nl + 1 < s.size()) start = nl + 1;
  return "[... " + std::to_string(start) + " bytes not shown ...]\n" + s.substr(start);
}

std::string join_command(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    out += a.find_first_of(" \t\"'") == std::string::npos ? a : "'" + a + "'";
  }
  return out;
}

// Where each test sits on the timeline: lane and [start, end) in seconds from
// the run's start. Tests without a start time are laid end to end in their lane.
struct Bar {
  const TestResult* test;
  int lane;
  double start, end;
};

std::vector<Bar> layout(const RunResult& run) {
  std::vector<Bar> bars;
  SystemTime origin = run.started;
  for (const auto& t : run.tests) {
    if (t.started.time_since_epoch().count() != 0 &&
        (origin.time_since_epoch().count() == 0 || t.started < origin)) {
      origin = t.started;
    }
  }
  std::map<int, double> lane_end;
  for (const auto& t : run.tests) {
    const double dur = std::chrono::duration<double>(t.duration).count();
    double start;
    if (t.started.time_since_epoch().count() != 0) {
      start = std::chrono::duration<double>(t.started - origin).count();
    } else {
      start = lane_end[t.worker];
    }
    lane_end[t.worker] = std::max(lane_end[t.worker], start + dur);
    bars.push_back({&t, t.worker, start, start + dur});
  }
  return bars;
}

// A "nice" tick step (1, 2, 5 x 10^k) giving about `target` ticks.
double tick_step(double span, int target) {
  const double raw = span / target;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (raw <= m * mag) return m * mag;
  }
  return 10 * mag;
}

// An axis tick rounded to the axis step ("500ms", "2s", "2m00s"): not
// format_duration (include/clnrm/duration.h), whose decimals would print
// "0.500s" and "2.000s" under a timeline, nor perf::format_value's
// significant digits.
std::string tick_label(double seconds, double step) {
  if (step < 1) return fmt::format("{:.0f}ms", seconds * 1000);
  if (seconds < 120) return fmt::format("{:.0f}s", seconds);
  return fmt::format("{:.0f}m{:02.0f}s", std::floor(seconds / 60), std::fmod(seconds, 60));
}

std::string timeline_svg(const RunResult& run) {
  const auto bars = layout(run);
  if (bars.empty()) return "<p class=\"muted\">No tests ran.</p>";
  std::set<int> lane_ids;
  double span = 0;
  for (const auto& b : bars) {
    lane_ids.insert(b.lane);
    span = std::max(span, b.end);
  }
  if (span <= 0) span = 1e-3;
  const std::vector<int> lanes(lane_ids.begin(), lane_ids.end());
  const int width = 1160, label_w = 70, right_pad = 12, row_h = 30, top = 8, axis_h = 24;
  const double plot_w = width - label_w - right_pad;
  const int height = top + static_cast<int>(lanes.size()) * row_h + axis_h;
  auto x_of = [&](double s) { return label_w + s / span * plot_w; };

  const std::string label = fmt::format("timeline of {} tests on {} lanes", bars.size(), lanes.size());
  std::string svg = html::svg_open(width, height, label, {}, html::SvgWidth::FitPage);
  const double step = tick_step(span, 8);
  for (double t = 0; t <= span + 1e-12; t += step) {
    const double x = x_of(t);
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#e3e6ec\"/>", x, top,
        height - axis_h + 4);
    svg += fmt::format(
        "<text x=\"{:.1f}\" y=\"{}\" font-size=\"11\" fill=\"#6b7385\" "
        "text-anchor=\"middle\">{}</text>",
        x, height - 6, tick_label(t, step));
  }
  for (std::size_t i = 0; i < lanes.size(); ++i) {
    const int y = top + static_cast<int>(i) * row_h;
    if (i % 2 == 0) {
      svg +=
          fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{:.0f}\" height=\"{}\" fill=\"#f7f8fa\"/>",
                      label_w, y, plot_w, row_h);
    }
    svg += fmt::format(
        "<text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#6b7385\" text-anchor=\"end\">lane "
        "{}</text>",
        label_w - 10, y + row_h / 2 + 4, lanes[i]);
  }
  for (const auto& b : bars) {
    const auto lane_index = std::find(lanes.begin(), lanes.end(), b.lane) - lanes.begin();
    const double y = top + static_cast<double>(lane_index) * row_h + 4;
    const double x = x_of(b.start);
    const double w = std::max(2.0, x_of(b.end) - x);
    const auto* t = b.test;
    const char* color =
        t->flaky && t->status == Status::Passed ? "#1c9aa8" : status_color(t->status);
    svg += fmt::format("<g><title>{} — {} — {}{}</title>", html_escape(t->name),
                       status_label(t->status), fmt_dur(t->duration),
                       t->attempts > 1 ? fmt::format(" ({} attempts)", t->attempts) : "");
    svg += fmt::format(
        "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{}\" rx=\"3\" fill=\"{}\"/>", x,
        y, w, row_h - 8, color);
    // A label only where it fits (about 6.5 px per character at 11 px).
    const auto max_chars = static_cast<std::size_t>((w - 8) / 6.5);
    if (max_chars >= 4) {
      std::string label =
          t->name.size() <= max_chars ? t->name : t->name.substr(0, max_chars - 1) + "…";
      svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"11\" fill=\"#fff\">{}</text>",
                         x + 5, y + (row_h - 8) / 2.0 + 4, html_escape(label));
    }
    svg += "</g>";
  }
  svg += "</svg>";
  return svg;
}

std::string sparkline_svg(const DurationTrend& trend, double current_seconds, bool current_failed) {
  std::vector<double> v = trend.seconds;
  std::vector<bool> failed = trend.failed;
  v.push_back(current_seconds);
  failed.push_back(current_failed);
  const int w = 120, h = 26, pad = 3;
  const auto [lo_it, hi_it] = std::minmax_element(v.begin(), v.end());
  const double lo = *lo_it, hi = *hi_it;
  const html::LinearScale px{0, static_cast<double>(v.size() - 1), pad, w - pad};
  const html::LinearScale py{lo, hi, h - pad, static_cast<double>(pad)};
  std::vector<std::pair<double, double>> points;
  for (std::size_t i = 0; i < v.size(); ++i) points.emplace_back(px(static_cast<double>(i)), py(v[i]));
  std::string svg = html::svg_open(w, h);
  svg += fmt::format(
      "<title>last {} runs: {} to {}</title><polyline points=\"{}\" fill=\"none\" stroke=\"#3056d3\" "
      "stroke-width=\"1.5\"/>",
      v.size(), fmt_dur(std::chrono::nanoseconds(static_cast<std::int64_t>(lo * 1e9))),
      fmt_dur(std::chrono::nanoseconds(static_cast<std::int64_t>(hi * 1e9))), html::polyline_points(points));
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (failed[i])
      svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2.2\" fill=\"#d64545\"/>",
                         px(static_cast<double>(i)), py(v[i]));
  }
  svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2.8\" fill=\"{}\"/></svg>",
                     px(static_cast<double>(v.size() - 1)), py(v.back()), current_failed ? "#d64545" : "#1d2330");
  return svg;
}

std::string summary_section(const RunResult& run) {
  const std::size_t total = run.tests.size();
  const auto flaky = static_cast<std::size_t>(
      std::count_if(run.tests.begin(), run.tests.end(),
                    [](const TestResult& t) { return t.flaky && t.status == Status::Passed; }));
  std::string html = "<section><h2>Summary</h2><div class=\"cards\">";
  html += fmt::format(
      "<div class=\"card\"><div class=\"n\">{}</div><div class=\"l\">tests</div></div>", total);
  const Status order[] = {Status::Passed,   Status::Failed,  Status::Error,
                          Status::TimedOut, Status::Skipped, Status::Cancelled};
  // Counted as the console and the JSON count: a flaky pass is a pass (the
  // flaky card says how many of them needed a retry).
  for (Status s : order) {
    const auto n = run.count(s);
    if (n == 0 && s != Status::Passed && s != Status::Failed) continue;
    html += fmt::format(
        "<div class=\"card\"><div class=\"n s-{}\">{}</div><div class=\"l\">{}</div></div>",
        to_string(s), n, status_label(s));
  }
  if (flaky) {
    html += fmt::format(
        "<div class=\"card\"><div class=\"n s-flaky\">{}</div><div class=\"l\">of the passed: "
        "flaky (passed after a retry)</div></div>",
        flaky);
  }
  html += fmt::format(
      "<div class=\"card\"><div class=\"n\">{}</div><div class=\"l\">wall time</div></div>",
      fmt_dur(run.duration));
  html += "</div><div class=\"bar\">";
  for (Status s : order) {
    auto n = run.count(s) - (s == Status::Passed ? flaky : 0);
    if (n) html += fmt::format("<div class=\"b-{}\" style=\"flex:{}\"></div>", to_string(s), n);
  }
  if (flaky) html += fmt::format("<div class=\"b-flaky\" style=\"flex:{}\"></div>", flaky);
  html += "</div></section>";
  return html;
}

// The end of each service's output, captured before a failed test's teardown.
std::string service_logs_html(const TestResult& t) {
  std::string html;
  for (const auto& s : t.services) {
    if (service_log_report(s).empty()) continue;
    html += fmt::format("<div class=\"step\">service {} output{}</div>", html_escape(s.name),
                        s.state.empty() ? "" : " <span class=\"muted\">· " + html_escape(s.state) + "</span>");
    html += s.log_tail.empty() ? "<div class=\"muted\">(no output)</div>"
                               : fmt::format("<pre>{}</pre>", html_escape(tail(s.log_tail)));
  }
  return html;
}

// Attempts that failed before the kept one (--retries).
std::string earlier_attempts_html(const TestResult& t) {
  std::string html;
  for (const auto& a : t.failed_attempts) {
    html += fmt::format("<div class=\"step\">attempt {} {}</div><pre>{}</pre>", a.attempt,
                        pill(a.status, false), html_escape(tail(a.details)));
  }
  return html;
}

// Passes after a retry, with the failures they recovered from.
std::string flaky_section(const RunResult& run) {
  std::string html;
  std::size_t n = 0;
  for (const auto& t : run.tests) {
    if (!(t.flaky && t.status == Status::Passed)) continue;
    ++n;
    html += fmt::format(
        "<div class=\"fail\" style=\"border-left-color:var(--flaky)\"><h3>{} {}</h3>"
        "<div class=\"muted\">{} · {} · passed on attempt {}</div>",
        pill(t.status, true), html_escape(t.name), html_escape(t.file), fmt_dur(t.duration),
        t.attempts);
    html += earlier_attempts_html(t);
    html += "</div>";
  }
  if (n == 0) return "";
  return fmt::format(
      "<section id=\"flaky\"><h2>Flaky <small>{} passed after a retry</small></h2>{}</section>", n,
      html);
}

std::string failures_section(const RunResult& run) {
  std::string html;
  std::size_t n = 0;
  for (const auto& t : run.tests) {
    if (!is_failure(t.status)) continue;
    ++n;
    html += fmt::format("<div class=\"fail\"><h3>{} {}</h3><div class=\"muted\">{} · {}{}</div>",
                        pill(t.status, false), html_escape(t.name), html_escape(t.file),
                        fmt_dur(t.duration),
                        t.attempts > 1 ? fmt::format(" · {} attempts", t.attempts) : "");
    if (!t.message.empty())
      html += fmt::format("<div class=\"msg\">{}</div>", html_escape(t.message));
    for (const auto& s : t.services) {
      if (!s.message.empty()) {
        html += fmt::format("<div class=\"step\">service {}</div><pre>{}</pre>",
                            html_escape(s.name), html_escape(tail(s.message)));
      }
    }
    for (const auto& a : t.assertions) {
      if (!a.passed)
        html += fmt::format("<div class=\"msg\">✗ {}: {}</div>", html_escape(a.name),
                            html_escape(a.message));
    }
    html += service_logs_html(t);
    html += earlier_attempts_html(t);
    for (const auto& step : t.steps) {
      if (!is_failure(step.status)) continue;
      html += fmt::format(
          "<div class=\"step\">step {} {} <span class=\"muted\">· exit {} · {}</span></div>",
          html_escape(step.scenario.empty() ? step.name : step.scenario + "/" + step.name),
          pill(step.status, false), step.exec.exit_code, fmt_dur(step.duration));
      if (!step.command.empty())
        html +=
            fmt::format("<div class=\"muted\">$ {}</div>", html_escape(join_command(step.command)));
      bool assertion_failed = false;
      for (const auto& a : step.assertions) {
        if (a.passed) continue;
        assertion_failed = true;
        html += fmt::format("<div class=\"msg\">✗ {}: {}</div>", html_escape(a.name),
                            html_escape(a.message));
      }
      // The step message repeats the first failing assertion; show it only when there is none.
      if (!assertion_failed && !step.message.empty()) {
        html += fmt::format("<div class=\"msg\">{}</div>", html_escape(step.message));
      }
      if (!step.exec.stdout_data.empty()) {
        html += fmt::format("<div class=\"muted\">stdout</div><pre>{}</pre>",
                            html_escape(tail(step.exec.stdout_data)));
      }
      if (!step.exec.stderr_data.empty()) {
        html += fmt::format("<div class=\"muted\">stderr</div><pre>{}</pre>",
                            html_escape(tail(step.exec.stderr_data)));
      }
    }
    html += "</div>";
  }
  if (n == 0) return "";
  return fmt::format("<section id=\"failures\"><h2>Failures <small>{}</small></h2>{}</section>", n,
                     html);
}

std::string slowest_steps_section(const RunResult& run) {
  struct Row {
    const TestResult* test;
    const StepResult* step;
  };
  std::vector<Row> rows;
  for (const auto& t : run.tests) {
    for (const auto& s : t.steps) {
      if (s.status != Status::Skipped) rows.push_back({&t, &s});
    }
  }
  if (rows.empty()) return "";
  std::sort(rows.begin(), rows.end(),
            [](const Row& a, const Row& b) { return a.step->duration > b.step->duration; });
  if (rows.size() > 10) rows.resize(10);
  const double longest = std::max(1.0, static_cast<double>(rows.front().step->duration.count()));
  std::string html =
      "<section><h2>Slowest "
      "steps</h2><table><tr><th>step</th><th>test</th><th></th><th>duration</th><th>CPU "
      "user+sys</th><th>max RSS</th></tr>";
  for (const auto& r : rows) {
    const auto& u = r.step->exec.usage;
    html += fmt::format(
        "<tr><td>{}</td><td>{}</td><td style=\"width:30%\"><div class=\"meter\"><div "
        "style=\"width:{:.1f}%\"></div></div></td>"
        "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
        html_escape(r.step->name), html_escape(r.test->name),
        100.0 * static_cast<double>(r.step->duration.count()) / longest, fmt_dur(r.step->duration),
        fmt_dur(std::chrono::duration_cast<std::chrono::nanoseconds>(u.user_cpu + u.system_cpu)),
        u.max_rss_kb > 0 ? fmt::format("{:.1f} MiB", static_cast<double>(u.max_rss_kb) / 1024.0)
                         : "-");
  }
  return html + "</table></section>";
}

std::string tests_section(const RunResult& run, const TrendsByTest* trends) {
  std::string html = fmt::format(
      "<section><h2>Tests "
      "<small>{}</small></h2><table><tr><th>status</th><th>test</th><th>file</th><th>lane</th>"
      "<th>attempts</th><th>duration</th>{}</tr>",
      run.tests.size(), trends ? "<th>history</th>" : "");
  for (const auto& t : run.tests) {
    html += fmt::format(
        "<tr><td>{}</td><td>{}{}</td><td class=\"file\">{}</td><td class=\"num\">{}</td><td "
        "class=\"num\">{}</td>"
        "<td class=\"num\">{}</td>",
        pill(t.status, t.flaky), html_escape(t.name), tag_chips(t), html_escape(t.file), t.worker,
        t.attempts,
        fmt_dur(t.duration));
    if (trends) {
      auto it = trends->find(t.name);
      html += "<td>";
      if (it != trends->end() && !it->second.seconds.empty()) {
        html += sparkline_svg(it->second, std::chrono::duration<double>(t.duration).count(),
                              is_failure(t.status));
      } else {
        html += "<span class=\"muted\">new</span>";
      }
      html += "</td>";
    }
    html += "</tr>";
  }
  return html + "</table></section>";
}

}  // namespace

std::string render_html_report(const RunResult& run, const TrendsByTest* trends) {
  const bool ok = run.all_passed();
  std::set<int> lanes;
  for (const auto& t : run.tests) lanes.insert(t.worker);
  std::string html = fmt::format(
      "<header><h1>clnrm run report<span class=\"verdict {}\">{}</span></h1><div "
      "class=\"meta\"><span>session {}</span>"
      "<span>backend {}</span><span>started {}</span><span>{} jobs</span><span>{} lanes "
      "used</span></div></header><main>",
      ok ? "b-passed" : "b-failed",
      ok ? "all passed"
         : fmt::format("{} not passed", run.tests.size() - run.count(Status::Passed)),
      html_escape(run.session_id.empty() ? "-" : run.session_id),
      html_escape(run.backend.empty() ? "-" : run.backend), fmt_time(run.started), run.jobs,
      lanes.size());
  html += summary_section(run);
  html += "<section><h2>Timeline <small>each bar is a test on the lane that ran it</small></h2>";
  html += timeline_svg(run);
  html += "<div class=\"legend\">";
  for (Status s : {Status::Passed, Status::Failed, Status::Error, Status::TimedOut, Status::Skipped,
                   Status::Cancelled}) {
    html += fmt::format("<span><i style=\"background:{}\"></i>{}</span>", status_color(s),
                        status_label(s));
  }
  html += "<span><i style=\"background:#1c9aa8\"></i>flaky</span></div></section>";
  html += failures_section(run);
  html += flaky_section(run);
  html += slowest_steps_section(run);
  html += tests_section(run, trends);
  html += fmt::format(
      "</main><footer>Generated by clnrm {} · self-contained: no scripts, no external "
      "resources</footer>",
      kVersion);
  return html::page("clnrm report " + run.session_id, kCss, html);
}

void write_html_report(const RunResult& run, const std::optional<TrendsByTest>& trends,
                       const std::string& path) {
  const std::string html = render_html_report(run, trends ? &*trends : nullptr);
  write_report_file(path, html);  // atomically: a reader never sees half a report
}

}  // namespace clnrm::report
