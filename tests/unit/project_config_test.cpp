#include <clnrm/error.h>
#include <clnrm/parser.h>
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
pull = "never"
)",
                                         "cleanroom.toml");
  EXPECT_EQ(c.name, "shop");
  EXPECT_EQ(c.images.at("alpine:latest"), "clnrm-test/busybox");
  EXPECT_EQ(c.images.at("redis:7"), "clnrm-test/redis");
  EXPECT_EQ(c.backend, "sandbox");
  EXPECT_EQ(c.jobs, 3u);
  EXPECT_EQ(c.security_level, SecurityLevel::High);
  EXPECT_EQ(c.timeout, Duration(90'000));
  EXPECT_EQ(c.pull, PullPolicy::Never);
  EXPECT_EQ(c.where("pull"), "cleanroom.toml:11:8");
  EXPECT_TRUE(c.warnings.empty());
  EXPECT_FALSE(parse_project_config("[defaults]\njobs = 2\n", "c.toml").pull);
}

TEST(ProjectConfigTest, AnUnknownPullPolicyIsAnErrorAtItsValue) {
  const ProjectConfigCheck check =
      check_project_config("[defaults]\npull = \"sometimes\"\n[images]\npull = \"x\"\n", "c.toml");
  ASSERT_FALSE(check.ok());
  ASSERT_EQ(check.diagnostics.size(), 1u);  // [images] pull is an image named "pull"
  EXPECT_EQ(check.diagnostics[0].format(),
            "c.toml:2:8: error: pull: unknown pull policy 'sometimes' (never, missing or always)");
  EXPECT_FALSE(check_project_config("[defaults]\npull = true\n", "c.toml").ok());
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

TEST(ProjectConfigTest, RemembersWhereEachDefaultWasWritten) {
  ProjectConfig c = parse_project_config("[defaults]\njobs = 3\ntimeout = \"2s\"\n", "p/cleanroom.toml");
  EXPECT_EQ(c.where("jobs"), "p/cleanroom.toml:2:8");
  EXPECT_EQ(c.where("timeout"), "p/cleanroom.toml:3:11");
  EXPECT_EQ(c.where("backend"), "p/cleanroom.toml");
}

TEST(ProjectConfigTest, ThePoolOutOfRangeOrATtlUnderASecondIsAnErrorAtItsValue) {
  const ProjectConfigCheck c =
      check_project_config("[defaults]\npool = 9\npool_ttl = \"500ms\"\n", "c.toml");
  ASSERT_FALSE(c.ok());
  std::string all;
  for (const Diagnostic& d : c.diagnostics) all += d.format() + "\n";
  EXPECT_NE(all.find("c.toml:2:8: error: 'pool' = 9 is out of range (0..8)"), std::string::npos) << all;
  EXPECT_NE(all.find("c.toml:3:12: error: 'pool_ttl' must be at least 1s"), std::string::npos) << all;
  const ProjectConfigCheck ok = check_project_config("[defaults]\npool = 0\npool_ttl = \"1s\"\n", "c.toml");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.config->pool, 0);
  EXPECT_EQ(ok.config->pool_ttl, Duration(1000));
}

TEST(ProjectConfigTest, WrongTypesAndRangesAreErrors) {
  const ProjectConfigCheck c = check_project_config(
      "[defaults]\njobs = 0\ntimeout = 5.5\nsecurity_level = \"lowest\"\n[images]\n\"a b\" = \"c\"\n",
      "c.toml");
  EXPECT_FALSE(c.ok());
  std::string all;
  for (const Diagnostic& d : c.diagnostics) all += d.format() + "\n";
  EXPECT_NE(all.find("c.toml:2:8: error: 'jobs' = 0 is out of range (1..1024)"), std::string::npos) << all;
  EXPECT_NE(all.find("c.toml:3:11: error:"), std::string::npos) << all;
  EXPECT_NE(all.find("c.toml:4:18: error: unknown security_level \"lowest\""), std::string::npos) << all;
  EXPECT_NE(all.find("c.toml:6:9: error: image mapping"), std::string::npos) << all;
  EXPECT_FALSE(check_project_config("[defaults]\njobs = 1025\n", "c.toml").ok());
  EXPECT_TRUE(check_project_config("[defaults]\njobs = 1024\ntimeout = 0\n", "c.toml").ok());
}

TEST(ProjectConfigTest, UnreadableFileIsADiagnostic) {
  const ProjectConfigCheck c = check_project_config_file("/nonexistent/cleanroom.toml");
  ASSERT_FALSE(c.ok());
  ASSERT_EQ(c.diagnostics.size(), 1u);
  EXPECT_EQ(c.diagnostics[0].file, "/nonexistent/cleanroom.toml");
}

// A parsed test file with `policy` as its [policy] table body (none when empty).
TestSpec parsed_test(const std::filesystem::path& dir, const std::string& name,
                     const std::string& policy) {
  const std::string file = (dir / (name + ".clnrm.toml")).string();
  std::ofstream(file) << "[test.metadata]\nname = \"" << name
                      << "\"\n[[steps]]\nname = \"s\"\ncommand = [\"true\"]\n"
                      << (policy.empty() ? "" : "[policy]\n" + policy + "\n");
  ParseResult r = parse_test_file(file);
  EXPECT_TRUE(r.ok()) << file;
  return std::move(*r.spec);
}

TEST(ProjectConfigTest, SecurityLevelIsAFloorNotACeiling) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("clnrm-pc-level-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  struct Cleanup {
    fs::path p;
    ~Cleanup() { fs::remove_all(p); }
  } cleanup{dir};
  const ProjectConfig high =
      parse_project_config("[defaults]\nsecurity_level = \"high\"\n", "cleanroom.toml");
  const ProjectConfig low =
      parse_project_config("[defaults]\nsecurity_level = \"low\"\n", "cleanroom.toml");

  // No level of its own (even with a [policy] table): the project's, up or down.
  for (const std::string& policy : {std::string(), std::string("max_memory_mb = 64")}) {
    TestSpec t = parsed_test(dir, "unset", policy);
    EXPECT_FALSE(apply_project_security_level(high, t));
    EXPECT_EQ(t.policy.level, SecurityLevel::High) << policy;
    TestSpec u = parsed_test(dir, "unset", policy);
    EXPECT_FALSE(apply_project_security_level(low, u));
    EXPECT_EQ(u.policy.level, SecurityLevel::Low) << policy;
  }

  // A higher level than the project's: kept (never less than it asks for).
  TestSpec asks_high = parsed_test(dir, "asks_high", "security_level = \"high\"");
  EXPECT_FALSE(apply_project_security_level(low, asks_high));
  EXPECT_EQ(asks_high.policy.level, SecurityLevel::High);

  // A lower level than the project's: an error at the test's key.
  TestSpec asks_low = parsed_test(dir, "asks_low", "security_level = \"low\"");
  const std::optional<Diagnostic> d = apply_project_security_level(high, asks_low);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->format().rfind(asks_low.file +
                                  ":7:18: error: security_level \"low\" is below the project's "
                                  "\"high\" (cleanroom.toml:2:18)",
                              0),
            0u)
      << d->format();

  // No project level: nothing changes.
  const ProjectConfig none = parse_project_config("", "cleanroom.toml");
  EXPECT_FALSE(apply_project_security_level(none, asks_low));
  EXPECT_EQ(asks_low.policy.level, SecurityLevel::Low);
}

}  // namespace
}  // namespace clnrm
