// libyaml opened at run time (src/compose/yaml_library.cpp): the real library
// loads with every function, and a missing one is an error that names the
// library and the Debian package.
#include "compose/yaml_library.h"

#include <gtest/gtest.h>

namespace clnrm::compose {
namespace {

TEST(YamlLibrary, LoadsEveryFunction) {
  const YamlLibrary& lib = yaml_library();
  EXPECT_NE(lib.parser_initialize, nullptr);
  EXPECT_NE(lib.parse, nullptr);
  yaml_parser_t parser;
  ASSERT_EQ(lib.parser_initialize(&parser), 1);
  lib.parser_delete(&parser);
}

TEST(YamlLibrary, AMissingLibraryIsAnErrorNamingItAndThePackage) {
  YamlLibrary lib;
  const std::string problem = load_yaml_library("libyaml-not-there.so.2", lib);
  EXPECT_NE(problem.find("libyaml-not-there.so.2"), std::string::npos) << problem;
  EXPECT_EQ(lib.parse, nullptr);
  const std::string message = yaml_library_error(problem);
  EXPECT_NE(message.find("cannot load libyaml (" + problem + ")"), std::string::npos) << message;
  EXPECT_NE(message.find("apt-get install libyaml-0-2"), std::string::npos) << message;
}

TEST(YamlLibrary, ALibraryWithoutTheFunctionsIsRefused) {
  YamlLibrary lib;
  EXPECT_EQ(load_yaml_library("libc.so.6", lib), "libc.so.6 has no yaml_parser_initialize");
}

}  // namespace
}  // namespace clnrm::compose
