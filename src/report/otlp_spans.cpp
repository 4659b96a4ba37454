#include <clnrm/otlp.h>
#include <fmt/format.h>

#include <algorithm>
#include <random>

namespace clnrm {
namespace {

void append_hex64(std::string& out, std::uint64_t v) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int shift = 60; shift >= 0; shift -= 4) out.push_back(kHex[(v >> shift) & 0xf]);
}

std::uint64_t unix_nanos(SystemTime t) {
  const auto ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  return ns > 0 ? static_cast<std::uint64_t>(ns) : 0;
}

std::uint64_t nanos(std::chrono::nanoseconds d) {
  return d.count() > 0 ? static_cast<std::uint64_t>(d.count()) : 0;
}

SpanAttribute str(std::string_view key, std::string value) {
  SpanAttribute a;
  a.key = key;
  a.string_value = std::move(value);
  return a;
}
SpanAttribute integer(std::string_view key, std::int64_t value) {
  SpanAttribute a;
  a.key = key;
  a.type = SpanAttribute::Type::Int;
  a.int_value = value;
  return a;
}
SpanAttribute real(std::string_view key, double value) {
  SpanAttribute a;
  a.key = key;
  a.type = SpanAttribute::Type::Double;
  a.double_value = value;
  return a;
}
SpanAttribute boolean(std::string_view key, bool value) {
  SpanAttribute a;
  a.key = key;
  a.type = SpanAttribute::Type::Bool;
  a.bool_value = value;
  return a;
}
double ms(std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1e6; }

void set_status(Span& span, Status status, const std::string& message) {
  if (status == Status::Passed) {
    span.status = SpanStatusCode::Ok;
  } else if (is_failure(status)) {
    span.status = SpanStatusCode::Error;
    span.status_message = message.empty() ? std::string(to_string(status)) : message;
  }
}

std::string join_command(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out.push_back(' ');
    const bool quote = a.empty() || a.find_first_of(" \t\n\"'\\$`") != std::string::npos;
    if (!quote) {
      out += a;
      continue;
    }
    out.push_back('\'');
    for (char c : a) {
      if (c == '\'')
        out += "'\\''";
      else
        out.push_back(c);
    }
    out.push_back('\'');
  }
  return out;
}

}  // namespace

SpanIdGenerator::SpanIdGenerator() {
  std::random_device rd;
  state_ = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
}

SpanIdGenerator::SpanIdGenerator(std::uint64_t seed) : state_(seed) {}

