#pragma once
// Every test file is parsed before anything runs: without keep_going one
// invalid file stops the run, with it each invalid file becomes an Error
// result that every report lists beside the tests that ran.

#include <clnrm/parser.h>
#include <clnrm/project_config.h>
#include <clnrm/result.h>
#include <clnrm/suite.h>

#include <optional>
#include <string>
#include <vector>

namespace clnrm::suite {

struct ParsedInputs {
  std::vector<TestSpec> tests;
  std::vector<TestNameUse> names;  // of each test, for duplicate names
  std::vector<TestResult> invalid;  // one Status::Error result per invalid file
  bool unknown_keys = false;        // an error that ParseOptions::upstream makes a warning
};

// An invalid file as a result: its name is the file's (the name inside could
// not be read), its message counts and lists the errors.
TestResult invalid_file_result(const std::string& file, const std::vector<Diagnostic>& diagnostics);

// Parses every file in order, telling `observer` each diagnostic as it comes.
// The project's security_level applies here: a test below it is an invalid
// file like any other.
ParsedInputs parse_inputs(const std::vector<std::string>& files, const ParseOptions& options,
                          const std::optional<ProjectConfig>& project, SuiteObserver& observer);

}  // namespace clnrm::suite
