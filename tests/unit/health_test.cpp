#include <clnrm/health.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>

#include "support/temp_dir.h"

namespace {

using clnrm::testing::TempDir;

}  // namespace

TEST(HealthHistory, MissingNestedDirectoryUnderAWritableOneIsOk) {
  TempDir d;
  auto c = clnrm::check_history_db(d.path() + "/a/b/history.db");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].result, clnrm::HealthCheck::Result::Ok) << c[0].detail;
  EXPECT_NE(c[0].detail.find(d.path()), std::string::npos);
}

TEST(HealthHistory, ExistingWritableFileIsOk) {
  TempDir d;
  const std::string db = d.path() + "/history.db";
  std::fclose(std::fopen(db.c_str(), "w"));
  auto c = clnrm::check_history_db(db);
  EXPECT_EQ(c[0].result, clnrm::HealthCheck::Result::Ok) << c[0].detail;
}

TEST(HealthHistory, ADirectoryWhereTheFileShouldBeIsAWarning) {
  TempDir d;
  auto c = clnrm::check_history_db(d.path());
  EXPECT_EQ(c[0].result, clnrm::HealthCheck::Result::Warn);
  EXPECT_FALSE(c[0].fix.empty());
}

TEST(HealthHistory, AFileAsParentIsAWarning) {
  TempDir d;
  const std::string f = d.path() + "/file";
  std::fclose(std::fopen(f.c_str(), "w"));
  auto c = clnrm::check_history_db(f + "/history.db");
  EXPECT_EQ(c[0].result, clnrm::HealthCheck::Result::Warn);
  EXPECT_NE(c[0].detail.find("not a directory"), std::string::npos);
}

TEST(HealthEngine, ANamedSocketThatIsMissingFailsNamingItAndItsOrigin) {
  clnrm::HealthOptions o;
  o.docker_host = "unix:///nonexistent/docker.sock";
  auto c = clnrm::check_engines(o);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].result, clnrm::HealthCheck::Result::Fail);
  EXPECT_TRUE(c[0].required);  // asked for by name: it must answer
  EXPECT_EQ(c[0].detail,
            "cannot reach the Docker engine at unix:///nonexistent/docker.sock (from "
            "--docker-host): /nonexistent/docker.sock: no such file");
  EXPECT_FALSE(c[0].fix.empty());
}

TEST(HealthEngine, ASocketWithNobodyListeningSaysSo) {
  TempDir d;
  const std::string path = d.path() + "/dead.sock";
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ::close(fd);  // bound, never listening: connect is refused
  clnrm::HealthOptions o;
  o.docker_host = "unix://" + path;
  auto c = clnrm::check_engines(o);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].result, clnrm::HealthCheck::Result::Fail);
  EXPECT_NE(c[0].detail.find("nothing listens on " + path), std::string::npos) << c[0].detail;
}

TEST(HealthReport, AnEngineFailureIsNotASandboxFailure) {
  clnrm::HealthReport r;
  r.checks.push_back({"engine", "engine unix:///x", clnrm::HealthCheck::Result::Fail, true, "down", "start it"});
  EXPECT_TRUE(r.sandbox_ready());
  EXPECT_FALSE(r.ready());
}

TEST(HealthFaketime, FoundOrExplained) {
  auto c = clnrm::check_libfaketime();
  ASSERT_EQ(c.size(), 1u);
  if (c[0].result == clnrm::HealthCheck::Result::Ok) {
    EXPECT_EQ(::access(c[0].detail.c_str(), R_OK), 0);
  } else {
    EXPECT_NE(c[0].fix.find("faketime"), std::string::npos);
  }
}

TEST(HealthReport, RequiredFailureDecidesReadiness) {
  clnrm::HealthReport r;
  r.checks.push_back(
      {"engine", "docker", clnrm::HealthCheck::Result::Fail, false, "down", "start it"});
  EXPECT_TRUE(r.sandbox_ready());
  r.checks.push_back(
      {"namespaces", "net namespace", clnrm::HealthCheck::Result::Fail, true, "EPERM", "use root"});
  EXPECT_FALSE(r.sandbox_ready());
  const auto j = clnrm::health_to_json(r);
  EXPECT_EQ(j["sandbox_ready"], false);
  EXPECT_EQ(j["checks"][1]["status"], "fail");
  EXPECT_EQ(j["checks"][1]["required"], true);
  const auto text = clnrm::render_health_human(r);
  EXPECT_NE(text.find("FAIL  net namespace: EPERM\n        fix: use root"), std::string::npos)
      << text;
  EXPECT_NE(text.find("sandbox: cannot run (1 required check failed"), std::string::npos) << text;
}

TEST(HealthSeccompHelper, FoundInTheBuildTreeAndAWarningWithAFixWhenMissing) {
  ::unsetenv("CLNRM_SECCOMP_EXEC");
  auto found = clnrm::check_seccomp_helper();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].result, clnrm::HealthCheck::Result::Ok) << found[0].detail;
  EXPECT_NE(found[0].detail.find("clnrm-seccomp-exec: at high"), std::string::npos) << found[0].detail;

  ::setenv("CLNRM_SECCOMP_EXEC", "/nonexistent/clnrm-seccomp-exec", 1);
  auto missing = clnrm::check_seccomp_helper();
  ::unsetenv("CLNRM_SECCOMP_EXEC");
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0].result, clnrm::HealthCheck::Result::Warn);
  EXPECT_NE(missing[0].detail.find("engine's default seccomp profile only"), std::string::npos) << missing[0].detail;
  EXPECT_NE(missing[0].fix.find("CLNRM_SECCOMP_EXEC="), std::string::npos) << missing[0].fix;
}
