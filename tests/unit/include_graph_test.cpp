// The modules of src/ include one way (docs/ARCHITECTURE.md, "Layers"):
// every #include of the library, read from the sources, must point to a
// module of a lower layer or to the file's own module. A new upward or
// sideways include fails here, naming the file, the line and both modules,
// so the graph cannot grow a cycle again. Also: a module's private headers
// (src/<module>/*.h) are its own, and public headers include only public ones.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

const fs::path kSource = CLNRM_SOURCE_DIR;

// Layer of each module: a module may include modules of lower layers only.
// Modules on one layer are siblings and do not include each other.
const std::map<std::string, int>& layers() {
  static const std::map<std::string, int> kLayers = {
      {"base", 0},                                          // errors, durations, files, escaping
      {"spec", 1},                                          // test-file model and parser
      {"policy", 2},                                        // security level -> isolation policy
      {"compose", 2},                                       // docker-compose.yml -> test file
      {"seccomp_exec", 3},                                  // the static helper (C)
      {"result", 3},                                        // what a run produced (data)
      {"image", 3},                                         // OCI image store for the sandbox
      {"backend", 4},                                       // the Backend interface
      {"backend/sandbox", 5}, {"backend/docker", 5},        // the backends
      {"assert", 5},                                        // step and test checks
      {"wait", 6},                                          // readiness probes
      {"plugin", 7},                                        // service plugins
      {"run", 8},                                           // the runner and the session
      {"history", 9}, {"perf", 9},                          // stores and statistics of results
      {"report", 10},                                       // reporters (read history for trends)
      {"suite", 11}, {"health", 11},                        // a whole run; machine checks
      {"cli", 12},                                          // the clnrm binary
  };
  return kLayers;
}

// The module that owns each public header (include/clnrm/<name>.h).
const std::map<std::string, std::string>& public_header_owners() {
  static const std::map<std::string, std::string> kOwners = {
      {"affected_tests.h", "suite"},
      {"assertions.h", "assert"},
      {"backend.h", "backend"},
      {"backend_choice.h", "run"},
      {"cancel.h", "base"},
      {"compose.h", "compose"},
      {"control_characters.h", "base"},
      {"determinism.h", "run"},
      {"determinism_verdict.h", "run"},
      {"docker.h", "backend/docker"},
      {"duration.h", "base"},
      {"session.h", "run"},
      {"error.h", "base"},
      {"exec_result.h", "result"},
      {"health.h", "health"},
      {"health_check.h", "base"},
      {"http_status.h", "base"},
      {"history.h", "history"},
      {"image.h", "image"},
      {"html_report.h", "report"},
      {"key_tables.h", "spec"},
      {"loopback.h", "base"},
      {"metrics.h", "result"},
      {"metrics_formats.h", "report"},
      {"otlp.h", "report"},
      {"output_tail.h", "base"},
      {"parsed.h", "base"},
      {"parser.h", "spec"},
      {"perf.h", "perf"},
      {"plugin_requirements.h", "spec"},
      {"policy.h", "policy"},
      {"project_config.h", "spec"},
      {"pull_policy.h", "base"},
      {"report.h", "report"},
      {"result.h", "result"},
      {"run_settings.h", "suite"},
      {"runner.h", "run"},
      {"sandbox.h", "backend/sandbox"},
      {"schedule.h", "run"},
      {"service.h", "plugin"},
      {"sha256.h", "base"},
      {"signals.h", "run"},
      {"spec.h", "spec"},
      {"step_timings.h", "run"},
      {"suite.h", "suite"},
      {"test_filter.h", "suite"},
      {"timing_snapshot.h", "history"},
      {"validate.h", "suite"},
      {"version.h", "base"},  // generated into the build tree (cmake/version.h.in)
      {"wait.h", "wait"},
  };
  return kOwners;
}

// Private headers that other modules may include, and why.
const std::map<std::string, std::string>& shared_private_headers() {
  static const std::map<std::string, std::string> kShared = {
      // C, so the static clnrm-seccomp-exec builds the very filter the sandbox loads.
      {"policy/seccomp_deny_rules.h", "the seccomp deny rules, shared with C code"},
  };
  return kShared;
}

// "src/backend/docker/x.cpp" -> "backend/docker"; "src/backend/y.cpp" -> "backend".
std::string module_of_source(const fs::path& relative_to_src) {
  auto it = relative_to_src.begin();
  const std::string first = it->string();
  if (first != "backend") return first;
  ++it;
  const fs::path rest(it->string());
  if (std::next(it) == relative_to_src.end()) return "backend";  // src/backend/<file>
  return "backend/" + rest.string();
}

struct Include {
  std::string spelled;  // as written
  bool angle = false;   // <...>
  int line = 0;
};