// splitmix64: fast, full-period, good enough for ids that must only be unique.
std::uint64_t SpanIdGenerator::next() {
  std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

TraceId SpanIdGenerator::trace_id() {
  TraceId id;
  while (id.high == 0 && id.low == 0) {
    id.high = next();
    id.low = next();
  }
  return id;
}

std::uint64_t SpanIdGenerator::span_id() {
  std::uint64_t v = 0;
  while (v == 0) v = next();
  return v;
}

std::string TraceId::hex() const {
  std::string out;
  out.reserve(32);
  append_hex64(out, high);
  append_hex64(out, low);
  return out;
}

std::string span_id_hex(std::uint64_t span_id) {
  std::string out;
  out.reserve(16);
  append_hex64(out, span_id);
  return out;
}

std::vector<Span> build_spans(const RunResult& run, SpanIdGenerator& ids) {
  std::vector<Span> spans;
  std::size_t estimate = 1;
  for (const auto& t : run.tests) {
    estimate += 1 + 2 * t.services.size() + t.steps.size() + t.assertions.size();
    for (const auto& s : t.steps) estimate += s.assertions.size();
  }
  spans.reserve(estimate);

  const TraceId trace_id = ids.trace_id();
  auto make = [&](std::string name, std::uint64_t parent, std::uint64_t start,
                  std::uint64_t end) -> Span& {
    Span& s = spans.emplace_back();
    s.trace_id = trace_id;
    s.span_id = ids.span_id();
    s.parent_span_id = parent;
    s.name = std::move(name);
    s.start_unix_nano = start;
    s.end_unix_nano = std::max(start, end);
    return s;
  };

  std::uint64_t run_start = unix_nanos(run.started);
  if (run_start == 0) {
    // No start recorded: the run just finished, so it began `duration` ago.
    run_start = unix_nanos(std::chrono::system_clock::now()) - nanos(run.duration);
  }
  const std::uint64_t run_end = run_start + nanos(run.duration);
  std::size_t passed = 0;
  for (const auto& t : run.tests) passed += t.status == Status::Passed ? 1 : 0;
  {
    Span& root = make("clnrm.run", 0, run_start, run_end);
    root.attributes = {str("clnrm.session_id", run.session_id),
                       str("clnrm.backend", run.backend),
                       integer("clnrm.jobs", run.jobs),
                       integer("clnrm.tests.total", static_cast<std::int64_t>(run.tests.size())),
                       integer("clnrm.tests.passed", static_cast<std::int64_t>(passed)),
                       real("clnrm.duration_ms", ms(run.duration))};
    root.status = run.all_passed() ? SpanStatusCode::Ok : SpanStatusCode::Error;
    if (!run.all_passed())
      root.status_message =
          fmt::format("{} of {} tests did not pass", run.tests.size() - passed, run.tests.size());
  }
  const std::uint64_t root_id = spans.front().span_id;

  std::uint64_t cursor = run_start;  // fallback clock for results without a start time
  for (const auto& t : run.tests) {
    const std::uint64_t test_start = unix_nanos(t.started) ? unix_nanos(t.started) : cursor;
    const std::uint64_t test_end = test_start + nanos(t.duration);
    const std::string backend = t.backend.empty() ? run.backend : t.backend;
    std::uint64_t test_id = 0;
    {
      Span& ts = make("clnrm.test " + t.name, root_id, test_start, test_end);
      ts.attributes = {str("clnrm.test.name", t.name),
                       str("clnrm.test.file", t.file),
                       str("code.filepath", t.file),
                       str("clnrm.backend", backend),
                       str("clnrm.security_level", std::string(to_string(t.level))),
                       str("clnrm.status", std::string(to_string(t.status))),
                       integer("clnrm.test.attempts", t.attempts),
                       boolean("clnrm.test.flaky", t.flaky),
                       integer("clnrm.test.worker", t.worker),
                       real("clnrm.duration_ms", ms(t.duration))};
      set_status(ts, t.status, t.message);
      test_id = ts.span_id;
    }

    std::uint64_t child_cursor = test_start;
    for (const auto& svc : t.services) {
      const std::uint64_t start = unix_nanos(svc.started) ? unix_nanos(svc.started) : child_cursor;
      const std::uint64_t ready_start = start + nanos(svc.start_duration);
      const std::uint64_t end = ready_start + nanos(svc.ready_duration);
      child_cursor = end;
      const Status svc_status = svc.message.empty() ? Status::Passed : Status::Error;
      std::uint64_t start_id = 0;
      {
        Span& ss = make("clnrm.service.start " + svc.name, test_id, start, end);
        ss.attributes = {str("clnrm.service.name", svc.name),
                         str("clnrm.service.plugin", svc.plugin),
                         str("clnrm.image", svc.image),
                         str("clnrm.service.id", svc.id),
                         boolean("clnrm.service.reused", svc.reused),
                         real("clnrm.service.start_ms", ms(svc.start_duration)),
                         real("clnrm.service.ready_ms", ms(svc.ready_duration)),
                         real("clnrm.duration_ms", ms(svc.start_duration + svc.ready_duration))};
        set_status(ss, svc_status, svc.message);
        start_id = ss.span_id;
      }
      Span& rs = make("clnrm.service.ready " + svc.name, start_id, ready_start, end);
      rs.attributes = {str("clnrm.service.name", svc.name),
                       real("clnrm.duration_ms", ms(svc.ready_duration))};
      set_status(rs, svc_status, svc.message);
    }

    for (const auto& step : t.steps) {
      const std::uint64_t start =
          unix_nanos(step.started) ? unix_nanos(step.started) : child_cursor;
      const std::uint64_t end = start + nanos(step.duration);
      child_cursor = std::max(child_cursor, end);
      std::string image;
      if (!step.service.empty()) {
        for (const auto& svc : t.services) {
          if (svc.name == step.service) image = svc.image;
        }
      }
      std::uint64_t step_id = 0;
      {
        Span& ss = make("clnrm.step " + step.name, test_id, start, end);
        ss.attributes = {str("clnrm.step.name", step.name),
                         str("clnrm.step.command", join_command(step.command)),
                         integer("clnrm.step.exit_code", step.exec.exit_code),
                         str("clnrm.status", std::string(to_string(step.status))),
                         real("clnrm.duration_ms", ms(step.duration)),
                         real("clnrm.step.cpu_user_ms",
                              static_cast<double>(step.exec.usage.user_cpu.count()) / 1e3),
                         real("clnrm.step.cpu_system_ms",
                              static_cast<double>(step.exec.usage.system_cpu.count()) / 1e3),
                         integer("clnrm.step.max_rss_bytes", step.exec.usage.max_rss_kb * 1024)};
        if (!step.scenario.empty())
          ss.attributes.push_back(str("clnrm.step.scenario", step.scenario));
        if (!step.service.empty()) ss.attributes.push_back(str("clnrm.step.service", step.service));
        if (!image.empty()) ss.attributes.push_back(str("clnrm.image", image));
        if (step.exec.timed_out) ss.attributes.push_back(boolean("clnrm.step.timed_out", true));
        if (step.exec.oom_killed) ss.attributes.push_back(boolean("clnrm.step.oom_killed", true));
        if (step.exec.term_signal != 0)
          ss.attributes.push_back(integer("clnrm.step.signal", step.exec.term_signal));
        set_status(ss, step.status, step.message);
        step_id = ss.span_id;
      }
      for (const auto& a : step.assertions) {
        Span& as = make("clnrm.assertion " + a.name, step_id, end, end);
        as.attributes = {str("clnrm.assertion.name", a.name),
                         boolean("clnrm.assertion.passed", a.passed)};
        if (!a.message.empty()) as.attributes.push_back(str("clnrm.assertion.message", a.message));
        set_status(as, a.passed ? Status::Passed : Status::Failed, a.message);
      }
    }
    for (const auto& a : t.assertions) {
      Span& as = make("clnrm.assertion " + a.name, test_id, test_end, test_end);
      as.attributes = {str("clnrm.assertion.name", a.name),
                       boolean("clnrm.assertion.passed", a.passed)};
      if (!a.message.empty()) as.attributes.push_back(str("clnrm.assertion.message", a.message));
      set_status(as, a.passed ? Status::Passed : Status::Failed, a.message);
    }
    cursor = std::max(test_end, child_cursor);
  }
  // The root covers every child even when the recorded run duration is short.
  for (const auto& s : spans) {
    spans.front().start_unix_nano = std::min(spans.front().start_unix_nano, s.start_unix_nano);
    spans.front().end_unix_nano = std::max(spans.front().end_unix_nano, s.end_unix_nano);
  }
  return spans;
}

}  // namespace clnrm
