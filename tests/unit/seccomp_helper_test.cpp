#include "backend/docker/seccomp_helper.h"

#include <gtest/gtest.h>

#include <set>
#include <string_view>

#include "backend/docker/container_spec.h"
#include "backend/docker/endpoint.h"

namespace clnrm::docker {
namespace {

auto executable_in(std::set<std::string> paths) {
  return [paths](const std::string& p) { return paths.count(p) != 0; };
}

const Endpoint kLocal = parse_docker_host("unix:///var/run/docker.sock").value();

// The CMake default install layout: bin/ and libexec/clnrm/ (CMakeLists.txt).
constexpr std::string_view kLibexec = "../libexec/clnrm";

TEST(SeccompHelper, FoundNextToTheExecutableThenInTheInstallThenTheFallback) {
  const std::string next_to = "/opt/clnrm/bin/clnrm-seccomp-exec";
  const std::string installed = "/opt/clnrm/libexec/clnrm/clnrm-seccomp-exec";
  const std::string fallback = "/src/build/clnrm-seccomp-exec";
  const auto h = locate_seccomp_helper(kLocal, "", "", "/opt/clnrm/bin", kLibexec, fallback,
                                       executable_in({next_to, installed, fallback}));
  EXPECT_EQ(h.host_path, next_to);
  EXPECT_TRUE(h.available());
  EXPECT_EQ(locate_seccomp_helper(kLocal, "", "", "/opt/clnrm/bin", kLibexec, fallback,
                                  executable_in({installed, fallback}))
                .host_path,
            installed);
  // A test binary in a build subdirectory: only the fallback its harness set.
  const auto b = locate_seccomp_helper(kLocal, "", "", "/src/build/tests", kLibexec, fallback,
                                       executable_in({fallback}));
  EXPECT_EQ(b.host_path, fallback);
}

TEST(SeccompHelper, MissingEverywhereSaysWhereItLooked) {
  const auto h = locate_seccomp_helper(kLocal, "", "", "/opt/clnrm/bin", kLibexec,
                                       "/src/build/clnrm-seccomp-exec", executable_in({}));
  EXPECT_FALSE(h.available());
  EXPECT_EQ(h.why_not,
            "clnrm-seccomp-exec not found (looked at /opt/clnrm/bin/clnrm-seccomp-exec, "
            "/opt/clnrm/libexec/clnrm/clnrm-seccomp-exec, /src/build/clnrm-seccomp-exec; "
            "set CLNRM_SECCOMP_EXEC to its path)");
  // Without a fallback (every program but the test binaries): only the first two.
  EXPECT_EQ(locate_seccomp_helper(kLocal, "", "", "/usr/bin", kLibexec, "", executable_in({}))
                .why_not,
            "clnrm-seccomp-exec not found (looked at /usr/bin/clnrm-seccomp-exec, "
            "/usr/libexec/clnrm/clnrm-seccomp-exec; set CLNRM_SECCOMP_EXEC to its path)");
}

TEST(SeccompHelper, AnExplicitPathWinsAndIsNeverSilentlyReplaced) {
  const std::set<std::string> all = {"/x/helper", "/env/helper",
                                     "/opt/clnrm/bin/clnrm-seccomp-exec"};
  EXPECT_EQ(locate_seccomp_helper(kLocal, "/x/helper", "/env/helper", "/opt/clnrm/bin", kLibexec,
                                  "", executable_in(all))
                .host_path,
            "/x/helper");
  EXPECT_EQ(locate_seccomp_helper(kLocal, "", "/env/helper", "/opt/clnrm/bin", kLibexec, "",
                                  executable_in(all))
                .host_path,
            "/env/helper");
  const auto missing = locate_seccomp_helper(kLocal, "", "/gone", "/opt/clnrm/bin", kLibexec, "",
                                             executable_in(all));
  EXPECT_FALSE(missing.available());
  EXPECT_EQ(missing.why_not, "CLNRM_SECCOMP_EXEC '/gone' is not an executable file");
}

TEST(SeccompHelper, ARemoteEngineCannotGetIt) {
  const auto h = locate_seccomp_helper(parse_docker_host("tcp://127.0.0.1:2375").value(), "/x/helper", "",
                                       "/opt", kLibexec, "", executable_in({"/x/helper"}));
  EXPECT_FALSE(h.available());
  EXPECT_EQ(h.why_not,
            "the engine is reached over tcp://127.0.0.1:2375: clnrm cannot bind-mount "
            "clnrm-seccomp-exec from this host "
            "into its containers");
}

TEST(SeccompHelper, PrefixCarriesThePolicysListOnlyAtHigh) {
  EXPECT_TRUE(seccomp_exec_prefix(make_isolation_policy(SecurityLevel::Medium, {})).empty());
  const IsolationPolicy high = make_isolation_policy(SecurityLevel::High, {});
  const auto prefix = seccomp_exec_prefix(high);
  ASSERT_EQ(prefix.size(), 4u);
  EXPECT_EQ(prefix[0], "/.clnrm/seccomp-exec");
  std::string deny = "--deny=";
  for (const auto& name : high.denied_syscalls)
    deny += name + (&name == &high.denied_syscalls.back() ? "" : ",");
  EXPECT_EQ(prefix[1], deny);
  EXPECT_NE(prefix[1].find(",clock_adjtime"), std::string::npos);
  EXPECT_EQ(prefix[2], "--deny-new-userns");
  EXPECT_EQ(prefix[3], "--");
}

// Engine-exec steps run under the helper's --reap at every level; only at
// high with the policy's filter in front of it.
TEST(SeccompHelper, ReapingPrefixAtEveryLevel) {
  for (const SecurityLevel level : {SecurityLevel::Low, SecurityLevel::Medium}) {
    EXPECT_EQ(reaping_exec_prefix(make_isolation_policy(level, {})),
              (std::vector<std::string>{"/.clnrm/seccomp-exec", "--reap", "--"}));
  }
  const IsolationPolicy high = make_isolation_policy(SecurityLevel::High, {});
  std::vector<std::string> want = seccomp_exec_prefix(high);
  want.insert(want.end() - 1, "--reap");
  EXPECT_EQ(reaping_exec_prefix(high), want);
  EXPECT_EQ(want.size(), 5u);
}

TEST(SeccompHelper, MountedReadOnlyWithMountsNotBinds) {
  ContainerConfig c;
  c.image = "clnrm-test/busybox";
  EXPECT_FALSE(create_body(c)["HostConfig"].contains("Mounts"));
  c.seccomp_helper = "/src/build/clnrm-seccomp-exec";
  const auto hc = create_body(c)["HostConfig"];
  ASSERT_EQ(hc["Mounts"].size(), 1u);
  EXPECT_EQ(hc["Mounts"][0]["Type"], "bind");
  EXPECT_EQ(hc["Mounts"][0]["Source"], "/src/build/clnrm-seccomp-exec");
  EXPECT_EQ(hc["Mounts"][0]["Target"], "/.clnrm/seccomp-exec");
  EXPECT_EQ(hc["Mounts"][0]["ReadOnly"], true);
  EXPECT_FALSE(hc.contains("Binds"));
  // Part of the reuse identity: a warm container without the filter is never adopted at high.
  ContainerConfig plain;
  plain.image = c.image;
  EXPECT_NE(reuse_identity(c), reuse_identity(plain));
}

}  // namespace
}  // namespace clnrm::docker
