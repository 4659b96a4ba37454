#include <clnrm/determinism.h>
#include <clnrm/error.h>
#include <clnrm/sha256.h>
#include <fmt/format.h>
#include <re2/re2.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "base/atomic_file.h"
#include "base/rfc3339.h"
#include "base/utc_time.h"

namespace clnrm {

// ---------------------------------------------------------------- environment

std::vector<std::string> libfaketime_search_paths() {
  std::vector<std::string> paths;
  if (const char* env = std::getenv("CLNRM_LIBFAKETIME"); env != nullptr && *env != '\0')
    paths.emplace_back(env);
  // Debian/Ubuntu multiarch (package `faketime`), then Fedora/Arch/Alpine layouts.
  for (const char* p :
       {"/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
        "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
        "/usr/lib64/faketime/libfaketime.so.1", "/usr/lib/faketime/libfaketime.so.1",
        "/usr/local/lib/faketime/libfaketime.so.1"}) {
    paths.emplace_back(p);
  }
  return paths;
}

std::optional<std::string> find_libfaketime() {
  for (const auto& p : libfaketime_search_paths()) {
    if (::access(p.c_str(), R_OK) == 0) return p;
  }
  return std::nullopt;
}

std::int64_t parse_freeze_clock(std::string_view text) {
  // The same rule as the parser's check (src/base/rfc3339.cpp), so a value
  // `clnrm validate` accepts is exactly what a run can use.
  const auto instant = parse_rfc3339(text);
  if (!instant)
    throw Error(ErrorKind::Config,
                fmt::format("freeze_clock \"{}\" is not an RFC 3339 timestamp: {}; e.g. \"2025-01-01T00:00:00Z\"",
                            text, instant.error()),
                "[determinism] freeze_clock");
  return *instant;
}

std::string faketime_start_at(std::int64_t epoch_seconds) {
  return format_utc(epoch_seconds * 1'000'000'000, UtcStyle::Faketime);
}

EnvList determinism_environment(const DeterminismSpec& spec, const DeterminismEnvOptions& options) {
  EnvList env;
  const std::optional<std::uint64_t> seed = options.cli_seed ? options.cli_seed : spec.seed;
  if (seed) {
    env.emplace_back("CLNRM_SEED", std::to_string(*seed));
    // Python randomises str hashes per process unless told otherwise (0..4294967295).
    env.emplace_back("PYTHONHASHSEED", std::to_string(*seed % 4294967296ull));
  }
  env.emplace_back("TZ", "UTC");
  env.emplace_back("LC_ALL", "C.UTF-8");
  env.emplace_back("LANG", "C.UTF-8");
  if (spec.freeze_clock) {
    const std::int64_t epoch = parse_freeze_clock(*spec.freeze_clock);
    std::optional<std::string> lib = options.libfaketime_path;
    if (lib && ::access(lib->c_str(), R_OK) != 0) lib.reset();
    if (!options.libfaketime_path && !lib) lib = find_libfaketime();
    if (!lib) {
      std::vector<std::string> searched = options.libfaketime_path
                                              ? std::vector<std::string>{*options.libfaketime_path}
                                              : libfaketime_search_paths();
      throw Error(
          ErrorKind::NotSupported,
          fmt::format(
              "freeze_clock needs libfaketime, which is not installed (looked for {}); install it "
              "with `apt-get install faketime` or set CLNRM_LIBFAKETIME to its path",
              fmt::join(searched, ", ")),
          "[determinism] freeze_clock");
    }
    env.emplace_back("LD_PRELOAD", *lib);
    // 'start at' (leading @) rather than an absolute, stopped clock: every new
    // process starts at the same instant (deterministic), yet time still moves
    // so sleeps and polling loops in the step do not hang.
    env.emplace_back("FAKETIME", faketime_start_at(epoch));
    // Monotonic time stays real: step timeouts and readiness polls inside
    // the cleanroom must measure real elapsed time.
    env.emplace_back("FAKETIME_DONT_FAKE_MONOTONIC", "1");
    // Build tools (reproducible-builds.org) take "now" from here.
    env.emplace_back("SOURCE_DATE_EPOCH", std::to_string(epoch));
  }
  std::sort(env.begin(), env.end());
  return env;
}

// ---------------------------------------------------------------- normalising

OutputNormalizer::OutputNormalizer() = default;
OutputNormalizer::~OutputNormalizer() = default;
OutputNormalizer::OutputNormalizer(OutputNormalizer&&) noexcept = default;
OutputNormalizer& OutputNormalizer::operator=(OutputNormalizer&&) noexcept = default;

OutputNormalizer::OutputNormalizer(const std::vector<std::string>& mask_patterns) {
  for (const auto& p : mask_patterns) {
    RE2::Options opts;
    opts.set_log_errors(false);
    auto re = std::make_unique<RE2>(p, opts);
    if (!re->ok()) {
      throw Error(ErrorKind::Config,
                  fmt::format("output mask \"{}\" is not a valid RE2 pattern: {}", p, re->error()),
                  "determinism mask");
    }
    masks_.push_back(std::move(re));
  }
}

std::string OutputNormalizer::normalize(std::string_view text) const {
  std::string s;
  s.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    s.push_back(text[i]);
  }
  for (const auto& re : masks_) RE2::GlobalReplace(&s, *re, "<masked>");

  std::string out;
  out.reserve(s.size());
  std::size_t start = 0;
  while (start < s.size()) {
    std::size_t end = s.find('\n', start);
    const bool has_newline = end != std::string::npos;
    if (!has_newline) end = s.size();
    std::size_t last = end;
    while (last > start && (s[last - 1] == ' ' || s[last - 1] == '\t' || s[last - 1] == '\r' ||
                            s[last - 1] == '\v' || s[last - 1] == '\f')) {
      --last;
    }
    out.append(s, start, last - start);
    out.push_back('\n');
    start = end + 1;
  }
  while (out.size() >= 2 && out[out.size() - 1] == '\n' && out[out.size() - 2] == '\n')
    out.pop_back();
  if (out == "\n") out.clear();
  return out;
}

// ---------------------------------------------------------------- digests

TestDigest digest_test(const TestResult& test, const OutputNormalizer& normalizer,
                       int repeat_index) {
  TestDigest d;
  d.test = test.name;
  d.file = test.file;
  d.repeat = repeat_index;
  Sha256 whole;
  for (const auto& step : test.steps) {
    StepDigest s;
    s.step = step.name;
    s.scenario = step.scenario;
    s.exit_code = step.exec.exit_code;
    s.stdout_text = normalizer.normalize(step.exec.stdout_data);
    s.stderr_text = normalizer.normalize(step.exec.stderr_data);
    s.stdout_sha256 = sha256_hex(s.stdout_text);
    s.stderr_sha256 = sha256_hex(s.stderr_text);
    whole.update(fmt::format("{}\x1f{}\x1f{}\x1f{}\x1f{}\n", s.scenario, s.step, s.exit_code,
                             s.stdout_sha256, s.stderr_sha256));
    d.steps.push_back(std::move(s));
  }
  d.sha256 = Sha256::to_hex(whole.finish());
  return d;
}

namespace {

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// Locates the first differing line of two normalised texts with different digests.
void first_difference(std::string_view a, std::string_view b, StepDifference& diff) {
  const auto la = split_lines(a);
  const auto lb = split_lines(b);
  const std::size_t n = std::max(la.size(), lb.size());
  for (std::size_t i = 0; i < n; ++i) {
    const bool a_has = i < la.size();
    const bool b_has = i < lb.size();
    if (a_has && b_has && la[i] == lb[i]) continue;
    diff.line = i + 1;
    diff.a_ended = !a_has;
    diff.b_ended = !b_has;
    if (a_has) diff.text_a = std::string(la[i]);
    if (b_has) diff.text_b = std::string(lb[i]);
    return;
  }
  diff.line = n + 1;  // unreachable when the digests differ; kept well-defined
}

}  // namespace

std::string StepDifference::describe() const {
  const std::string where = scenario.empty()
                                ? fmt::format("step '{}'", step)
                                : fmt::format("step '{}' (scenario '{}')", step, scenario);
  if (stream == "steps")
    return fmt::format("repeat {} ran different steps than repeat {}: {}", repeat_b + 1,
                       repeat_a + 1, text_b);
  if (stream == "exit_code") {
    return fmt::format("{}: exit code {} in repeat {} but {} in repeat {}", where, text_a,
                       repeat_a + 1, text_b, repeat_b + 1);
  }
  auto show = [](const std::string& t, bool ended) {
    return ended ? std::string("<no such line>") : fmt::format("\"{}\"", t);
  };
  return fmt::format("{}: {} differs at line {}: repeat {} has {}, repeat {} has {}", where, stream,
                     line, repeat_a + 1, show(text_a, a_ended), repeat_b + 1,
                     show(text_b, b_ended));
}

DeterminismReport compare_repeats(const std::vector<TestDigest>& repeats) {
  DeterminismReport report;
  report.repeats = static_cast<int>(repeats.size());
  if (repeats.empty()) return report;
  const TestDigest& ref = repeats.front();
  report.test = ref.test;
  report.file = ref.file;
  for (std::size_t r = 1; r < repeats.size(); ++r) {
    const TestDigest& other = repeats[r];
    if (other.sha256 == ref.sha256) continue;
    const std::size_t common = std::min(ref.steps.size(), other.steps.size());
    for (std::size_t i = 0; i < common; ++i) {
      const StepDigest& a = ref.steps[i];
      const StepDigest& b = other.steps[i];
      auto base = [&] {
        StepDifference d;
        d.step = a.step;
        d.scenario = a.scenario;
        d.step_index = i;
        d.repeat_a = ref.repeat;
        d.repeat_b = other.repeat;
        return d;
      };
      if (a.step != b.step || a.scenario != b.scenario) {
        StepDifference d = base();
        d.stream = "steps";
        d.text_a = a.step;
        d.text_b = fmt::format("step {} is '{}' instead of '{}'", i + 1, b.step, a.step);
        report.differences.push_back(std::move(d));
        break;
      }
      if (a.exit_code != b.exit_code) {
        StepDifference d = base();
        d.stream = "exit_code";
        d.text_a = std::to_string(a.exit_code);
        d.text_b = std::to_string(b.exit_code);
        report.differences.push_back(std::move(d));
      }
      if (a.stdout_sha256 != b.stdout_sha256) {
        StepDifference d = base();
        d.stream = "stdout";
        first_difference(a.stdout_text, b.stdout_text, d);
        report.differences.push_back(std::move(d));
      }
      if (a.stderr_sha256 != b.stderr_sha256) {
        StepDifference d = base();
        d.stream = "stderr";
        first_difference(a.stderr_text, b.stderr_text, d);
        report.differences.push_back(std::move(d));
      }
    }
    if (ref.steps.size() != other.steps.size()) {
      StepDifference d;
      d.stream = "steps";
      d.repeat_a = ref.repeat;
      d.repeat_b = other.repeat;
      d.step_index = common;
      d.text_a = std::to_string(ref.steps.size());
      d.text_b = fmt::format("{} steps instead of {}", other.steps.size(), ref.steps.size());
      report.differences.push_back(std::move(d));
    }
  }
  report.deterministic = report.differences.empty();
  return report;
}

// ---------------------------------------------------------------- JSON

nlohmann::json to_json(const TestDigest& digest) {
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& s : digest.steps) {
    steps.push_back({{"step", s.step},
                     {"scenario", s.scenario},
                     {"exit_code", s.exit_code},
                     {"stdout_sha256", s.stdout_sha256},
                     {"stderr_sha256", s.stderr_sha256}});
  }
  return {{"test", digest.test},
          {"file", digest.file},
          {"repeat", digest.repeat},
          {"sha256", digest.sha256},
          {"steps", std::move(steps)}};
}

