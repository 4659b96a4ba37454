#pragma once
// The commit a git work tree is at, for history rows and bench results.

#include <string>

namespace clnrm {

// What `git -C dir rev-parse --verify -q HEAD` prints (a 40- or 64-digit
// hex commit id), or "" when `dir` is not in a git work tree, HEAD names no
// commit yet, or git cannot tell. Read from the repository's files (the
// .git directory or file found from `dir` upward, not across a file system
// boundary, as git looks; HEAD, loose refs, packed-refs; linked work trees
// through commondir): starting `sh` and `git` cost a one-test run more than
// its cleanroom. Git itself is asked only where the files do not settle it:
// with GIT_DIR, GIT_WORK_TREE, GIT_COMMON_DIR, GIT_CEILING_DIRECTORIES or
// GIT_DISCOVERY_ACROSS_FILESYSTEM set, or for a reftable repository.
std::string git_head(const std::string& dir);

// The same answer from running `git -C dir rev-parse --verify -q HEAD`
// ("" when git is not installed). git_head's fallback; tests compare the two.
std::string git_head_from_git(const std::string& dir);

}  // namespace clnrm
