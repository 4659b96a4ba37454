// Reading a test file: only regular files, at most 16 MiB; devices, FIFOs,
// directories and /proc/self/mem end with an error, never a hang or an empty
// test (src/spec/source_file.cpp, through parse_test_file).
#include "spec/source_file.h"
#include "support/temp_dir.h"

#include <clnrm/parser.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace clnrm::spec_detail {
namespace {

namespace fs = std::filesystem;

class SourceFileTest : public ::testing::Test {
 protected:
  std::string path(const char* name) const { return tmp_.file(name); }
  clnrm::testing::TempDir tmp_{"clnrm-source"};
  fs::path dir_{tmp_.path()};
};

TEST_F(SourceFileTest, ReadsARegularFileAndASymlinkToIt) {
  std::ofstream(path("t.clnrm.toml")) << "x = 1\n";
  fs::create_symlink(path("t.clnrm.toml"), path("link.clnrm.toml"));
  EXPECT_EQ(read_source_file(path("t.clnrm.toml")).text, "x = 1\n");
  const SourceText linked = read_source_file(path("link.clnrm.toml"));
  EXPECT_EQ(linked.error, "");
  EXPECT_EQ(linked.text, "x = 1\n");
}

TEST_F(SourceFileTest, AFifoIsRefusedWithoutHanging) {
  ASSERT_EQ(::mkfifo(path("fifo.clnrm.toml").c_str(), 0644), 0);
  EXPECT_EQ(read_source_file(path("fifo.clnrm.toml")).error,
            "cannot read file: not a regular file");
  // A symlink to it too: the target must be a regular file.
  fs::create_symlink(path("fifo.clnrm.toml"), path("to-fifo.clnrm.toml"));
  EXPECT_EQ(read_source_file(path("to-fifo.clnrm.toml")).error,
            "cannot read file: not a regular file");
}

TEST_F(SourceFileTest, DevicesAndDirectoriesAreRefused) {
  for (const std::string& p : {std::string("/dev/zero"), std::string("/dev/null"), dir_.string()})
    EXPECT_EQ(read_source_file(p).error, "cannot read file: not a regular file") << p;
}

TEST_F(SourceFileTest, ProcSelfMemIsAnErrorNotAnEmptyTest) {
  // A regular file that says it has 0 bytes and fails to read.
  const SourceText mem = read_source_file("/proc/self/mem");
  EXPECT_EQ(mem.error, "cannot read file: Input/output error");
  const ParseResult r = parse_test_file("/proc/self/mem");
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].format(),
            "/proc/self/mem: error: cannot read file: Input/output error");
}

TEST_F(SourceFileTest, ProcFilesThatSayZeroBytesAreReadToTheEnd) {
  EXPECT_NE(read_source_file("/proc/self/status").text.find("Pid:"), std::string::npos);
}

TEST_F(SourceFileTest, ASymlinkLoopSaysSo) {
  fs::create_symlink(path("b.clnrm.toml"), path("a.clnrm.toml"));
  fs::create_symlink(path("a.clnrm.toml"), path("b.clnrm.toml"));
  EXPECT_EQ(read_source_file(path("a.clnrm.toml")).error,
            "cannot read file: Too many levels of symbolic links");
  EXPECT_EQ(read_source_file(path("missing.clnrm.toml")).error,
            "cannot read file: No such file or directory");
}

TEST_F(SourceFileTest, MoreThan16MiBIsRefused) {
  {
    std::ofstream big(path("big.clnrm.toml"));
    big << "# padding\n";
  }
  fs::resize_file(path("big.clnrm.toml"), kMaxSourceBytes + 1);
  EXPECT_EQ(read_source_file(path("big.clnrm.toml")).error,
            "file is too large (more than 16777216 bytes; the limit is 16 MiB)");
  fs::resize_file(path("big.clnrm.toml"), kMaxSourceBytes);
  EXPECT_EQ(read_source_file(path("big.clnrm.toml")).error, "");
}

}  // namespace
}  // namespace clnrm::spec_detail
