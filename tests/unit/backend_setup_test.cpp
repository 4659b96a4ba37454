// What the user hears about the backend (src/suite/backend_setup.cpp).
#include "suite/backend_setup.h"

#include <gtest/gtest.h>

using namespace clnrm;

TEST(BackendSetup, ReuseIsIgnoredWhereServicesAreNotKept) {
  const std::unique_ptr<Backend> null = make_null_backend();
  ASSERT_FALSE(null->capabilities().keeps_services);
  TestSpec t;
  t.file = "a.clnrm.toml";
  ServiceSpec kept, fresh;
  kept.name = "db";
  kept.reuse = true;
  fresh.name = "cache";
  t.services = {kept, fresh};
  const std::vector<std::string> per_service = suite::reuse_ignored_warnings(*null, {t}, false);
  ASSERT_EQ(per_service.size(), 1u);
  EXPECT_EQ(per_service[0].rfind("a.clnrm.toml: service 'db': reuse = true has no effect on the null backend", 0), 0u)
      << per_service[0];
  const std::vector<std::string> option = suite::reuse_ignored_warnings(*null, {t}, true);
  ASSERT_EQ(option.size(), 1u);
  EXPECT_EQ(option[0].rfind("--reuse has no effect on the null backend", 0), 0u) << option[0];
  EXPECT_TRUE(suite::reuse_ignored_warnings(*null, {TestSpec{}}, false).empty());
}