nlohmann::json to_json(const DeterminismReport& report) {
  nlohmann::json diffs = nlohmann::json::array();
  for (const auto& d : report.differences) {
    nlohmann::json j = {
        {"step", d.step},         {"scenario", d.scenario}, {"step_index", d.step_index},
        {"repeat_a", d.repeat_a}, {"repeat_b", d.repeat_b}, {"stream", d.stream},
        {"message", d.describe()}};
    if (d.stream == "stdout" || d.stream == "stderr") {
      j["line"] = d.line;
      j["text_a"] = d.a_ended ? nlohmann::json(nullptr) : nlohmann::json(d.text_a);
      j["text_b"] = d.b_ended ? nlohmann::json(nullptr) : nlohmann::json(d.text_b);
    } else {
      j["text_a"] = d.text_a;
      j["text_b"] = d.text_b;
    }
    diffs.push_back(std::move(j));
  }
  return {{"test", report.test},
          {"file", report.file},
          {"repeats", report.repeats},
          {"deterministic", report.deterministic},
          {"differences", std::move(diffs)}};
}

nlohmann::json digests_to_json(const std::vector<TestDigest>& digests,
                               const std::vector<DeterminismReport>& reports) {
  nlohmann::json tests = nlohmann::json::array();
  for (const auto& d : digests) tests.push_back(to_json(d));
  nlohmann::json det = nlohmann::json::array();
  for (const auto& r : reports) det.push_back(to_json(r));
  return {
      {"format", "clnrm-digests/1"}, {"tests", std::move(tests)}, {"determinism", std::move(det)}};
}

