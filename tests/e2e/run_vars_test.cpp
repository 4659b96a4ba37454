// Variables through the binary (docs/test-file-reference.md, "Vars and
// templates"): --var beats the file's [vars] beats cleanroom.toml's [vars],
// and {{ env.NAME }} reads the runner's environment only with --allow-env.
#include <gtest/gtest.h>

#include "e2e/run_process.h"

namespace {

using run_e2e::CliScratch;
using run_e2e::Outcome;

// Passes only when {{ who }} rendered as `expected`.
std::string who_must_be(const std::string& expected, const std::string& vars = "") {
  return vars + R"(
[test.metadata]
name = "who"

[[steps]]
name = "compare"
command = ["test", "{{ who }}", "=", ")" + expected + R"("]
)";
}

std::string all(const Outcome& o) { return "stdout:\n" + o.out + "\nstderr:\n" + o.err; }

TEST(RunVars, CommandLineVarBeatsTheFilesVars) {
  CliScratch d;
  const std::string file = d.add("who", who_must_be("cli", "[vars]\nwho = \"file\"\n"));
  EXPECT_EQ(d.clnrm({"run", "--no-history", file}).exit_code, 1) << "the file's value, 'file', fails";
  const Outcome o = d.clnrm({"run", "--no-history", "--var", "who=cli", file});
  EXPECT_EQ(o.exit_code, 0) << all(o);
}

TEST(RunVars, ProjectVarsAreDefaultsTheFileOverrides) {
  CliScratch d;
  d.files.write("cleanroom.toml", "[vars]\nwho = \"project\"\nother = \"project\"\n");
  const std::string from_project = d.add("from_project", who_must_be("project"));
  Outcome o = d.clnrm({"run", "--no-history", from_project});
  EXPECT_EQ(o.exit_code, 0) << all(o);
  const std::string overridden = d.add("overridden", who_must_be("file", "[vars]\nwho = \"file\"\n"));
  o = d.clnrm({"run", "--no-history", overridden});
  EXPECT_EQ(o.exit_code, 0) << all(o);
  o = d.clnrm({"validate", from_project});
  EXPECT_EQ(o.exit_code, 0) << all(o);
}

TEST(RunVars, TableAndArrayVarsRender) {
  CliScratch d;
  const std::string file = d.add("tables", R"([vars]
hosts = ["a", "b"]
[vars.db]
port = 5432

[test.metadata]
name = "tables"

[[steps]]
name = "compare"
command = ["test", "{{ vars.db.port }}-{{ vars.hosts[1] }}", "=", "5432-b"]
)");
  const Outcome o = d.clnrm({"run", "--no-history", file});
  EXPECT_EQ(o.exit_code, 0) << all(o);
}

TEST(RunVars, TheRunnersEnvironmentIsReadableOnlyByNameWithAllowEnv) {
  CliScratch d;
  const std::string file = d.add("env", R"(
[test.metadata]
name = "env"

[[steps]]
name = "compare"
command = ["test", "{{ env.CLNRM_E2E_TOKEN }}", "=", "s3cret"]
)");
  const std::vector<std::string> env = {"CLNRM_E2E_TOKEN=s3cret"};
  Outcome o = d.clnrm({"run", "--no-history", file}, env);
  EXPECT_EQ(o.exit_code, 2) << all(o);
  EXPECT_NE(o.err.find("env.clnrm.toml:7:20"), std::string::npos) << all(o);
  EXPECT_NE(o.err.find("--allow-env CLNRM_E2E_TOKEN"), std::string::npos) << all(o);
  EXPECT_EQ(o.out.find("s3cret"), std::string::npos);
  EXPECT_EQ(o.err.find("s3cret"), std::string::npos) << "the refusal must not print the value";

  o = d.clnrm({"run", "--no-history", "--allow-env", "CLNRM_E2E_TOKEN", file}, env);
  EXPECT_EQ(o.exit_code, 0) << all(o);
  o = d.clnrm({"run", "--no-history", "--allow-env", "CLNRM_E2E_TOKEN", file});
  EXPECT_EQ(o.exit_code, 2) << all(o);
  EXPECT_NE(o.err.find("is allowed (--allow-env) but not set"), std::string::npos) << all(o);

  // validate reads the file as run does: refused without the flag, valid with it.
  o = d.clnrm({"validate", file}, env);
  EXPECT_EQ(o.exit_code, 1) << all(o);
  EXPECT_NE((o.out + o.err).find("--allow-env CLNRM_E2E_TOKEN"), std::string::npos) << all(o);
  EXPECT_EQ((o.out + o.err).find("s3cret"), std::string::npos);
  o = d.clnrm({"validate", "--allow-env", "CLNRM_E2E_TOKEN", file}, env);
  EXPECT_EQ(o.exit_code, 0) << all(o);
}

TEST(RunVars, ValidateTakesTheSameFlagsAndMalformedOnesAreUsageErrors) {
  CliScratch d;
  const std::string file = d.add("who", who_must_be("x"));
  Outcome o = d.clnrm({"validate", file});
  EXPECT_EQ(o.exit_code, 1) << all(o);
  EXPECT_NE((o.out + o.err).find("unknown variable 'who'"), std::string::npos) << all(o);
  o = d.clnrm({"validate", "--var", "who=x", file});
  EXPECT_EQ(o.exit_code, 0) << all(o);
  o = d.clnrm({"run", "--var", "=x", file});
  EXPECT_EQ(o.exit_code, 2) << all(o);
  EXPECT_NE(o.err.find("--var"), std::string::npos) << all(o);
  o = d.clnrm({"run", "--allow-env", "A-B", file});
  EXPECT_EQ(o.exit_code, 2) << all(o);
  EXPECT_NE(o.err.find("--allow-env"), std::string::npos) << all(o);
}

}  // namespace
