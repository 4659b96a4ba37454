// `clnrm validate` and `clnrm run` on 100,000-deep documents: a clear error
// with file:line:col and the limit, never a crash (exit >= 128)
// (src/spec/toml_limits.cpp).
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "e2e/run_process.h"

using namespace run_e2e;

namespace {

std::string repeat(const std::string& unit, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += unit;
  return out;
}

struct DeepCase {
  const char* what;
  std::string text;
  std::string error;  // ":line:col: error: ..." after the file name
};

std::vector<DeepCase> deep_cases() {
  constexpr int n = 100'000;
  const std::string segments = "error: this key has more than 128 dotted segments";
  const std::string nesting = "error: arrays and inline tables nest more than 64 levels deep";
  return {
      {"table header", "[a" + repeat(".a", n) + "]\n", ":1:2: " + segments},
      {"array of tables header", "[[a" + repeat(".a", n) + "]]\n", ":1:3: " + segments},
      {"dotted key", "a" + repeat(".a", n) + " = 1\n", ":1:1: " + segments},
      {"arrays", "x = " + repeat("[", n) + repeat("]", n) + "\n", ":1:69: " + nesting},
      {"inline tables", "x = " + repeat("{a=", n) + "1" + repeat("}", n) + "\n",
       ":1:197: " + nesting},
  };
}

}  // namespace

TEST(ParserLimits, ValidateAndRunRefuseDeepDocumentsWithoutCrashing) {
  TempDir dir;
  for (const DeepCase& c : deep_cases()) {
    const std::string file = dir.file("deep.clnrm.toml");
    std::ofstream(file) << c.text;
    const Outcome v = run_clnrm({"validate", file}, std::chrono::seconds(60));
    EXPECT_EQ(v.exit_code, 1) << c.what << ": " << v.err.substr(0, 400);  // 1: invalid file
    EXPECT_NE(v.out.find(file + c.error), std::string::npos)
        << c.what << ": " << v.out.substr(0, 400);
    const Outcome r = run_clnrm({"run", "--no-history", file}, std::chrono::seconds(60));
    EXPECT_EQ(r.exit_code, 2) << c.what << ": " << r.err.substr(0, 400);
    EXPECT_NE(r.err.find(file + c.error), std::string::npos)
        << c.what << ": " << r.err.substr(0, 400);
  }
}
