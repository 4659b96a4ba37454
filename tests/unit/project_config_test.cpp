#include <clnrm/error.h>
#include <clnrm/project_config.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace clnrm {
namespace {

TEST(ProjectConfigTest, ReadsImagesAndDefaults) {
  ProjectConfig c = parse_project_config(R"([project]
name = "shop"
[images]
"alpine:latest" = "clnrm-test/busybox"
"redis:7" = "clnrm-test/redis"
[defaults]
backend = "sandbox"
jobs = 3
security_level = "maximum"
timeout = "90s"
)",
                                         "cleanroom.toml");
  EXPECT_EQ(c.name, "shop");
  EXPECT_EQ(c.images.at("alpine:latest"), "clnrm-test/busybox");
  EXPECT_EQ(c.images.at("redis:7"), "clnrm-test/redis");
  EXPECT_EQ(c.backend, "sandbox");
  EXPECT_EQ(c.jobs, 3u);
  EXPECT_EQ(c.security_level, SecurityLevel::High);
  EXPECT_EQ(c.timeout, Duration(90'000));
  EXPECT_TRUE(c.warnings.empty());
}

TEST(ProjectConfigTest, UpstreamSectionsWarn) {
  ProjectConfig c =
      parse_project_config("[cli]\njobs = 4\n[observability]\nenable_tracing = true\n", "c.toml");
  ASSERT_EQ(c.warnings.size(), 2u);
  EXPECT_EQ(c.warnings[0].format(),
            "c.toml:1:2: warning: key 'cli' in cleanroom.toml is an upstream clnrm feature that "
            "clnrm does not "
            "implement yet; it is ignored");
}

TEST(ProjectConfigTest, ErrorsListEveryProblemWithPosition) {
  try {
    parse_project_config("[defaults]\nbackend = \"kvm\"\njobz = 2\n[images]\n\"a\" = 1\n",
                         "c.toml");
    FAIL() << "expected Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Config);
    const std::string m = e.what();
    EXPECT_NE(m.find("c.toml:2:11: error: unknown backend \"kvm\""), std::string::npos) << m;
    EXPECT_NE(m.find("c.toml:3:1: error: unknown key 'jobz' in [defaults] (did you mean 'jobs'?)"),
              std::string::npos)
        << m;
    EXPECT_NE(m.find("c.toml:5:7: error: 'images.\"a\"' must be a string, not an integer"),
              std::string::npos)
        << m;
  }
  EXPECT_THROW(parse_project_config("[defaults\n", "c.toml"), Error);
}

TEST(ProjectConfigTest, FindsNearestConfigUpwards) {
  namespace fs = std::filesystem;
  const fs::path root = fs::temp_directory_path() / ("clnrm-pc-" + std::to_string(::getpid()));
  struct Cleanup {
    fs::path p;
    ~Cleanup() { fs::remove_all(p); }
  } cleanup{root};
  fs::create_directories(root / "a" / "b");
  EXPECT_FALSE(find_project_config((root / "a" / "b").string()).has_value() &&
               find_project_config((root / "a" / "b").string())->starts_with(root.string()));
  std::ofstream(root / "cleanroom.toml") << "[defaults]\njobs = 2\n";
  auto found = find_project_config((root / "a" / "b").string());
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(*found, (root / "cleanroom.toml").string());
  EXPECT_EQ(load_project_config(*found).jobs, 2u);
  EXPECT_THROW(load_project_config((root / "missing.toml").string()), Error);
}

}  // namespace
}  // namespace clnrm
