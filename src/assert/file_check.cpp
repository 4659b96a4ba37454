// expect_file: whether a file exists in the step's filesystem, its mode and
// content. The look is a small POSIX shell command run where the step ran
// (its service's container or root, else the pod), as a step runs: the path
// and any symbolic link on it resolve inside the cleanroom's own root, never
// on the host's, and the check sees only what a step could see. Needs `sh`,
// `stat` and `cat` there (busybox has them).
#include <clnrm/assertions.h>
#include <clnrm/control_characters.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <charconv>

namespace clnrm {
namespace {

// $1 the path, $2 "content" when the content is wanted. First line:
// "absent" or "present KIND MODE"; then the content of a regular file.
constexpr const char* kProbeScript =
    "p=$1\n"
    "if [ ! -e \"$p\" ] && [ ! -h \"$p\" ]; then echo absent; exit 0; fi\n"
    "if [ -d \"$p\" ]; then k=directory; elif [ -f \"$p\" ]; then k=file;"
    " elif [ ! -e \"$p\" ]; then k=dangling-link; else k=other; fi\n"
    "m=$(stat -L -c %a \"$p\" 2>/dev/null) || m=unknown\n"
    "echo \"present $k $m\"\n"
    "if [ \"$2\" = content ] && [ $k = file ]; then exec cat -- \"$p\"; fi\n";

std::string octal(std::uint32_t mode) { return fmt::format("{:04o}", mode); }

}  // namespace

ProcessSpec file_probe(const FileCheck& check) {
  ProcessSpec p;
  p.name = "expect-file";
  const bool content = check.content_regex || check.content_regex_not;
  p.argv = {"sh", "-c", kProbeScript, "clnrm-expect-file", check.path,
            content ? "content" : "no-content"};
  p.timeout = std::chrono::seconds(30);
  return p;
}

std::optional<std::string> file_mismatch(const FileCheck& check, const ExecResult& probe) {
  const std::string_view out = probe.stdout_data;
  const std::size_t eol = out.find('\n');
  const std::string_view status = out.substr(0, eol);
  if (probe.exit_code != 0 || eol == std::string_view::npos ||
      !(status == "absent" || status.starts_with("present "))) {
    std::string err = probe.stderr_data.substr(0, 300);
    while (!err.empty() && err.back() == '\n') err.pop_back();
    return fmt::format("could not look at {} in the cleanroom (`sh -c` with stat and cat exited "
                       "{}{}{})",
                       check.path, probe.exit_code, err.empty() ? "" : ": ", err);
  }
  const bool present = status != "absent";
  if (!check.exists)
    return present ? std::optional<std::string>(
                         fmt::format("expected {} to be absent, but it exists", check.path))
                   : std::nullopt;
  if (!present) return fmt::format("expected {} to exist, but it does not", check.path);

  // "present KIND MODE"
  const std::string_view rest = status.substr(8);
  const std::string_view kind = rest.substr(0, rest.find(' '));
  const std::string_view mode_text = rest.substr(std::min(rest.size(), kind.size() + 1));
  std::vector<std::string> claims;
  if (check.mode) {
    std::uint32_t mode = 0;
    auto [end, ec] = std::from_chars(mode_text.data(), mode_text.data() + mode_text.size(), mode, 8);
    if (ec != std::errc() || end != mode_text.data() + mode_text.size())
      claims.push_back(fmt::format("expected {} to have mode {}; its mode could not be read ({})",
                                   check.path, octal(*check.mode), kind));
    else if (mode != *check.mode)
      claims.push_back(fmt::format("expected {} to have mode {}, it has {}", check.path,
                                   octal(*check.mode), octal(mode)));
  }
  if (check.content_regex || check.content_regex_not) {
    const std::string_view content = out.substr(eol + 1);
    if (kind != "file") {
      claims.push_back(fmt::format("expected {} to be a regular file to match its content, it is "
                                   "a {}",
                                   check.path, kind));
    } else {
      if (check.content_regex && !output_matches(*check.content_regex, content))
        claims.push_back(fmt::format("expected the content of {} to match /{}/, it does not "
                                     "({} bytes, begins \"{}\")",
                                     check.path, check.content_regex->source, content.size(),
                                     escape_control_characters(content.substr(0, 60))));
      if (check.content_regex_not && output_matches(*check.content_regex_not, content))
        claims.push_back(fmt::format("expected the content of {} not to match /{}/, it does "
                                     "({} bytes, begins \"{}\")",
                                     check.path, check.content_regex_not->source, content.size(),
                                     escape_control_characters(content.substr(0, 60))));
    }
  }
  if (claims.empty()) return std::nullopt;
  return fmt::format("{}", fmt::join(claims, "; "));
}

}  // namespace clnrm
