// clnrm-embed DIR: runs every *.clnrm.toml under DIR through the clnrm
// library's whole run (run_suite: parse, plan, run, verdicts) with the
// settings `clnrm run` would use (cleanroom.toml from DIR upward, else the
// defaults) and prints each test's status and the verdict; exits 0 when all
// passed, 1 when one did not, 2 on a bad file.
#include <clnrm/run_settings.h>
#include <clnrm/suite.h>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 2) return std::fprintf(stderr, "usage: clnrm-embed DIR\n"), 2;
  clnrm::SuiteOptions options;
  options.paths = {argv[1]};  // no history, no output files
  if (auto file = clnrm::find_project_config(argv[1]))
    options.project = clnrm::load_project_config(*file);
  clnrm::apply_run_settings(clnrm::resolve_run_settings({}, options.project), options);
  const clnrm::SuiteOutcome outcome = clnrm::run_suite(options);
  for (const auto& t : outcome.run.tests)
    std::printf("%s: %s\n", t.name.c_str(), std::string(clnrm::to_string(t.status)).c_str());
  std::printf("%zu of %zu passed\n", outcome.run.count(clnrm::Status::Passed),
              outcome.run.tests.size());
  return outcome.exit_code();
}
