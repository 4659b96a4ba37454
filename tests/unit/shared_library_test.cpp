// Libraries opened on first use (src/base/shared_library.cpp).
#include "base/shared_library.h"

#include <gtest/gtest.h>

namespace clnrm {
namespace {

TEST(SharedLibrary, AMissingLibraryOrSymbolIsAReasonNotACrash) {
  SharedLibrary absent("libclnrm-no-such-library.so.1");
  int (*f)() = nullptr;
  absent.look_up("anything", f);
  EXPECT_FALSE(absent.opened());
  EXPECT_FALSE(absent.ok());
  EXPECT_EQ(f, nullptr);
  EXPECT_NE(absent.problem().find("libclnrm-no-such-library.so.1"), std::string::npos);

  SharedLibrary libc("libc.so.6");
  std::size_t (*length)(const char*) = nullptr;
  libc.look_up("strlen", length);
  ASSERT_TRUE(libc.ok()) << libc.problem();
  EXPECT_EQ(length("four"), 4u);
  int (*none)() = nullptr;
  libc.look_up("clnrm_no_such_symbol", none);
  EXPECT_FALSE(libc.ok());
  EXPECT_EQ(libc.problem(), "libc.so.6 has no clnrm_no_such_symbol");
}

}  // namespace
}  // namespace clnrm
