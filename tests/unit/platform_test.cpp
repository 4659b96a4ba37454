// Baselines are written with the one atomic file writer (src/base/atomic_file.cpp).
#include <clnrm/error.h>
#include <clnrm/perf.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/history_fixtures.h"

using namespace clnrm;
namespace fs = std::filesystem;

namespace {
perf::Platform linux_gcc() {
  perf::Platform p;
  p.os = "linux";
  p.arch = "x86_64";
  p.compiler = "gcc-12";
  p.build_type = "release";
  return p;
}
std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

TEST(Baseline, IsACopyOfTheResults) {
  clnrm::testing::TempDir dir;
  std::ofstream(dir.file("r.json")) << "{\"benchmarks\": []}\n";
  const std::string target = perf::save_baseline(dir.file("r.json"), dir.file("baselines"), "main", linux_gcc());
  EXPECT_EQ(target, perf::baseline_path(dir.file("baselines"), "main", linux_gcc()));
  EXPECT_EQ(read(target), "{\"benchmarks\": []}\n");
}

// save_baseline had its own copy-then-rename with a fixed "<target>.tmp"
// name, left behind when the rename failed; the shared writer uses a
// per-process temporary name and removes it on failure.
TEST(Baseline, AFailedSaveLeavesNoTemporaryFile) {
  clnrm::testing::TempDir dir;
  std::ofstream(dir.file("r.json")) << "{}";
  const std::string target = perf::baseline_path(dir.file("baselines"), "main", linux_gcc());
  fs::create_directories(fs::path(target) / "in-the-way");  // a non-empty directory: rename fails
  EXPECT_THROW(perf::save_baseline(dir.file("r.json"), dir.file("baselines"), "main", linux_gcc()), Error);
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(fs::path(target).parent_path()))
    names.push_back(e.path().filename().string());
  EXPECT_EQ(names, std::vector<std::string>{fs::path(target).filename().string()});
}
