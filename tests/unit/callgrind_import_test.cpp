// Instruction counts from callgrind dump files.
#include <clnrm/error.h>
#include <clnrm/perf.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace clnrm::perf;

namespace {

std::string write_dump(const std::filesystem::path& dir, const std::string& file, const std::string& trigger,
                       long totals) {
  const auto path = dir / file;
  std::ofstream out(path);
  out << "# callgrind format\nversion: 1\ncreator: callgrind-3.19.0\npid: 42\ncmd: ./memory_benchmarks\npart: 1\n"
      << "\n\ndesc: I1 cache: \ndesc: Timerange: Basic block 0 - 100\n";
  if (!trigger.empty()) out << "desc: Trigger: Client Request: " << trigger << "\n";
  out << "\npositions: line\nevents: Ir\nsummary: " << totals << "\n\nfl=(1) x.cpp\nfn=(1) f\n0 " << totals
      << "\n\ntotals: " << totals << "\n";
  return path.string();
}

}  // namespace

TEST(CallgrindImport, KeepsOnlyFinalIterationCountLoopsPerIteration) {
  const auto dir = std::filesystem::temp_directory_path() / ("clnrm_cg_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::vector<std::string> files{
      write_dump(dir, "cg.1", "clnrm-bench:1:BM_Lookup/10", 1100),        // sizing run
      write_dump(dir, "cg.2", "clnrm-bench:100:BM_Lookup/10", 100'500),   // repetition 1
      write_dump(dir, "cg.3", "clnrm-bench:100:BM_Lookup/10", 100'700),   // repetition 2
      write_dump(dir, "cg.4", "", 0),                                     // final dump at exit
      write_dump(dir, "cg.5", "clnrm-bench:10:BM_Copy:with:colons", 5000),
  };
  const auto results = read_callgrind_dumps(files);
  ASSERT_EQ(results.benchmarks.size(), 2u);
  EXPECT_EQ(results.benchmarks[0].name, "BM_Lookup/10");
  EXPECT_EQ(results.benchmarks[0].values, (std::vector<double>{1005, 1007}));
  EXPECT_EQ(results.benchmarks[1].name, "BM_Copy:with:colons");
  // Round trip through the Google-Benchmark-shaped JSON.
  const auto back = parse_benchmark_json(to_benchmark_json(results, Metric::Instructions), "cg.json",
                                         Metric::Instructions);
  EXPECT_EQ(back.find("BM_Lookup/10")->values, (std::vector<double>{1005, 1007}));
  EXPECT_THROW(read_callgrind_dumps({files[3]}), clnrm::Error);
  std::filesystem::remove_all(dir);
}
