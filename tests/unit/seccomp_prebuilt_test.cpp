// The seccomp programs compiled when clnrm is built (tools/seccomp_prebuilt.cpp,
// include/clnrm/sandbox.h PrebuiltSeccompProgram): one for the rules of every
// built-in level, each what libseccomp makes of those rules now, and taken
// by a pod's security plan instead of compiling them again.
#include <gtest/gtest.h>

#include <clnrm/policy.h>
#include <clnrm/sandbox.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "backend/sandbox/security.h"
#include "cli/prebuilt_seccomp.h"

namespace clnrm::sandbox {
namespace {

std::vector<std::string> split_commas(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    out.emplace_back(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return out;
}

const PrebuiltSeccompProgram* prebuilt_of(const SecurityPlan& plan) {
  const std::string denied = prebuilt_seccomp_key(plan.denied_syscalls);
  for (const PrebuiltSeccompProgram& p : cli::prebuilt_seccomp_programs())
    if (p.denied == denied && p.deny_new_user_namespaces == plan.denies_new_user_namespaces) return &p;
  return nullptr;
}

constexpr SecurityLevel kLevels[] = {SecurityLevel::Low, SecurityLevel::Medium, SecurityLevel::High};

TEST(SeccompPrebuilt, EveryLevelHasOne) {
  for (const SecurityLevel level : kLevels) {
    const SecurityPlan plan = make_security_plan(make_isolation_policy(level));
    EXPECT_NE(prebuilt_of(plan), nullptr) << to_string(level);
  }
}

TEST(SeccompPrebuilt, EachIsWhatLibseccompMakesOfItsRules) {
  ASSERT_FALSE(cli::prebuilt_seccomp_programs().empty());
  for (const PrebuiltSeccompProgram& p : cli::prebuilt_seccomp_programs()) {
    const std::vector<sock_filter> now = compile_seccomp_program(split_commas(p.denied), p.deny_new_user_namespaces);
    ASSERT_EQ(now.size(), p.length) << p.denied;
    EXPECT_EQ(std::memcmp(now.data(), p.filter, now.size() * sizeof(sock_filter)), 0) << p.denied;
  }
}

// How many levels' plans do not point at their prebuilt program once the
// programs are given (0: all do).
int plans_not_taking_the_prebuilt() {
  use_prebuilt_seccomp_programs(cli::prebuilt_seccomp_programs());
  int wrong = 0;
  for (const SecurityLevel level : kLevels) {
    const SecurityPlan plan = make_security_plan(make_isolation_policy(level));
    const PrebuiltSeccompProgram* p = prebuilt_of(plan);
    if (p == nullptr || plan.seccomp == nullptr || plan.seccomp->filter != p->filter || plan.seccomp->len != p->length)
      ++wrong;
  }
  return wrong;
}

// 0 when rules no prebuilt program was made for are compiled (and right).
int rules_without_one_compiled() {
  use_prebuilt_seccomp_programs(cli::prebuilt_seccomp_programs());
  const std::vector<std::string> rules = {"keyctl", "ptrace"};
  const sock_fprog* program = seccomp_program(rules, false);
  const std::vector<sock_filter> compiled = compile_seccomp_program(rules, false);
  const bool same = program->len == compiled.size() &&
                    std::memcmp(program->filter, compiled.data(), compiled.size() * sizeof(sock_filter)) == 0;
  bool prebuilt = false;
  for (const PrebuiltSeccompProgram& p : cli::prebuilt_seccomp_programs()) prebuilt |= program->filter == p.filter;
  return same && !prebuilt ? 0 : 1;
}

// In a child each: this process's plans were made (and their programs kept
// for its life) by other tests already, without the prebuilt ones.
TEST(SeccompPrebuilt, APlanTakesThePrebuiltProgramInsteadOfCompiling) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(std::_Exit(plans_not_taking_the_prebuilt()), ::testing::ExitedWithCode(0), "");
}

TEST(SeccompPrebuilt, RulesWithoutOneAreCompiled) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(std::_Exit(rules_without_one_compiled()), ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace clnrm::sandbox
