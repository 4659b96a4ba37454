#include <clnrm/error.h>
#include <clnrm/policy.h>

#include <gtest/gtest.h>

#include <algorithm>

#include "backend/docker/container_spec.h"
#include "backend/sandbox/security.h"

namespace clnrm {
namespace {

bool contains(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

TEST(IsolationPolicy, LowKeepsDockersDefaultCapsAndHonoursHostNetwork) {
  const IsolationPolicy p = make_isolation_policy(SecurityLevel::Low, {}, true);
  EXPECT_EQ(p.network, NetworkMode::Host);
  EXPECT_EQ(p.root_fs, RootFs::ScratchOverReadOnly);
  EXPECT_TRUE(contains(p.capabilities, "net_raw"));
  EXPECT_FALSE(contains(p.capabilities, "sys_admin"));
  EXPECT_FALSE(p.no_new_privs);
  EXPECT_FALSE(p.seccomp);
  EXPECT_FALSE(p.limits.memory_mb);
  EXPECT_FALSE(p.limits.pids);
  EXPECT_TRUE(p.warnings.empty());
}

TEST(IsolationPolicy, MediumIsLoopbackReadOnlyMinimalCapsWithMemoryAndPids) {
  const IsolationPolicy p = make_isolation_policy(SecurityLevel::Medium);
  EXPECT_EQ(p.network, NetworkMode::Loopback);
  EXPECT_EQ(p.root_fs, RootFs::ReadOnlyWithTmpfs);
  EXPECT_TRUE(contains(p.tmpfs, "/tmp"));
  EXPECT_FALSE(contains(p.capabilities, "net_raw"));
  EXPECT_TRUE(contains(p.capabilities, "chown"));
  EXPECT_TRUE(p.no_new_privs);
  EXPECT_FALSE(p.seccomp);
  EXPECT_EQ(p.limits.memory_mb, 1024u);
  EXPECT_EQ(p.limits.pids, 1024u);
}

TEST(IsolationPolicy, HighHasNoCapsSeccompAndAllLimits) {
  const IsolationPolicy p = make_isolation_policy(SecurityLevel::High);
  EXPECT_TRUE(p.capabilities.empty());
  EXPECT_TRUE(p.no_new_privs);
  EXPECT_TRUE(p.seccomp);
  EXPECT_TRUE(p.deny_new_user_namespaces);
  for (const char* sys : {"mount", "ptrace", "kexec_load", "bpf", "setns"}) EXPECT_TRUE(contains(p.denied_syscalls, sys)) << sys;
  EXPECT_EQ(p.limits.memory_mb, 512u);
  EXPECT_EQ(p.limits.pids, 256u);
  EXPECT_EQ(p.limits.cpu_millicores, 1000u);
}

TEST(IsolationPolicy, ExplicitLimitsWinOverLevelDefaults) {
  LimitsSpec l;
  l.memory_mb = 64;
  l.pids = 16;
  const IsolationPolicy p = make_isolation_policy(SecurityLevel::High, l);
  EXPECT_EQ(p.limits.memory_mb, 64u);
  EXPECT_EQ(p.limits.pids, 16u);
  EXPECT_EQ(p.limits.cpu_millicores, 1000u);
  const IsolationPolicy low = make_isolation_policy(SecurityLevel::Low, l);
  EXPECT_EQ(low.limits.memory_mb, 64u);
}

TEST(IsolationPolicy, HostNetworkAboveLowIsIgnoredWithAWarningNamingTheKey) {
  for (SecurityLevel level : {SecurityLevel::Medium, SecurityLevel::High}) {
    const IsolationPolicy p = make_isolation_policy(level, {}, true);
    EXPECT_EQ(p.network, NetworkMode::Loopback);
    ASSERT_EQ(p.warnings.size(), 1u);
    EXPECT_NE(p.warnings[0].find("host_network"), std::string::npos) << p.warnings[0];
  }
}

TEST(IsolationPolicy, SandboxPlanReadsThePolicy) {
  for (SecurityLevel level : {SecurityLevel::Low, SecurityLevel::Medium, SecurityLevel::High}) {
    const IsolationPolicy p = make_isolation_policy(level);
    const sandbox::SecurityPlan plan = sandbox::make_security_plan(p);
    EXPECT_EQ(plan.keep_caps, sandbox::capability_bits(p.capabilities));
    EXPECT_EQ(plan.no_new_privs, p.no_new_privs);
    // A filter at every level: the keyring calls are denied everywhere,
    // the policy's list on top at high.
    EXPECT_NE(plan.seccomp, nullptr);
    for (const std::string& call : p.always_denied_syscalls) {
      EXPECT_EQ(std::count(plan.denied_syscalls.begin(), plan.denied_syscalls.end(), call), 1) << call;
    }
    for (const std::string& call : p.denied_syscalls) {
      EXPECT_EQ(std::count(plan.denied_syscalls.begin(), plan.denied_syscalls.end(), call), 1) << call;
    }
    EXPECT_EQ(plan.denied_syscalls.size() > 3, p.seccomp);
  }
  EXPECT_EQ(sandbox::make_security_plan(make_isolation_policy(SecurityLevel::High)).keep_caps, 0u);
  EXPECT_THROW(sandbox::capability_bits({"no_such_cap"}), Error);
}

TEST(IsolationPolicy, DockerSettingsReadThePolicy) {
  const docker::SecuritySettings low = docker::security_for(make_isolation_policy(SecurityLevel::Low));
  EXPECT_FALSE(low.read_only_rootfs);
  // Low: the policy's list spelled out, which has no mknod
  // (isolation_policy.cpp: docker's device cgroup would let it open the
  // host's console).
  EXPECT_TRUE(low.drop_all_caps);
  EXPECT_TRUE(contains(low.cap_add, "NET_RAW"));
  EXPECT_FALSE(contains(low.cap_add, "MKNOD"));
  EXPECT_EQ(low.cap_add.size(), make_isolation_policy(SecurityLevel::Low).capabilities.size());
  EXPECT_EQ(low.memory_bytes, 0);
  const docker::SecuritySettings medium = docker::security_for(make_isolation_policy(SecurityLevel::Medium));
  EXPECT_TRUE(medium.read_only_rootfs);
  EXPECT_TRUE(medium.drop_all_caps);
  EXPECT_TRUE(contains(medium.cap_add, "CHOWN"));
  EXPECT_EQ(medium.pids_limit, 1024);
  const docker::SecuritySettings high = docker::security_for(make_isolation_policy(SecurityLevel::High));
  EXPECT_TRUE(high.cap_add.empty());
  EXPECT_TRUE(high.no_new_privileges);
  EXPECT_EQ(high.memory_bytes, 512ll << 20);
  EXPECT_EQ(high.nano_cpus, 1'000'000'000);
}

}  // namespace
}  // namespace clnrm
