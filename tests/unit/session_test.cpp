#include <clnrm/session.h>
#include <clnrm/error.h>
#include <clnrm/plugin_requirements.h>
#include <gtest/gtest.h>

#include <set>

TEST(Session, SessionIdsAreUniqueHex) {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    auto id = clnrm::make_session_id();
    ASSERT_EQ(id.size(), 12u);
    ASSERT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 1000u);
}

TEST(Session, StartsServicesThroughPluginsAndCountsThem) {
  clnrm::Session env(clnrm::make_null_backend());
  clnrm::register_builtin_plugins(env.services());
  EXPECT_EQ(env.services().size(), 2u);
  auto pod = env.backend().create_pod({});
  clnrm::ServiceSpec spec;
  spec.name = "db";
  spec.plugin = "process";
  spec.args = {"redis-server"};
  auto handle = env.start_service(*pod, spec);
  EXPECT_EQ(handle.service_name, "db");
  EXPECT_EQ(env.check_health(handle), clnrm::HealthStatus::Healthy);
  env.stop_service(handle);
  EXPECT_EQ(env.check_health(handle), clnrm::HealthStatus::Unhealthy);
  EXPECT_EQ(env.metrics().snapshot().services_started, 1u);
}

TEST(Session, UnknownPluginAndMissingArgsAreConfigErrors) {
  clnrm::Session env(clnrm::make_null_backend());
  clnrm::register_builtin_plugins(env.services());
  auto pod = env.backend().create_pod({});
  clnrm::ServiceSpec spec;
  spec.name = "x";
  spec.plugin = "surrealdb";
  try {
    env.start_service(*pod, spec);
    FAIL() << "expected an error";
  } catch (const clnrm::Error& e) {
    EXPECT_EQ(e.kind(), clnrm::ErrorKind::Config);
    // The parser's words for the same service (plugin_requirements.h).
    EXPECT_EQ(e.describe(), "service 'x': " + clnrm::unknown_plugin_message("surrealdb"));
  }
  spec.plugin = "process";
  EXPECT_THROW(env.start_service(*pod, spec), clnrm::Error);
  spec.plugin = "container";  // alias of generic_container, which needs an image
  EXPECT_THROW(env.start_service(*pod, spec), clnrm::Error);
}

TEST(ServiceRegistry, RejectsDuplicatesAndListsSorted) {
  clnrm::ServiceRegistry reg;
  clnrm::register_builtin_plugins(reg);
  EXPECT_THROW(clnrm::register_builtin_plugins(reg), clnrm::Error);
  auto list = reg.list();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]->name(), "generic_container");
  EXPECT_EQ(list[1]->name(), "process");
  EXPECT_NE(reg.find("generic"), nullptr);
  EXPECT_EQ(reg.find("nope"), nullptr);
}

TEST(Metrics, SnapshotCopiesCounters) {
  clnrm::Metrics m;
  m.add(clnrm::Metrics::Counter::StepsRun, 3);
  m.add(clnrm::Metrics::Counter::Retries);
  auto s = m.snapshot();
  EXPECT_EQ(s.steps_run, 3u);
  EXPECT_EQ(s.retries, 1u);
  m.reset();
  EXPECT_EQ(m.snapshot().steps_run, 0u);
}
