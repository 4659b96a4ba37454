// Checking test files without running them (include/clnrm/validate.h).
#include <clnrm/validate.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <utility>

namespace clnrm {

ParseOptions with_project_vars(ParseOptions options, const std::optional<ProjectConfig>& project) {
  if (project && options.project_vars.empty()) options.project_vars = project->vars;
  return options;
}

ParseResult parse_project_test_file(const std::string& file, const ParseOptions& options,
                                    const std::optional<ProjectConfig>& project) {
  ParseResult r = parse_test_file(file, options);
  if (r.ok() && project)
    if (std::optional<Diagnostic> d = apply_project_security_level(*project, *r.spec)) {
      r.diagnostics.push_back(std::move(*d));
      r.spec.reset();
    }
  return r;
}

namespace {

void tally(FileValidation& v, bool read) {
  for (const Diagnostic& d : v.diagnostics)
    (d.severity == Diagnostic::Severity::Error ? v.errors : v.warnings)++;
  v.read = read;
}

// Runs on a worker thread: the parsed spec is freed right away, only what the
// answer needs is kept.
FileValidation check_test_file(const std::string& file, const ParseOptions& options,
                               const std::optional<ProjectConfig>& project) {
  ParseResult r = parse_project_test_file(file, options, project);
  FileValidation v;
  v.file = file;
  v.diagnostics = std::move(r.diagnostics);
  tally(v, r.ok());
  if (r.ok()) {
    v.name = r.spec->name;
    v.name_pos = r.name_pos;
    v.steps = r.spec->steps.size();
    v.scenarios = r.spec->scenarios.size();
    v.services = r.spec->services.size();
  }
  return v;
}

std::vector<FileValidation> check_test_files(const std::vector<std::string>& files, const ParseOptions& options,
                                             const std::optional<ProjectConfig>& project, unsigned jobs) {
  std::vector<FileValidation> out(files.size());
  if (jobs == 0) jobs = std::max(1u, std::thread::hardware_concurrency());
  jobs = static_cast<unsigned>(std::min<std::size_t>(jobs, files.size()));
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i = next++; i < files.size(); i = next++) out[i] = check_test_file(files[i], options, project);
  };
  {
    std::vector<std::jthread> workers;
    for (unsigned j = 1; j < jobs; ++j) workers.emplace_back(work);
    work();
  }  // all workers joined: `out` is complete and no longer shared
  return out;
}

// Tests of one name in different files: legal (reports key tests by file and
// name) but easy to confuse, so each is a warning naming the others.
void warn_duplicate_names(std::vector<FileValidation>& files) {
  std::vector<TestNameUse> names;
  std::vector<std::size_t> file_of;  // names[k] is files[file_of[k]]'s
  for (std::size_t i = 0; i < files.size(); ++i)
    if (!files[i].name.empty()) {
      names.push_back({files[i].name, files[i].file, files[i].name_pos});
      file_of.push_back(i);
    }
  for (const DuplicateName& duplicate : find_duplicate_names(names)) {
    std::vector<std::size_t> indices;
    for (std::size_t k : duplicate.uses) indices.push_back(file_of[k]);
    for (std::size_t i : indices) {
      std::vector<std::string> others;
      for (std::size_t j : indices)
        if (j != i)
          others.push_back(
              fmt::format("{}:{}:{}", files[j].file, files[j].name_pos.line, files[j].name_pos.column));
      files[i].duplicate_name =
          Diagnostic{Diagnostic::Severity::Warning, files[i].file, files[i].name_pos,
                     fmt::format("test name '{}' is also used by {}", duplicate.name, fmt::join(others, ", "))};
      ++files[i].warnings;
    }
  }
}

}  // namespace

Validation validate_suite(const std::vector<std::string>& files, const ValidateOptions& options) {
  Validation out;
  std::optional<ProjectConfig> project;
  if (options.project_config) {
    // cleanroom.toml is checked like a test file and counted with them.
    ProjectConfigCheck c = check_project_config_file(*options.project_config);
    FileValidation v;
    v.file = *options.project_config;
    v.project_config = true;
    v.diagnostics = std::move(c.diagnostics);
    tally(v, c.ok());
    project = std::move(c.config);
    out.files.push_back(std::move(v));
  }
  // Files are checked, never run: each regex is compiled to check it, and no
  // compiled one is kept (12 % of validating 10k steps with a regex each); a
  // plain literal is not compiled at all (src/spec/plain_pattern.h).
  ParseOptions parse = with_project_vars(options.parse, project);
  parse.keep_patterns = false;
  std::vector<FileValidation> tests = check_test_files(files, parse, project, options.jobs);
  warn_duplicate_names(tests);
  out.files.insert(out.files.end(), std::make_move_iterator(tests.begin()), std::make_move_iterator(tests.end()));
  for (FileValidation& v : out.files) {
    v.valid = v.read && !(options.strict && v.warnings > 0);
    out.valid += v.valid;
    out.errors += v.errors;
    out.warnings += v.warnings;
  }
  return out;
}

}  // namespace clnrm
