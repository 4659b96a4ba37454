// The HTML report rendered by headless Chromium (Debian `chromium`, from
// scripts/setup-deps.sh): it must paint a real page with no console errors.
// Set CLNRM_KEEP_REPORT=DIR to keep report.html and report.png for a look.
#include <clnrm/html_report.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "support/history_fixtures.h"
#include "support/run_command.h"
#include "support/sample_run.h"

using namespace clnrm;
using clnrm::testing::run_command;
using clnrm::testing::TempDir;

namespace {

// Decodes a PNG with python3's zlib (no imaging library needed) and prints
// "WIDTH HEIGHT DISTINCT_PIXELS".
constexpr const char* kPngStats = R"py(
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
pos, idat, w = 8, b'', 0
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
        assert depth == 8 and ctype in (2, 6), 'unexpected PNG format'
        bpp = 3 if ctype == 2 else 4
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
stride = w * bpp
prev = bytearray(stride)
colors = set()
for y in range(h):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    if y % 4 == 0:
        for x in range(0, stride, bpp * 2):
            colors.add(bytes(line[x:x + 3]))
    prev = line
print(w, h, len(colors))
)py";

bool have(const std::string& program) {
  return run_command("command -v " + program + " >/dev/null 2>&1").exit_code == 0;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST(HtmlReportRender, ChromiumPaintsThePageWithoutConsoleErrors) {
  // A missing browser is a broken test machine, not a pass.
  ASSERT_TRUE(have("chromium")) << "install it: scripts/setup-deps.sh (Debian package chromium)";
  ASSERT_TRUE(have("python3")) << "install it: scripts/setup-deps.sh";
  TempDir dir;
  const auto html = dir.file("report.html");
  const auto png = dir.file("report.png");
  const auto trends = clnrm::testing::sample_trends();
  report::write_html_report(clnrm::testing::sample_run(), trends, html);

  const std::string cmd =
      "cd " + dir.path() +
      " && timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
      " --disable-background-networking --disable-component-update --disable-sync"
      " --user-data-dir=" +
      dir.file("profile") + " --enable-logging=stderr --v=0 --screenshot=" + png +
      " --window-size=1280,2000 file://" + html + " >" + dir.file("chromium.log") + " 2>&1";
  const auto r = run_command(cmd);
  const auto log = read_file(dir.file("chromium.log"));
  ASSERT_EQ(r.exit_code, 0) << log;
  EXPECT_EQ(log.find("Uncaught"), std::string::npos) << log;
  EXPECT_EQ(log.find("ERROR:CONSOLE"), std::string::npos) << log;
  ASSERT_TRUE(std::filesystem::exists(png)) << log;
  EXPECT_GT(std::filesystem::file_size(png), 20000u) << "a blank 1280x2000 PNG is a few KB";

  { std::ofstream(dir.file("png_stats.py")) << kPngStats; }
  const auto stats = run_command("python3 " + dir.file("png_stats.py") + " " + png + " 2>&1");
  ASSERT_EQ(stats.exit_code, 0) << stats.out;
  std::istringstream in(stats.out);
  int width = 0, height = 0, colors = 0;
  in >> width >> height >> colors;
  EXPECT_EQ(width, 1280);
  EXPECT_EQ(height, 2000);
  EXPECT_GT(colors, 50) << "the page did not render: only " << colors << " distinct colours";

  if (const char* keep = std::getenv("CLNRM_KEEP_REPORT")) {
    std::filesystem::copy_file(html, std::string(keep) + "/report.html",
                               std::filesystem::copy_options::overwrite_existing);
    std::filesystem::copy_file(png, std::string(keep) + "/report.png",
                               std::filesystem::copy_options::overwrite_existing);
  }
}
