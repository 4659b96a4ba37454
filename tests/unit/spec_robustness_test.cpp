// Fuzz-ish robustness: truncated and mutated versions of every valid corpus
// file must produce a result (valid or diagnostics), never a crash, hang or
// exception. Deterministic (fixed seed) so a failure reproduces.
#include <clnrm/parser.h>
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

namespace clnrm {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every error must carry a position inside the text or none at all, and
// format() must not throw.
void check_result(const ParseResult& r, std::string_view text) {
  std::size_t lines = 1;
  for (char c : text) lines += c == '\n';
  for (const Diagnostic& d : r.diagnostics) {
    EXPECT_FALSE(d.message.empty());
    EXPECT_LE(d.pos.line, lines + 1) << d.format();
    (void)d.format();
  }
  if (!r.ok()) {
    bool has_error = false;
    for (const Diagnostic& d : r.diagnostics)
      has_error |= d.severity == Diagnostic::Severity::Error;
    EXPECT_TRUE(has_error) << "an invalid result must say why";
  }
}

TEST(SpecRobustnessTest, TruncatedAndMutatedValidFilesNeverCrash) {
  const auto files =
      discover_test_files({std::string(CLNRM_SOURCE_DIR) + "/tests/unit/data/valid"});
  ASSERT_FALSE(files.empty());
  std::mt19937 rng(20251129);
  const std::string alphabet = "[]{}=\"',.#\n\\ {{}}%-0123456789abcxyz\x01\xff";
  std::size_t cases = 0;
  for (const std::string& file : files) {
    const std::string text = slurp(file);
    // Every prefix at a stride of 7 bytes (and each line boundary falls in range).
    for (std::size_t n = 0; n <= text.size(); n += 7) {
      const std::string cut = text.substr(0, n);
      check_result(parse_test_text(cut, file), cut);
      ++cases;
    }
    for (int round = 0; round < 300; ++round) {
      std::string m = text;
      const int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits && !m.empty(); ++e) {
        const std::size_t at = rng() % m.size();
        switch (rng() % 4) {
          case 0:
            m[at] = alphabet[rng() % alphabet.size()];
            break;  // replace
          case 1:
            m.erase(at, 1 + rng() % 8);
            break;  // delete
          case 2:
            m.insert(at, 1, alphabet[rng() % alphabet.size()]);
            break;  // insert
          case 3:
            m.insert(at, m.substr(rng() % m.size(), 1 + rng() % 40));
            break;  // duplicate a span
        }
      }
      check_result(parse_test_text(m, file), m);
      ++cases;
    }
  }
  EXPECT_GT(cases, 3000u);
}

TEST(SpecRobustnessTest, PathologicalInputs) {
  for (const std::string& text :
       {std::string(), std::string("\0\0\0", 3), std::string(100000, '['), std::string(100000, '{'),
        std::string("a = ") + std::string(5000, '['),
        std::string("x = \"") + std::string(100000, 'a'),
        std::string("[test.metadata]\nname = \"{{{{{{{{}}}}}}}}\"\n"),
        std::string("\xEF\xBB\xBF[test]\nname=\"bom\"\n"),
        std::string("[[steps]]\n") + std::string(2000, '\n') + "name = 1\n"}) {
    ParseResult r = parse_test_text(text, "p.clnrm.toml");
    check_result(r, text);
  }
}

}  // namespace
}  // namespace clnrm
