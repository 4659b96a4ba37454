// Compose ${VARIABLES} -> clnrm templates, never the host's environment
// (src/compose/interpolation.cpp).
#include "compose/interpolation.h"

#include <gtest/gtest.h>
#include <stdlib.h>

namespace clnrm::compose {
namespace {

TEST(Interpolation, EachFormBecomesATemplateWithItsDefault) {
  const Interpolated i = interpolate("a=${A} b=${B:-two} c=${C-3} d=$D e=${E:?required} $$HOME");
  EXPECT_EQ(i.problem, "");
  EXPECT_EQ(i.text,
            "a={{ vars.A }} b={{ vars.B }} c={{ vars.C }} d={{ vars.D }} e={{ vars.E }} $HOME");
  ASSERT_EQ(i.uses.size(), 5u);
  EXPECT_EQ(i.uses[0].name, "A");
  EXPECT_FALSE(i.uses[0].default_value);
  EXPECT_EQ(i.uses[1].default_value.value_or("?"), "two");
  EXPECT_EQ(i.uses[2].default_value.value_or("?"), "3");
  EXPECT_FALSE(i.uses[4].default_value);
}

TEST(Interpolation, TheHostEnvironmentIsNeverRead) {
  ::setenv("CLNRM_COMPOSE_SECRET", "s3cret", 1);
  const Interpolated i = interpolate("${CLNRM_COMPOSE_SECRET}");
  EXPECT_EQ(i.text, "{{ vars.CLNRM_COMPOSE_SECRET }}");
  std::string problem;
  EXPECT_FALSE(with_defaults("${CLNRM_COMPOSE_SECRET}", &problem));
  EXPECT_NE(problem.find("has no default here, and the host environment is not read"), std::string::npos) << problem;
  ::unsetenv("CLNRM_COMPOSE_SECRET");
}

TEST(Interpolation, TextWithoutVariablesAndLoneDollarsStays) {
  EXPECT_EQ(interpolate("plain text").text, "plain text");
  EXPECT_EQ(interpolate("costs 5$ or $").text, "costs 5$ or $");
  EXPECT_TRUE(interpolate("x").uses.empty());
}

TEST(Interpolation, FormsClnrmCannotExpressAreProblems) {
  EXPECT_NE(interpolate("${A:+set}").problem.find("uses a form clnrm's templates cannot express"), std::string::npos);
  EXPECT_NE(interpolate("${A:-${B}}").problem.find("nests a variable"), std::string::npos);
  EXPECT_NE(interpolate("${A").problem.find("unterminated"), std::string::npos);
  EXPECT_NE(interpolate("${1A}").problem.find("is not a variable name"), std::string::npos);
  EXPECT_NE(interpolate("{{ vars.x }}").problem.find("which clnrm would read as a template"), std::string::npos);
}

TEST(Interpolation, WithDefaultsForNumbersAndDurations) {
  std::string problem;
  EXPECT_EQ(with_defaults("${PORT:-8080}:80", &problem).value_or("?"), "8080:80");
  EXPECT_EQ(with_defaults("$$5", &problem).value_or("?"), "$5");
  EXPECT_FALSE(with_defaults("${PORT}:80", &problem));
}

}  // namespace
}  // namespace clnrm::compose
