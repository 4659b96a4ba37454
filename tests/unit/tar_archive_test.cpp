#include "backend/docker/tar_archive.h"

#include <clnrm/error.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace clnrm::docker {
namespace {

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

TEST(TarArchive, RealTarExtractsIt) {
  TarArchive t;
  t.add_directory("etc");
  t.add_file("etc/app.conf", "port = 1\n");
  const std::string long_dir(120, 'd');
  t.add_file(long_dir + "/f.txt", "x", 0755);
  t.add_file("empty", "");
  const auto dir = std::filesystem::temp_directory_path() / ("clnrm-tar-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "a.tar", std::ios::binary) << t.finish();
  }
  const std::string listing = run("tar -C " + dir.string() + " -xvf " + (dir / "a.tar").string() + " 2>&1");
  EXPECT_NE(listing.find("etc/app.conf"), std::string::npos) << listing;
  std::ifstream conf(dir / "etc/app.conf");
  std::stringstream ss;
  ss << conf.rdbuf();
  EXPECT_EQ(ss.str(), "port = 1\n");
  EXPECT_TRUE(std::filesystem::exists(dir / long_dir / "f.txt"));
  EXPECT_TRUE((std::filesystem::status(dir / long_dir / "f.txt").permissions() & std::filesystem::perms::owner_exec) !=
              std::filesystem::perms::none);
  EXPECT_EQ(std::filesystem::file_size(dir / "empty"), 0u);
  std::filesystem::remove_all(dir);
}

TEST(TarArchive, RejectsEscapingAndOverlongPaths) {
  TarArchive t;
  EXPECT_THROW(t.add_file("../etc/passwd", "x"), Error);
  EXPECT_THROW(t.add_file(std::string(300, 'a'), "x"), Error);
  EXPECT_EQ(t.finish().size(), 1024u);
}

}  // namespace
}  // namespace clnrm::docker
