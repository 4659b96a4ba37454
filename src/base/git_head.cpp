// HEAD's commit from a repository's files (src/base/git_head.h); git's own
// layout: gitrepository-layout(5), gitglossary(7) "packed refs".
#include "base/git_head.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

namespace clnrm {
namespace {

bool is_commit_id(std::string_view text) {
  if (text.size() != 40 && text.size() != 64) return false;
  for (char c : text)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// The whole file, or nullopt when it cannot be read.
std::optional<std::string> read_small_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

std::string parent_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

// A relative path in a .git file or commondir is relative to `base`.
std::string resolve(const std::string& base, const std::string& path) {
  return !path.empty() && path.front() == '/' ? path : base + "/" + path;
}

// The repository directory of the work tree containing `dir`: `.git` as a
// directory, or a `.git` file saying "gitdir: PATH" (linked work trees,
// submodules). Upward from `dir`, stopping where the file system changes,
// as git does without GIT_DISCOVERY_ACROSS_FILESYSTEM. "" when none.
std::string find_git_dir(const std::string& dir) {
  char* real = ::realpath(dir.c_str(), nullptr);
  if (real == nullptr) return {};
  std::string current = real;
  std::free(real);
  struct stat start {};
  if (::stat(current.c_str(), &start) != 0) return {};
  for (;;) {
    const std::string dot_git = current == "/" ? "/.git" : current + "/.git";
    struct stat st {};
    if (::stat(dot_git.c_str(), &st) == 0) {
      if (S_ISDIR(st.st_mode)) return dot_git;
      if (S_ISREG(st.st_mode)) {
        const std::optional<std::string> text = read_small_file(dot_git);
        const std::string line = text ? first_line(*text) : std::string();
        if (!line.starts_with("gitdir: ")) return {};
        return resolve(current, line.substr(8));
      }
    }
    if (current == "/") return {};
    const std::string parent = parent_of(current);
    struct stat up {};
    if (::stat(parent.c_str(), &up) != 0 || up.st_dev != start.st_dev) return {};
    current = parent;
  }
}

// A ref's name as HEAD may name it: under refs/, no "..".
bool is_plain_ref(const std::string& name) {
  return name.starts_with("refs/") && name.find("..") == std::string::npos &&
         name.find("/.") == std::string::npos;
}

// `name` in packed-refs ("<id> <name>" lines; "#" header, "^" peeled lines).
std::string packed_ref(const std::string& common_dir, const std::string& name) {
  std::ifstream in(common_dir + "/packed-refs");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.front() == '#' || line.front() == '^') continue;
    const auto space = line.find(' ');
    if (space != std::string::npos && line.compare(space + 1, std::string::npos, name) == 0)
      return line.substr(0, space);
  }
  return {};
}

enum class Answer { Found, NoCommit, AskGit };

// HEAD of the repository at `git_dir`: a commit id, or a symbolic ref
// followed to its loose file (per-work-tree dir first, then the common dir)
// or its packed-refs line.
Answer head_commit(const std::string& git_dir, std::string& commit) {
  std::string common_dir = git_dir;
  if (const std::optional<std::string> text = read_small_file(git_dir + "/commondir"))
    common_dir = resolve(git_dir, first_line(*text));
  struct stat st {};
  if (::stat((common_dir + "/reftable").c_str(), &st) == 0) return Answer::AskGit;
  std::optional<std::string> text = read_small_file(git_dir + "/HEAD");
  if (!text) return Answer::NoCommit;
  std::string value = first_line(*text);
  for (int depth = 0; depth < 5; ++depth) {
    if (is_commit_id(value)) {
      commit = value;
      return Answer::Found;
    }
    if (!value.starts_with("ref: ")) return Answer::NoCommit;
    const std::string name = value.substr(5);
    if (!is_plain_ref(name)) return Answer::AskGit;
    text = read_small_file(git_dir + "/" + name);
    if (!text && common_dir != git_dir) text = read_small_file(common_dir + "/" + name);
    if (text) {
      value = first_line(*text);
      continue;
    }
    value = packed_ref(common_dir, name);
    if (value.empty()) return Answer::NoCommit;  // an unborn branch
  }
  return Answer::AskGit;
}

bool git_environment_set() {
  for (const char* name : {"GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_CEILING_DIRECTORIES",
                           "GIT_DISCOVERY_ACROSS_FILESYSTEM"})
    if (std::getenv(name) != nullptr) return true;
  return false;
}

}  // namespace

std::string git_head(const std::string& dir) {
  if (git_environment_set()) return git_head_from_git(dir);
  const std::string git_dir = find_git_dir(dir);
  if (git_dir.empty()) return {};
  std::string commit;
  switch (head_commit(git_dir, commit)) {
    case Answer::Found:
      return commit;
    case Answer::NoCommit:
      return {};
    case Answer::AskGit:
      break;
  }
  return git_head_from_git(dir);
}

std::string git_head_from_git(const std::string& dir) {
  std::string quoted = "'";
  for (char c : dir) quoted += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  quoted += "'";
  // stderr is discarded: "not a git repository" is normal.
  const std::string cmd = "git -C " + quoted + " rev-parse --verify -q HEAD 2>/dev/null";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return {};
  std::array<char, 128> buf{};
  std::string out;
  while (std::fgets(buf.data(), static_cast<int>(buf.size()), pipe)) out += buf.data();
  const int status = ::pclose(pipe);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return {};
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return is_commit_id(out) ? out : std::string();
}

}  // namespace clnrm
