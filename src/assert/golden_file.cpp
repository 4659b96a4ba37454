// expected_output_file: a step's stdout equals a file beside the test (a
// "golden" file); `clnrm run --update-golden` rewrites it instead. The file
// is named by an untrusted test file, so it is read and written only below
// the test file's directory, without following any symbolic link there
// (open_beneath, base/open_beneath.h, to read; write_file_atomically_beneath
// to write).
#include <clnrm/assertions.h>
#include <clnrm/control_characters.h>
#include <clnrm/error.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/atomic_file.h"
#include "base/open_beneath.h"
#include "base/unique_fd.h"

namespace clnrm {
namespace {

// Golden files are compared whole; anything larger is refused, not read.
constexpr std::size_t kMaxGoldenBytes = 16u << 20;

// The content of `relative` below `dir`, or nullopt with `why` set (ENOENT:
// "does not exist").
std::optional<std::string> read_beneath(const std::string& dir, const std::string& relative,
                                        std::string& why) {
  UniqueFd dir_fd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd.valid()) {
    why = fmt::format("cannot open the test's directory {}: {}", dir, std::strerror(errno));
    return std::nullopt;
  }
  UniqueFd fd = open_beneath(dir_fd.get(), relative, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (!fd.valid()) {
    why = errno == ENOENT ? "does not exist"
          : errno == ELOOP || errno == EXDEV
              ? "has a symbolic link on its path (refused: it could lead out of the test's directory)"
              : std::strerror(errno);
    return std::nullopt;
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    why = "is not a regular file";
    return std::nullopt;
  }
  if (static_cast<std::size_t>(st.st_size) > kMaxGoldenBytes) {
    why = fmt::format("is larger than {} bytes", kMaxGoldenBytes);
    return std::nullopt;
  }
  std::string content;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      why = std::strerror(errno);
      return std::nullopt;
    }
    if (n == 0) break;
    content.append(buf, static_cast<std::size_t>(n));
    if (content.size() > kMaxGoldenBytes) {
      why = fmt::format("is larger than {} bytes", kMaxGoldenBytes);
      return std::nullopt;
    }
  }
  return content;
}

// Where `expected` and `actual` first differ: "line N" and both lines.
std::string first_difference(std::string_view expected, std::string_view actual) {
  std::size_t line = 1, start = 0, i = 0;
  while (i < expected.size() && i < actual.size() && expected[i] == actual[i]) {
    if (expected[i] == '\n') {
      ++line;
      start = i + 1;
    }
    ++i;
  }
  auto line_at = [&](std::string_view text) -> std::string {
    if (start >= text.size()) return "(end of output)";
    const std::string_view rest = text.substr(start);
    std::string_view shown = rest.substr(0, rest.find('\n'));
    const bool cut = shown.size() > 200;
    if (cut) shown = shown.substr(0, 200);
    return fmt::format("\"{}\"{}", escape_control_characters(shown), cut ? "..." : "");
  };
  return fmt::format("first difference at line {}:\n    expected: {}\n    actual:   {}", line,
                     line_at(expected), line_at(actual));
}

}  // namespace

void check_golden_file(const GoldenFile& golden, std::string_view output, bool update,
                       AssertionResult& a) {
  a.name = "expected_output_file";
  if (update) {
    try {
      write_file_atomically_beneath(golden.dir, golden.relative, output);
      a.passed = true;
      a.message = fmt::format("rewrote {} (--update-golden)", golden.relative);
    } catch (const Error& e) {
      a.passed = false;
      a.message = fmt::format("could not rewrite expected_output_file {}: {}", golden.relative,
                              e.describe());
    }
    return;
  }
  std::string why;
  const std::optional<std::string> expected = read_beneath(golden.dir, golden.relative, why);
  if (!expected) {
    a.passed = false;
    a.message = fmt::format("expected_output_file {} {} (clnrm run --update-golden writes it)",
                            golden.relative, why);
    return;
  }
  a.passed = *expected == output;
  if (a.passed) return;
  a.message = fmt::format(
      "stdout differs from expected_output_file {} ({} bytes expected, {} printed; clnrm run "
      "--update-golden rewrites it)\n  {}",
      golden.relative, expected->size(), output.size(), first_difference(*expected, output));
}

}  // namespace clnrm
