// clnrm-embed DIR: runs every *.clnrm.toml under DIR through the clnrm
// library on the default backend and prints each test's status and the
// verdict; exits 0 when all passed, 1 when one did not, 2 on a bad file.
#include <clnrm/backend_choice.h>
#include <clnrm/parser.h>
#include <clnrm/runner.h>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 2) return std::fprintf(stderr, "usage: clnrm-embed DIR\n"), 2;
  std::vector<clnrm::TestSpec> tests;
  for (const std::string& file : clnrm::discover_test_files({argv[1]})) {
    clnrm::ParseResult parsed = clnrm::parse_test_file(file);
    if (!parsed.ok()) return std::fprintf(stderr, "%s\n", parsed.diagnostics[0].format().c_str()), 2;
    tests.push_back(std::move(*parsed.spec));
  }
  clnrm::Environment env(clnrm::make_backend(clnrm::default_backend_name(), tests));
  clnrm::register_builtin_plugins(env.services());
  const clnrm::RunResult run = clnrm::run_tests(env, tests, {});
  for (const auto& t : run.tests)
    std::printf("%s: %s\n", t.name.c_str(), std::string(clnrm::to_string(t.status)).c_str());
  std::printf("%zu of %zu passed\n", run.count(clnrm::Status::Passed), run.tests.size());
  return run.exit_code();
}
