#pragma once
// Determinism: the fixed environment a `[determinism]` test's steps run in,
// output normalisation, per-step digests and the comparison of repeated runs
// of one test (`clnrm run --repeat N --check-determinism`).
//
// The runner calls:
//   determinism_environment(spec.determinism, cli_seed)  -> EnvList for every step
//   digest_test(test_result, normalizer, repeat_index)    -> after each repeat
//   compare_repeats(digests_of_that_test)                 -> after the last repeat
//   digests_to_json(...) / write_digest_file(path, ...)   -> JSON report, [report] digest

#include <clnrm/result.h>
#include <clnrm/spec.h>

#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace clnrm {

// Where libfaketime is looked for, in order. CLNRM_LIBFAKETIME (a path) wins.
std::vector<std::string> libfaketime_search_paths();
// The first existing libfaketime.so.1, or nullopt.
std::optional<std::string> find_libfaketime();

// "2025-01-01T00:00:00Z" / "2025-01-01T02:00:00+02:00" / "2025-01-01 00:00:00Z"
// -> seconds since the epoch (UTC); the rule is the parser's (a zone is
// required). Throws Error(Config) naming the text.
std::int64_t parse_freeze_clock(std::string_view text);
// Seconds since the epoch -> libfaketime's 'start at' form "@YYYY-MM-DD hh:mm:ss" (UTC).
std::string faketime_start_at(std::int64_t epoch_seconds);

struct DeterminismEnvOptions {
  std::optional<std::uint64_t> cli_seed;        // --seed; overrides [determinism] seed
  std::optional<std::string> libfaketime_path;  // overrides the search (tests, odd layouts)
};

// Environment additions for every step (and service) of a test with a
// [determinism] table: CLNRM_SEED (+ PYTHONHASHSEED), TZ=UTC, LC_ALL/LANG=C.UTF-8,
// and, with freeze_clock, LD_PRELOAD=<libfaketime> FAKETIME="@<date>"
// FAKETIME_DONT_FAKE_MONOTONIC=1 SOURCE_DATE_EPOCH=<epoch>. Sorted by key.
// Throws Error(NotSupported) when freeze_clock is set and libfaketime is
// missing (the message says which paths were searched and how to install it).
// LD_PRELOAD names a host path: it works for the sandbox backend and for
// containers only when that path exists in the image.
EnvList determinism_environment(const DeterminismSpec& spec,
                                const DeterminismEnvOptions& options = {});

// Normalises captured output before hashing: CRLF -> LF, user masks (RE2,
// each match replaced by "<masked>"), trailing whitespace stripped from every
// line, trailing empty lines dropped.
class OutputNormalizer {
 public:
  OutputNormalizer();
  // Throws Error(Config) naming the pattern when one does not compile.
  explicit OutputNormalizer(const std::vector<std::string>& mask_patterns);
  ~OutputNormalizer();
  OutputNormalizer(OutputNormalizer&&) noexcept;
  OutputNormalizer& operator=(OutputNormalizer&&) noexcept;

  std::string normalize(std::string_view text) const;

 private:
  std::vector<std::unique_ptr<re2::RE2>> masks_;
};

struct StepDigest {
  std::string step;      // step name
  std::string scenario;  // empty for top-level steps
  int exit_code = -1;
  std::string stdout_sha256;  // of the normalised text
  std::string stderr_sha256;
  std::string stdout_text;  // normalised text, kept to locate the first differing line
  std::string stderr_text;
};

struct TestDigest {
  std::string test;
  std::string file;
  int repeat = 0;  // 0-based index of the repeat
  std::vector<StepDigest> steps;
  std::string sha256;  // over every step's exit code and stream digests, in order
};

TestDigest digest_test(const TestResult& test, const OutputNormalizer& normalizer,
                       int repeat_index = 0);

struct StepDifference {
  std::string step;
  std::string scenario;
  std::size_t step_index = 0;
  int repeat_a = 0;      // the reference repeat (the first one)
  int repeat_b = 0;      // the repeat that differs
  std::string stream;    // "stdout", "stderr", "exit_code" or "steps" (different step lists)
  std::size_t line = 0;  // 1-based first differing line (0 for exit_code / steps)
  std::string text_a;    // that line in repeat_a ("" past its end)
  std::string text_b;
  bool a_ended = false;  // repeat_a had no such line
  bool b_ended = false;
  std::string describe() const;  // one line for the console
};

struct DeterminismReport {
  std::string test;
  std::string file;
  int repeats = 0;
  bool deterministic = true;
  std::vector<StepDifference> differences;  // at most one per (step, stream, repeat)
};

// Compares every repeat against the first. `repeats` are digests of the same test.
DeterminismReport compare_repeats(const std::vector<TestDigest>& repeats);

// Collects the results of `--repeat N` as they finish (thread-safe: tests run
// in parallel) and compares the repeats of each test. The runner's one call
// per finished test is add(); after the run, reports() / write().
class DeterminismCollector {
 public:
  explicit DeterminismCollector(OutputNormalizer normalizer = OutputNormalizer());
  ~DeterminismCollector();
  void add(const TestResult& result, int repeat_index);
  // In the order tests were added; repeats of one test sorted by repeat index.
  std::vector<TestDigest> digests() const;
  // One report per test (file + name), comparing its repeats.
  std::vector<DeterminismReport> reports() const;
  bool all_deterministic() const;
  // write_digest_file(path, digests(), reports()).
  void write(const std::string& path) const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// {"test","file","repeat","sha256","steps":[{"step","scenario","exit_code","stdout_sha256","stderr_sha256"}]}
nlohmann::json to_json(const TestDigest& digest);
// {"test","file","repeats","deterministic","differences":[{...}]}
nlohmann::json to_json(const DeterminismReport& report);
// {"format":"clnrm-digests/1","tests":[TestDigest...],"determinism":[DeterminismReport...]}
nlohmann::json digests_to_json(const std::vector<TestDigest>& digests,
                               const std::vector<DeterminismReport>& reports = {});
// digests_to_json(...) as the digest file's text (pretty; bad UTF-8 replaced).
std::string digest_file_text(const std::vector<TestDigest>& digests,
                             const std::vector<DeterminismReport>& reports = {});
// Writes digest_file_text(...) to `path` (atomically via rename). Throws Error(Io).
void write_digest_file(const std::string& path, const std::vector<TestDigest>& digests,
                       const std::vector<DeterminismReport>& reports = {});

}  // namespace clnrm
