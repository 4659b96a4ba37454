// affected_tests (clnrm/affected_tests.h): changed paths -> the test files to
// run again. The rule is spelled out in the header.
#include <clnrm/affected_tests.h>

#include <algorithm>
#include <filesystem>
#include <set>

namespace clnrm {
namespace {

namespace fs = std::filesystem;

// One spelling per file, so the watcher's paths and discovery's agree.
fs::path normal(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::absolute(path, ec);
  if (ec) p = path;
  p = p.lexically_normal();
  // "a/b/" normalises to "a/b/" (an empty last element): drop it.
  if (!p.has_filename() && p.has_parent_path() && p != p.root_path()) p = p.parent_path();
  return p;
}

// True when `path` is `dir` or lies below it.
bool within(const fs::path& path, const fs::path& dir) {
  auto [d, p] = std::mismatch(dir.begin(), dir.end(), path.begin(), path.end());
  return d == dir.end();
}

}  // namespace

AffectedTests affected_tests(const std::vector<std::string>& before,
                             const std::vector<std::string>& now,
                             const std::vector<std::string>& changed) {
  std::vector<fs::path> now_paths, before_paths;
  for (const std::string& f : now) now_paths.push_back(normal(f));
  for (const std::string& f : before) before_paths.push_back(normal(f));
  const std::set<fs::path> now_set(now_paths.begin(), now_paths.end());
  const std::set<fs::path> before_set(before_paths.begin(), before_paths.end());

  AffectedTests out;
  std::vector<bool> rerun(now.size(), false);
  for (std::size_t i = 0; i < now.size(); ++i)
    if (!before_set.count(now_paths[i])) {
      out.added.push_back(now[i]);
      rerun[i] = true;
    }
  // Test files that came or went: a change at one of them, or at a
  // directory that holds one, is told by the addition or removal itself.
  std::vector<fs::path> came_or_went;
  for (std::size_t i = 0; i < now.size(); ++i)
    if (rerun[i]) came_or_went.push_back(now_paths[i]);
  for (std::size_t i = 0; i < before.size(); ++i)
    if (!now_set.count(before_paths[i])) {
      out.removed.push_back(before[i]);
      came_or_went.push_back(before_paths[i]);
    }

  for (const std::string& c : changed) {
    const fs::path p = normal(c);
    if (now_set.count(p)) {
      for (std::size_t i = 0; i < now.size(); ++i)
        if (now_paths[i] == p) rerun[i] = true;
      continue;
    }
    if (std::any_of(came_or_went.begin(), came_or_went.end(),
                    [&](const fs::path& t) { return within(t, p); }))
      continue;
    // cleanroom.toml's settings apply to every test of the run (it is read
    // again before each run), wherever it sits.
    if (p.filename() == "cleanroom.toml") {
      out.all = !now.empty();
      continue;
    }
    bool contained = false;
    for (std::size_t i = 0; i < now.size(); ++i)
      if (within(p, now_paths[i].parent_path())) {
        rerun[i] = true;
        contained = true;
      }
    if (!contained && !now.empty()) out.all = true;
  }
  if (out.all) std::fill(rerun.begin(), rerun.end(), true);
  for (std::size_t i = 0; i < now.size(); ++i)
    if (rerun[i]) out.rerun.push_back(now[i]);
  return out;
}

}  // namespace clnrm
