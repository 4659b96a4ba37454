// Checking test files without running them (include/clnrm/validate.h): the
// library's validate_suite, which `clnrm validate` prints, and the per-file
// rule run_suite's parse_inputs shares.
#include <clnrm/validate.h>

#include <gtest/gtest.h>

#include "support/suite_scratch.h"

using namespace clnrm;
using suite_test::ScratchDir;
using suite_test::test_file;

namespace {

const FileValidation& of(const Validation& v, const std::string& file) {
  for (const FileValidation& f : v.files)
    if (f.file == file) return f;
  throw std::runtime_error("not checked: " + file);
}

}  // namespace

// cleanroom.toml is checked first and counted; its [vars] fill templates and
// its security_level is a floor, as in a run.
TEST(ValidateSuite, TheProjectIsCheckedAndApplied) {
  ScratchDir dir;
  const std::string config =
      dir.write("cleanroom.toml", "[vars]\nwho = \"project\"\n[defaults]\nsecurity_level = \"high\"\n");
  const std::string templated = dir.write("t.clnrm.toml", test_file("t", "echo {{ who }}"));
  const std::string low = dir.write("low.clnrm.toml", test_file("low", "true", "[policy]\nsecurity_level = \"low\"\n"));
  ValidateOptions options;
  options.project_config = config;
  Validation v = validate_suite({templated, low}, options);
  ASSERT_EQ(v.files.size(), 3u);
  EXPECT_TRUE(v.files[0].project_config);
  EXPECT_TRUE(v.files[0].valid);
  EXPECT_TRUE(of(v, templated).valid);
  EXPECT_EQ(of(v, templated).name, "t");
  EXPECT_EQ(of(v, templated).steps, 1u);
  const FileValidation& below = of(v, low);
  EXPECT_FALSE(below.read);
  EXPECT_FALSE(below.valid);
  ASSERT_EQ(below.errors, 1u);
  EXPECT_NE(below.diagnostics.back().message.find("is below the project's \"high\""), std::string::npos)
      << below.diagnostics.back().format();
  EXPECT_EQ(v.valid, 2u);
  EXPECT_FALSE(v.ok());

  // Without the project: {{ who }} names nothing and `low` is allowed.
  v = validate_suite({templated, low}, {});
  ASSERT_EQ(v.files.size(), 2u);
  EXPECT_FALSE(of(v, templated).valid);
  EXPECT_TRUE(of(v, low).valid);
}

// A caller's own project_vars win over the project's [vars] (run_suite's rule too).
TEST(ValidateSuite, ACallersProjectVarsWin) {
  ProjectConfig project = parse_project_config("[vars]\nwho = \"project\"\n", "/p/cleanroom.toml");
  EXPECT_EQ(with_project_vars({}, project).project_vars.at("who"), "project");
  ParseOptions caller;
  caller.project_vars["who"] = "caller";
  EXPECT_EQ(with_project_vars(caller, project).project_vars.at("who"), "caller");
  EXPECT_TRUE(with_project_vars({}, std::nullopt).project_vars.empty());
}

// Tests of one name in different files are a warning on each, naming the
// others; under strict that makes them invalid.
TEST(ValidateSuite, DuplicateNamesWarnAndStrictFailsThem) {
  ScratchDir dir;
  const std::string a = dir.write("a.clnrm.toml", test_file("same"));
  const std::string b = dir.write("b.clnrm.toml", test_file("same"));
  const std::string c = dir.write("c.clnrm.toml", test_file("other"));
  Validation v = validate_suite({a, b, c}, {});
  ASSERT_EQ(v.files.size(), 3u);
  ASSERT_TRUE(v.files[0].duplicate_name);
  EXPECT_EQ(v.files[0].duplicate_name->message, "test name 'same' is also used by " + b + ":2:8");
  EXPECT_EQ(v.files[0].duplicate_name->severity, Diagnostic::Severity::Warning);
  ASSERT_TRUE(v.files[1].duplicate_name);
  EXPECT_FALSE(v.files[2].duplicate_name);
  EXPECT_EQ(v.warnings, 2u);
  EXPECT_TRUE(v.ok());

  ValidateOptions strict;
  strict.strict = true;
  strict.jobs = 2;
  v = validate_suite({a, b, c}, strict);
  EXPECT_FALSE(v.files[0].valid);
  EXPECT_TRUE(v.files[0].read);
  EXPECT_TRUE(v.files[2].valid);
  EXPECT_EQ(v.valid, 1u);
  EXPECT_FALSE(v.ok());
}
