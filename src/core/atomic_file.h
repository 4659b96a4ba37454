#pragma once
// Writing an output file (reports, metrics, traces, digests) so that a reader
// never sees half of it: write to a temporary name, then rename over the path.

#include <optional>
#include <string>
#include <string_view>

namespace clnrm {

// Throws Error(Io) naming the path when the directory is missing or not writable.
void write_file_atomically(const std::string& path, std::string_view content);

// Why `relative` cannot name a file below a directory: empty, absolute, a
// `..` component, no file name (`a/`, `.`), or a control character. nullopt
// when it is fine. Used for paths from untrusted test files.
std::optional<std::string> why_not_beneath(std::string_view relative);

// The same for a path an untrusted test file names, kept inside `dir`:
// `relative` must pass why_not_beneath(); no symbolic link below `dir` is
// followed (each directory is opened with O_NOFOLLOW, missing ones are
// created), and a symbolic link in place of the file is refused, not written
// through. `dir` itself is the user's and may be a link. Throws Error(Io).
void write_file_atomically_beneath(const std::string& dir, std::string_view relative,
                                   std::string_view content);

}  // namespace clnrm
