// `clnrm validate` checks a test's image files (oci:, oci-archive:,
// docker-archive:) exist inside the test file's directory, and says where
// the `image` key is (src/spec/services_reader.cpp, check_image_file): a
// typo is found before a run, not by it.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "e2e/run_process.h"
#include "support/oci_layout_builder.h"

using namespace run_e2e;

namespace {

std::string test_with_image(const std::string& image) {
  return "[test.metadata]\nname = \"t\"\n[services.box]\nplugin = \"generic_container\"\nimage = \"" + image +
         "\"\nargs = [\"sleep\", \"1\"]\n[[steps]]\nname = \"s\"\ncommand = [\"true\"]\n";
}

TEST(ValidateImageFiles, MissingOrEscapingFilesAreErrorsAtTheImageKey) {
  TempDir dir, out;
  clnrm::testing::write_whole(dir.file("images/app.tar"), "not checked by validate, only found");
  std::filesystem::create_directories(dir.file("images/layout"));
  clnrm::testing::write_whole(dir.file("ok_archive.clnrm.toml"), test_with_image("docker-archive:images/app.tar:app:1"));
  clnrm::testing::write_whole(dir.file("ok_layout.clnrm.toml"), test_with_image("oci:images/layout/:v1"));
  clnrm::testing::write_whole(dir.file("missing.clnrm.toml"), test_with_image("oci-archive:images/gone.tar"));
  clnrm::testing::write_whole(dir.file("escaping.clnrm.toml"), test_with_image("docker-archive:../app.tar"));
  clnrm::testing::write_whole(dir.file("named.clnrm.toml"), test_with_image("clnrm-test/busybox"));

  Child c({"validate", "--no-config", dir.path()}, out.path());
  const Outcome o = c.wait(std::chrono::seconds(60));
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
  const std::string all = o.out + o.err;
  // line 5 is `image = "..."`; column 9 its value.
  EXPECT_NE(all.find(dir.file("missing.clnrm.toml") + ":5:9: error: the image file 'images/gone.tar' does not exist "
                                                     "next to the test file (" +
                     dir.file("images/gone.tar") + ")"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find(dir.file("escaping.clnrm.toml") + ":5:9: error: the image file \"../app.tar\" has a '..' "
                                                      "component"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("validated 5 files: 3 valid, 2 invalid"), std::string::npos) << all;
  // The same check stops a run before anything starts.
  Child run({"run", "--no-config", "--no-history", dir.file("missing.clnrm.toml")}, out.path());
  const Outcome r = run.wait(std::chrono::seconds(60));
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find(":5:9: error: the image file 'images/gone.tar' does not exist"), std::string::npos)
      << r.out << r.err;
}

}  // namespace
