#include <clnrm/error.h>
#include <clnrm/parser.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace clnrm {
namespace {

namespace fs = std::filesystem;

TEST(DiscoveryTest, RecursiveSortedOnlyTestFiles) {
  const fs::path root = fs::temp_directory_path() / ("clnrm-disc-" + std::to_string(::getpid()));
  struct Cleanup {
    fs::path p;
    ~Cleanup() { fs::remove_all(p); }
  } cleanup{root};
  fs::create_directories(root / "b" / "c");
  for (const char* f : {"z.clnrm.toml", "b/a.clnrm.toml", "b/c/d.clnrm.toml", "notes.toml",
                        "b/x.clnrm.toml.bak", ".clnrm.toml"})
    std::ofstream(root / f) << "";
  const auto files = discover_test_files({root.string()});
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0], (root / "b/a.clnrm.toml").string());
  EXPECT_EQ(files[1], (root / "b/c/d.clnrm.toml").string());
  EXPECT_EQ(files[2], (root / "z.clnrm.toml").string());
  // A file named explicitly counts whatever its name; duplicates collapse.
  const auto explicit_files =
      discover_test_files({(root / "notes.toml").string(), root.string() + "/z.clnrm.toml",
                           root.string() + "/z.clnrm.toml"});
  EXPECT_EQ(explicit_files.size(), 2u);
  try {
    discover_test_files({(root / "missing").string()});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
  }
}

}  // namespace
}  // namespace clnrm