std::vector<Include> includes_of(const fs::path& file) {
  std::vector<Include> out;
  std::ifstream in(file);
  std::string text;
  int line = 0;
  while (std::getline(in, text)) {
    ++line;
    // "#include" and "# include" (the preprocessor allows blanks after '#').
    std::size_t i = text.find_first_not_of(" \t");
    if (i == std::string::npos || text[i] != '#') continue;
    i = text.find_first_not_of(" \t", i + 1);
    if (i == std::string::npos || text.compare(i, 7, "include") != 0) continue;
    i = text.find_first_of("<\"", i + 7);
    if (i == std::string::npos) continue;
    const char close = text[i] == '<' ? '>' : '"';
    const std::size_t end = text.find(close, i + 1);
    if (end == std::string::npos) continue;
    out.push_back({text.substr(i + 1, end - i - 1), text[i] == '<', line});
  }
  return out;
}

struct Target {
  std::string module;  // empty: not clnrm's (a system or third-party header)
  bool is_public = false;
  std::string path;    // for messages and the shared-header table
};

Target resolve(const fs::path& file, const Include& inc, std::string& error) {
  if (inc.angle && inc.spelled.rfind("clnrm/", 0) != 0) {
    // <run/step_runner.h> compiles (src/ is an include directory) and is a
    // private header all the same.
    const fs::path candidate = (kSource / "src" / inc.spelled).lexically_normal();
    if (!fs::exists(candidate)) return {};
    return {module_of_source(candidate.lexically_relative(kSource / "src")), false,
            candidate.lexically_relative(kSource / "src").string()};
  }
  if (!inc.angle && fs::exists(kSource / "include" / inc.spelled)) {
    // "clnrm/x.h": the public header, whatever the quotes.
    return resolve(file, {inc.spelled, true, inc.line}, error);
  }
  if (inc.angle) {
    const std::string name = inc.spelled.substr(6);
    const auto& owners = public_header_owners();
    const auto it = owners.find(name);
    if (it == owners.end()) {
      error = "include/clnrm/" + name + " has no owning module: add it to public_header_owners() in " __FILE__;
      return {};
    }
    return {it->second, true, "include/clnrm/" + name};
  }
  for (const fs::path& base : {file.parent_path(), kSource / "src"}) {
    const fs::path candidate = (base / inc.spelled).lexically_normal();
    if (!fs::exists(candidate)) continue;
    const fs::path rel = candidate.lexically_relative(kSource / "src");
    if (rel.empty() || *rel.begin() == "..") return {};
    return {module_of_source(rel), false, rel.string()};
  }
  return {};
}