std::string digest_file_text(const std::vector<TestDigest>& digests,
                             const std::vector<DeterminismReport>& reports) {
  // Invalid UTF-8 in output is replaced rather than aborting the report.
  return digests_to_json(digests, reports)
             .dump(2, ' ', false, nlohmann::json::error_handler_t::replace) +
         "\n";
}

void write_digest_file(const std::string& path, const std::vector<TestDigest>& digests,
                       const std::vector<DeterminismReport>& reports) {
  write_file_atomically(path, digest_file_text(digests, reports));
}

}  // namespace clnrm

namespace clnrm {

struct DeterminismCollector::State {
  OutputNormalizer normalizer;
  mutable std::mutex mu;
  std::vector<std::pair<std::string, std::string>> order;  // (file, test) first-seen order
  std::map<std::pair<std::string, std::string>, std::vector<TestDigest>> by_test;
};

DeterminismCollector::DeterminismCollector(OutputNormalizer normalizer)
    : state_(std::make_unique<State>()) {
  state_->normalizer = std::move(normalizer);
}
DeterminismCollector::~DeterminismCollector() = default;

void DeterminismCollector::add(const TestResult& result, int repeat_index) {
  // Hash outside the lock: digests of big outputs are the expensive part.
  TestDigest digest = digest_test(result, state_->normalizer, repeat_index);
  std::lock_guard lock(state_->mu);
  auto key = std::make_pair(result.file, result.name);
  auto& list = state_->by_test[key];
  if (list.empty()) state_->order.push_back(key);
  list.push_back(std::move(digest));
}

std::vector<TestDigest> DeterminismCollector::digests() const {
  std::lock_guard lock(state_->mu);
  std::vector<TestDigest> out;
  for (const auto& key : state_->order) {
    auto list = state_->by_test.at(key);
    std::stable_sort(list.begin(), list.end(),
                     [](const TestDigest& a, const TestDigest& b) { return a.repeat < b.repeat; });
    for (auto& d : list) out.push_back(std::move(d));
  }
  return out;
}

std::vector<DeterminismReport> DeterminismCollector::reports() const {
  std::lock_guard lock(state_->mu);
  std::vector<DeterminismReport> out;
  for (const auto& key : state_->order) {
    auto list = state_->by_test.at(key);
    std::stable_sort(list.begin(), list.end(),
                     [](const TestDigest& a, const TestDigest& b) { return a.repeat < b.repeat; });
    out.push_back(compare_repeats(list));
  }
  return out;
}

bool DeterminismCollector::all_deterministic() const {
  for (const auto& r : reports()) {
    if (!r.deterministic) return false;
  }
  return true;
}

void DeterminismCollector::write(const std::string& path) const {
  write_digest_file(path, digests(), reports());
}

}  // namespace clnrm
