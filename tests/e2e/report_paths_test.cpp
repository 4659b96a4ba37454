// `clnrm run` with [report] paths in an untrusted test file: nothing is
// written outside --output-dir, and no symbolic link inside it redirects a
// write (src/spec/settings_reader.cpp, src/base/atomic_file.cpp).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "e2e/run_process.h"

using namespace run_e2e;
namespace fs = std::filesystem;

namespace {

// A test file in `dir` whose [report] section is `report`; returns its path.
std::string test_file(const TempDir& dir, const std::string& report) {
  const std::string path = dir.file("reports.clnrm.toml");
  std::ofstream(path) << "[test.metadata]\nname = \"reports\"\n\n[[steps]]\nname = \"ok\"\n"
                         "command = [\"true\"]\n\n[report]\n"
                      << report << "\n";
  return path;
}

Outcome run_with_output_dir(const std::string& out_dir, const std::string& file) {
  return run_clnrm({"run", "--no-history", "--output-dir", out_dir, file});
}

}  // namespace

TEST(ReportPaths, AbsolutePathIsAConfigErrorAndNothingIsWritten) {
  TempDir dir;
  const std::string target = dir.file("elsewhere/x.json");
  const std::string file = test_file(dir, "json = \"" + target + "\"");
  const Outcome r = run_with_output_dir(dir.file("out"), file);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(file + ":9:8: error: [report] json = \"" + target + "\" is absolute"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("nothing was run"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(target));
  EXPECT_FALSE(fs::exists(dir.file("elsewhere")));
}

TEST(ReportPaths, DotDotIsAConfigErrorAndNothingIsWritten) {
  TempDir dir;
  const std::string file = test_file(dir, "junit = \"../x.xml\"\ndigest = \"a/../../d.json\"");
  const Outcome r = run_with_output_dir(dir.file("out"), file);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(file + ":9:9: error: [report] junit = \"../x.xml\" has a '..' component"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(file + ":10:10: error: [report] digest"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir.file("x.xml")));
  EXPECT_FALSE(fs::exists(dir.file("d.json")));
  // `clnrm validate` reports the same, as an invalid file.
  const Outcome v = run_clnrm({"validate", file});
  EXPECT_EQ(v.exit_code, 1) << v.out << v.err;
  EXPECT_NE((v.out + v.err).find(file + ":9:9: error: [report] junit"), std::string::npos)
      << v.out << v.err;
}

TEST(ReportPaths, RelativePathsAreWrittenUnderTheOutputDirectory) {
  TempDir dir;
  const std::string file = test_file(dir, "json = \"reports/r.json\"\njunit = \"r.xml\"");
  const Outcome r = run_with_output_dir(dir.file("out"), file);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto j = nlohmann::json::parse(read_file(dir.file("out/reports/r.json")));
  EXPECT_EQ(j["tests"][0]["name"], "reports");
  EXPECT_NE(read_file(dir.file("out/r.xml")).find("<testcase name=\"reports\""), std::string::npos);
}

TEST(ReportPaths, ASymlinkInsideTheOutputDirectoryIsNotFollowed) {
  TempDir dir;
  fs::create_directories(dir.file("out"));
  fs::create_directories(dir.file("outside"));
  fs::create_directory_symlink(dir.file("outside"), dir.file("out/link"));
  const std::string file = test_file(dir, "json = \"link/x.json\"");
  const Outcome r = run_with_output_dir(dir.file("out"), file);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("'link' is a symbolic link"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::is_empty(dir.file("outside")));
}

TEST(ReportPaths, ASymlinkInPlaceOfTheReportIsNotWrittenThrough) {
  TempDir dir;
  fs::create_directories(dir.file("out"));
  std::ofstream(dir.file("victim")) << "keep";
  fs::create_symlink(dir.file("victim"), dir.file("out/x.json"));
  const std::string file = test_file(dir, "json = \"x.json\"");
  const Outcome r = run_with_output_dir(dir.file("out"), file);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("'x.json' is a symbolic link"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(dir.file("victim")), "keep");
}

TEST(ReportPaths, CommandLinePathsGoWhereTheyAreTold) {
  // --json is the user's: an absolute path outside --output-dir is fine.
  TempDir dir;
  const std::string file = test_file(dir, "");
  const Outcome r = run_clnrm({"run", "--no-history", "--output-dir", dir.file("out"), "--json",
                               dir.file("elsewhere/run.json"), file});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(fs::exists(dir.file("elsewhere/run.json")));
}
