// One verdict, one wording: what the parser and the plugins say about a service.
#include <clnrm/plugin_requirements.h>
#include <gtest/gtest.h>

using namespace clnrm;

TEST(PluginRequirements, AliasesResolveToTheContainerPlugin) {
  for (std::string_view alias : {"container", "generic", "docker", "generic_container"}) {
    EXPECT_EQ(canonical_plugin_name(alias), "generic_container") << alias;
    EXPECT_TRUE(is_builtin_plugin(alias)) << alias;
  }
  EXPECT_EQ(canonical_plugin_name("process"), "process");
  EXPECT_FALSE(is_builtin_plugin("surrealdb"));
}

TEST(PluginRequirements, EachPluginNamesWhatItMisses) {
  ServiceSpec s;
  s.name = "x";
  EXPECT_EQ(plugin_requirement_problem("process", s),
            "plugin 'process' needs `args` (the program and its arguments)");
  EXPECT_EQ(plugin_requirement_problem("container", s),
            "plugin 'generic_container' needs `image` (or `rootfs` on the sandbox backend)");
  s.args = {"redis-server"};
  EXPECT_EQ(plugin_requirement_problem("process", s), std::nullopt);
  s.image = "clnrm-test/busybox";
  EXPECT_EQ(plugin_requirement_problem("generic_container", s), std::nullopt);
  EXPECT_EQ(plugin_requirement_problem("surrealdb", s), std::nullopt)
      << "not built in: not ours to judge";
}

TEST(PluginRequirements, UnknownPluginsSayWhetherUpstreamHasThem) {
  EXPECT_NE(unknown_plugin_message("surrealdb").find("is an upstream clnrm plugin"),
            std::string::npos);
  EXPECT_NE(unknown_plugin_message("mongodb").find("'mongodb' does not exist"), std::string::npos);
}
