// Finding *.clnrm.toml files under the paths a user gives.
#include <clnrm/error.h>
#include <clnrm/parser.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <vector>

namespace clnrm {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSuffix = ".clnrm.toml";

bool is_test_file(const fs::path& p) {
  const std::string name = p.filename().string();
  return name.size() > kSuffix.size() &&
         name.compare(name.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0;
}

}  // namespace

std::vector<std::string> discover_test_files(const std::vector<std::string>& paths,
                                             std::vector<SkippedFile>* skipped) {
  std::vector<std::string> files;
  for (const std::string& given : paths) {
    std::error_code ec;
    const fs::file_status status = fs::status(given, ec);
    // Say why: a symbolic link loop (ELOOP) or a denied directory is not "no such file".
    if (ec && ec != std::errc::no_such_file_or_directory)
      throw Error(ErrorKind::Usage, "cannot use " + given + ": " + ec.message());
    if (ec || !fs::exists(status))
      throw Error(ErrorKind::Usage, "no such file or directory: " + given);
    if (!fs::is_directory(status)) {
      // A file named explicitly is taken whatever its name: the user asked for it.
      files.push_back(given);
      continue;
    }
    fs::recursive_directory_iterator it(given, fs::directory_options::skip_permission_denied, ec),
        end;
    if (ec) throw Error(ErrorKind::Io, "cannot read directory " + given + ": " + ec.message());
    for (; it != end; it.increment(ec)) {
      if (ec) throw Error(ErrorKind::Io, "cannot read directory " + given + ": " + ec.message());
      // Found files must be regular files themselves: a symbolic link found in
      // a (pull-request) tree could point at a host file or a device.
      const fs::file_type type = it->symlink_status(ec).type();
      if (type == fs::file_type::directory) continue;
      if (type == fs::file_type::regular && is_test_file(it->path()))
        files.push_back(it->path().string());
      else if (skipped)
        skipped->push_back({it->path().string(), is_test_file(it->path())
                                                     ? SkippedFile::Why::SymbolicLink
                                                     : SkippedFile::Why::NotATestFile,
                             {}});
    }
  }
  if (skipped)
    std::sort(skipped->begin(), skipped->end(),
              [](const SkippedFile& a, const SkippedFile& b) { return a.path < b.path; });
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

std::vector<std::string> select_test_files(const std::vector<std::string>& paths,
                                           bool include_failing,
                                           std::vector<SkippedFile>* skipped) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  // One path at a time: the order of the paths is the order of the run
  // (discover_test_files sorts what one path holds).
  for (const std::string& path : paths) {
    std::error_code ec;
    const bool is_dir = fs::is_directory(path, ec);
    for (std::string& file : discover_test_files({path}, skipped)) {
      if (is_dir && !include_failing)
        if (std::optional<std::string> failing = failing_directory_below(path, file)) {
          if (skipped)
            skipped->push_back({std::move(file), SkippedFile::Why::FailingDirectory, std::move(*failing)});
          continue;
        }
      if (seen.insert(fs::weakly_canonical(file, ec).string()).second)
        out.push_back(std::move(file));
    }
  }
  return out;
}

std::optional<std::string> failing_directory_below(const std::string& root, const std::string& file) {
  const fs::path rel = fs::path(file).lexically_relative(fs::path(root));
  const fs::path base = rel.empty() || *rel.begin() == ".." ? fs::path(file) : rel;
  // Every component but the last (the file name) is a directory; the answer
  // is `file` cut after the innermost `failing` among them.
  const std::vector<fs::path> parts(base.begin(), base.end());
  for (std::size_t i = parts.size() > 1 ? parts.size() - 1 : 0; i-- > 0;)
    if (parts[i] == "failing") {
      fs::path dir(file);
      for (std::size_t up = parts.size() - 1 - i; up > 0; --up) dir = dir.parent_path();
      return dir.string();
    }
  return std::nullopt;
}

}  // namespace clnrm