std::vector<fs::path> files_under(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    const std::string ext = e.path().extension().string();
    if (ext == ".h" || ext == ".cpp" || ext == ".c") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(IncludeGraph, EveryModuleHasALayer) {
  for (const auto& e : fs::directory_iterator(kSource / "src")) {
    if (!e.is_directory()) continue;
    const std::string name = e.path().filename().string();
    if (name == "backend") {
      for (const auto& b : fs::directory_iterator(e.path())) {
        if (!b.is_directory()) continue;
        EXPECT_TRUE(layers().count("backend/" + b.path().filename().string()))
            << "src/backend/" << b.path().filename().string() << " has no layer in " << __FILE__;
      }
      continue;
    }
    EXPECT_TRUE(layers().count(name)) << "src/" << name << " has no layer in " << __FILE__;
  }
  for (const auto& e : fs::directory_iterator(kSource / "include/clnrm")) {
    const std::string name = e.path().filename().string();
    EXPECT_TRUE(public_header_owners().count(name))
        << "include/clnrm/" << name << " has no owning module in " << __FILE__;
  }
  for (const auto& [header, module] : public_header_owners())
    EXPECT_TRUE(layers().count(module)) << header << " is owned by unknown module " << module;
}

TEST(IncludeGraph, ModulesIncludeOnlyLowerLayers) {
  std::vector<std::string> violations;
  auto check = [&](const fs::path& file, const std::string& module, bool file_is_public) {
    const int layer = layers().at(module);
    for (const Include& inc : includes_of(file)) {
      std::string error;
      const Target t = resolve(file, inc, error);
      const std::string where =
          file.lexically_relative(kSource).string() + ":" + std::to_string(inc.line) + ": ";
      if (!error.empty()) {
        violations.push_back(where + error);
        continue;
      }
      if (t.module.empty()) continue;
      if (file_is_public && !t.is_public) {
        violations.push_back(where + "a public header includes the private header src/" + t.path);
        continue;
      }
      if (!t.is_public && t.module != module && t.module != "base" && !shared_private_headers().count(t.path) &&
          !(t.module == "backend" && module.rfind("backend/", 0) == 0)) {
        violations.push_back(where + "includes src/" + t.path + ", a private header of module " + t.module +
                             " (from module " + module + "): use or add a public header in include/clnrm/");
        continue;
      }
      if (t.module == module) continue;
      const int target_layer = layers().at(t.module);
      if (target_layer >= layer)
        violations.push_back(where + "module " + module + " (layer " + std::to_string(layer) +
                             ") includes " + (t.is_public ? t.path : "src/" + t.path) + " of module " +
                             t.module + " (layer " + std::to_string(target_layer) + ")" +
                             (target_layer == layer ? ": siblings do not include each other"
                                                    : ": an upward include"));
    }
  };
  for (const fs::path& file : files_under(kSource / "src"))
    check(file, module_of_source(file.lexically_relative(kSource / "src")), false);
  for (const fs::path& file : files_under(kSource / "include/clnrm")) {
    const auto it = public_header_owners().find(file.filename().string());
    if (it != public_header_owners().end()) check(file, it->second, true);
  }
  std::string all;
  for (const std::string& v : violations) all += v + "\n";
  EXPECT_TRUE(violations.empty()) << violations.size() << " include(s) against the layers:\n" << all;
}

// One spelling per header: a quoted include names its file from an include
// root (src/ for the library, src/ or tests/ for the tests, the project root
// only for the fuzz targets the regression test compiles in), never relative
// to the including file. "run/step_runner.h" reads the same in every file, and
// grep finds every user of a header.
TEST(IncludeGraph, QuotedIncludesAreSpelledFromAnIncludeRoot) {
  std::vector<std::string> violations;
  auto check = [&](const fs::path& file, const std::vector<fs::path>& roots) {
    for (const Include& inc : includes_of(file)) {
      const std::string where =
          file.lexically_relative(kSource).string() + ":" + std::to_string(inc.line) + ": ";
      if (inc.angle) {
        if (inc.spelled.rfind("clnrm/", 0) != 0 && fs::exists(kSource / "src" / inc.spelled))
          violations.push_back(where + "<" + inc.spelled + "> is a private header: write \"" + inc.spelled + "\"");
        continue;
      }
      if (fs::exists(kSource / "include" / inc.spelled)) {
        violations.push_back(where + "\"" + inc.spelled + "\" is a public header: write <" + inc.spelled + ">");
        continue;
      }
      if (inc.spelled.find("./") != std::string::npos) {
        violations.push_back(where + "\"" + inc.spelled + "\" climbs directories; spell it from an include root");
        continue;
      }
      bool from_root = false;
      for (const fs::path& root : roots) from_root = from_root || fs::exists(root / inc.spelled);
      const bool beside = fs::exists(file.parent_path() / inc.spelled);
      if (!from_root && beside) {
        const fs::path full = (file.parent_path() / inc.spelled).lexically_normal();
        violations.push_back(where + "\"" + inc.spelled + "\" is spelled relative to its directory; write \"" +
                             full.lexically_relative(roots.front()).string() + "\"");
      }
    }
  };
  for (const fs::path& file : files_under(kSource / "src")) check(file, {kSource / "src"});
  for (const fs::path& file : files_under(kSource / "include/clnrm")) check(file, {kSource / "src"});
  for (const fs::path& file : files_under(kSource / "tests")) {
    check(file, {kSource / "tests", kSource / "src"});
  }
  // Benchmarks measure internals (src/ headers are fine) and may borrow the
  // tests' fixtures; fuzz targets compile library sources.
  for (const fs::path& file : files_under(kSource / "bench"))
    if (file.string().find("node_modules") == std::string::npos)
      check(file, {kSource / "bench", kSource / "src", kSource / "tests"});
  for (const fs::path& file : files_under(kSource / "fuzz")) check(file, {kSource / "fuzz", kSource / "src", kSource});
  std::string all;
  for (const std::string& v : violations) all += v + "\n";
  EXPECT_TRUE(violations.empty()) << violations.size() << " include(s) not spelled from a root:\n" << all;
}

// examples/ are programs built against the installed package: they can
// include only its public headers.
TEST(IncludeGraph, ExamplesIncludeOnlyThePublicHeaders) {
  std::vector<std::string> violations;
  for (const fs::path& file : files_under(kSource / "examples"))
    for (const Include& inc : includes_of(file)) {
      const std::string where =
          file.lexically_relative(kSource).string() + ":" + std::to_string(inc.line) + ": ";
      if (!inc.angle)
        violations.push_back(where + "\"" + inc.spelled + "\": an installed package has only <clnrm/...>");
      else if (inc.spelled.rfind("clnrm/", 0) == 0 && !fs::exists(kSource / "include" / inc.spelled))
        violations.push_back(where + "<" + inc.spelled + "> is not a public header");
    }
  std::string all;
  for (const std::string& v : violations) all += v + "\n";
  EXPECT_TRUE(violations.empty()) << all;
}

}  // namespace
