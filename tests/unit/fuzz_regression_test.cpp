// Replays, with the regular (gcc) build, the fuzz targets' properties over
// every seed in fuzz/seeds/<target> and every input a fuzzer ever failed on
// (tests/unit/data/fuzz-regressions/<target>). The libFuzzer runs themselves
// need clang (`scripts/fuzz.sh`); this keeps the found bugs fixed in `make test`.
#define CLNRM_FUZZ_NO_MAIN
#include "fuzz/benchmark_json_fuzzer.cpp"
#include "fuzz/demux_fuzzer.cpp"
#include "fuzz/duration_fuzzer.cpp"
#include "fuzz/image_map_fuzzer.cpp"
#include "fuzz/parser_fuzzer.cpp"
#include "fuzz/shard_fuzzer.cpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace clnrm::fuzz {
namespace {

namespace fs = std::filesystem;
using Body = void (*)(const std::uint8_t*, std::size_t);

std::vector<fs::path> inputs_of(const std::string& target, bool include_seeds) {
  std::vector<fs::path> files;
  std::vector<fs::path> dirs{fs::path(CLNRM_SOURCE_DIR) / "tests/unit/data/fuzz-regressions" / target};
  if (include_seeds) dirs.push_back(fs::path(CLNRM_SOURCE_DIR) / "fuzz/seeds" / target);
  for (const auto& dir : dirs) {
    if (!fs::is_directory(dir)) continue;
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.is_regular_file()) files.push_back(e.path());
    }
  }
  return files;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::size_t replay(const std::vector<fs::path>& files, Body body) {
  for (const auto& f : files) {
    const std::string bytes = slurp(f);
    EXPECT_NO_THROW(body(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size())) << f;
  }
  return files.size();
}

TEST(FuzzRegression, Parser) {
  auto files = inputs_of("parser", true);
  // The parser's seeds are the repository's test files (scripts/fuzz.sh).
  for (const char* dir : {"tests/unit/data", "tests/e2e/data", "examples"}) {
    const fs::path root = fs::path(CLNRM_SOURCE_DIR) / dir;
    if (!fs::is_directory(root)) continue;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      if (e.is_regular_file() && e.path().extension() == ".toml") files.push_back(e.path());
    }
  }
  EXPECT_GT(replay(files, parser_one_input), 10u);
}
TEST(FuzzRegression, Demux) { EXPECT_GT(replay(inputs_of("demux", true), demux_one_input), 0u); }
TEST(FuzzRegression, BenchmarkJson) {
  EXPECT_GT(replay(inputs_of("benchmark_json", true), benchmark_json_one_input), 0u);
}
TEST(FuzzRegression, Duration) { EXPECT_GT(replay(inputs_of("duration", true), duration_one_input), 0u); }
TEST(FuzzRegression, ImageMap) { EXPECT_GT(replay(inputs_of("image_map", true), image_map_one_input), 0u); }
TEST(FuzzRegression, Shard) { EXPECT_GT(replay(inputs_of("shard", true), shard_one_input), 0u); }

// The property checks themselves must be able to fail, else the replay
// above proves nothing.
TEST(FuzzRegression, PropertyChecksThrowOnABrokenProperty) {
  EXPECT_THROW(FUZZ_CHECK(1 + 1 == 3), std::logic_error);
  EXPECT_NO_THROW(FUZZ_CHECK(1 + 1 == 2));
}

}  // namespace
}  // namespace clnrm::fuzz
