// The bench-history page rendered by a real browser (headless Chromium): the
// DOM it builds from our file still holds every trend line and change-point
// marker (no markup the parser had to drop), and it paints a screenshot.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace {

int run(const std::string& cmd, std::string* out = nullptr) {
  FILE* pipe = ::popen((cmd + " 2>/dev/null").c_str(), "r");
  if (!pipe) return -1;
  std::string text;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, pipe)) text.append(buf, n);
  const int status = ::pclose(pipe);
  if (out) *out = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + 1)) ++n;
  return n;
}

void write_results(const fs::path& file, double a, double b) {
  nlohmann::json doc;
  for (int i = 0; i < 10; ++i) {
    doc["benchmarks"].push_back({{"name", "BM_A"}, {"run_type", "iteration"}, {"real_time", a * (1 + 0.001 * i)},
                                 {"cpu_time", a}, {"time_unit", "ns"}});
    doc["benchmarks"].push_back({{"name", "BM_B"}, {"run_type", "iteration"}, {"real_time", b * (1 + 0.001 * i)},
                                 {"cpu_time", b}, {"time_unit", "ns"}});
  }
  std::ofstream(file) << doc.dump();
}

}  // namespace

TEST(BenchReportBrowser, ChromiumRendersTheHistoryPage) {
  const fs::path dir = fs::temp_directory_path() / ("clnrm_report_browser_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string clnrm = CLNRM_BINARY;
  const double a[] = {100, 100, 250, 250}, b[] = {50, 50, 50, 50};
  for (int i = 0; i < 4; ++i) {
    const auto file = dir / ("r" + std::to_string(i) + ".json");
    write_results(file, a[i], b[i]);
    ASSERT_EQ(run("'" + clnrm + "' bench record '" + file.string() + "' --db '" + (dir / "h.db").string() +
                  "' --commit c" + std::to_string(i)),
              0);
  }
  const auto html = dir / "report.html";
  ASSERT_EQ(run("'" + clnrm + "' bench report --db '" + (dir / "h.db").string() + "' --html '" + html.string() + "'"), 0);
  std::stringstream file_text;
  file_text << std::ifstream(html).rdbuf();

  const std::string chromium = "chromium --headless --no-sandbox --disable-gpu --user-data-dir='" +
                               (dir / "profile").string() + "' ";
  std::string dom;
  ASSERT_EQ(run("cd '" + dir.string() + "' && timeout 120 " + chromium + "--dump-dom 'file://" + html.string() + "'", &dom), 0)
      << "chromium failed (scripts/setup-deps.sh installs it)";
  EXPECT_EQ(count(dom, "<polyline"), 2u);                 // one trend per benchmark
  EXPECT_EQ(count(dom, "<polyline"), count(file_text.str(), "<polyline"));
  EXPECT_EQ(count(dom, "class=\"change\""), 1u);          // BM_A at c2
  EXPECT_NE(dom.find("Latest comparison"), std::string::npos);

  const auto png = dir / "shot.png";
  ASSERT_EQ(run("cd '" + dir.string() + "' && timeout 120 " + chromium + "--window-size=900,1600 --screenshot='" +
                png.string() + "' 'file://" + html.string() + "'"),
            0);
  std::ifstream shot(png, std::ios::binary);
  char header[8] = {};
  shot.read(header, 8);
  EXPECT_EQ(std::string(header + 1, 3), "PNG");
  EXPECT_GT(fs::file_size(png), 10'000u);  // a painted page, not an empty canvas
  fs::remove_all(dir);
}
