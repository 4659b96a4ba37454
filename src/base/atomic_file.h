#pragma once
// Writing an output file (reports, metrics, traces, digests) so that a reader
// never sees half of it: write to a temporary name, then rename over the path.

#include <optional>
#include <string>
#include <string_view>

namespace clnrm {

// Throws Error(Io) naming the path when the directory is missing or not writable.
// /dev/stdout, /dev/stderr, /dev/fd/N and /proc/self/fd/N are written through
// that descriptor; a device, FIFO or symbolic link in place (not replaced).
void write_file_atomically(const std::string& path, std::string_view content);

// The same for a file that must not exist yet (`clnrm import compose -o`
// without --force): the content appears at once under `path`, which is
// never replaced, even by a file that appears meanwhile: Error(Io) saying
// it exists.
void write_new_file_atomically(const std::string& path, std::string_view content);

// Why write_file_atomically(path, ...) would fail, checked before a run so a
// bad report path is an error before anything runs, not after the verdict.
// Creates missing parent directories (as the report writers do); nullopt when
// writable. The answer names the path.
std::optional<std::string> why_not_writable(const std::string& path);

// Why `relative` cannot name a file below a directory: empty, absolute, a
// `..` component, no file name (`a/`, `.`), or a control character. nullopt
// when it is fine. Used for paths from untrusted test files.
std::optional<std::string> why_not_beneath(std::string_view relative);

// True when the absolute, normalised `path` is `dir` or lies below it
// ("/a/bc" is not below "/a/b"). For paths already made canonical.
bool is_same_or_below(std::string_view path, std::string_view dir);

// The same for a path an untrusted test file names, kept inside `dir`:
// `relative` must pass why_not_beneath(); no symbolic link below `dir` is
// followed (each directory is opened with O_NOFOLLOW, missing ones are
// created), and a symbolic link in place of the file is refused, not written
// through. `dir` itself is the user's and may be a link. Throws Error(Io).
void write_file_atomically_beneath(const std::string& dir, std::string_view relative,
                                   std::string_view content);

}  // namespace clnrm
