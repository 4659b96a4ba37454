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

// $1 the nonce, then pairs (want, path): want is "content" when the content
// is wanted. Per path: "absent" or "present KIND MODE", then the content of a
// regular file (its first 16 MiB: kContentLimit), then a newline and the
// line "\036<nonce>". A read that fails ends the probe (exit 1): the paths
// already answered keep their answers.
constexpr const char* kProbeScript =
    "n=$1; shift\n"
    "while [ $# -gt 1 ]; do w=$1; p=$2; shift 2\n"
    "if [ ! -e \"$p\" ] && [ ! -h \"$p\" ]; then echo absent; else\n"
    "if [ -d \"$p\" ]; then k=directory; elif [ -f \"$p\" ]; then k=file;"
    " elif [ ! -e \"$p\" ]; then k=dangling-link; else k=other; fi\n"
    "m=$(stat -L -c %a \"$p\" 2>/dev/null) || m=unknown\n"
    "echo \"present $k $m\"\n"
    "if [ \"$w\" = content ] && [ $k = file ]; then head -c 16777216 -- \"$p\" || exit 1; fi\n"
    "fi\n"
    "printf '\\n\\036%s\\n' \"$n\"\n"
    "done\n";

// What a content regex sees of a file (the probe's `head -c`).
constexpr std::size_t kContentLimit = 16u << 20;

std::string octal(std::uint32_t mode) { return fmt::format("{:04o}", mode); }

std::string could_not_look(const FileCheck& check, const ExecResult& probe) {
  std::string err = probe.stderr_data.substr(0, 300);
  while (!err.empty() && err.back() == '\n') err.pop_back();
  return fmt::format("could not look at {} in the cleanroom (`sh -c` with stat and cat exited "
                     "{}{}{})",
                     check.path, probe.exit_code, err.empty() ? "" : ": ", err);
}

// One path's answer: `status` is its first line, `content` what followed.
std::optional<std::string> file_mismatch(const FileCheck& check, std::string_view status,
                                         std::string_view content) {
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

}  // namespace

ProcessSpec files_probe(const std::vector<FileCheck>& checks, const std::string& nonce) {
  ProcessSpec p;
  p.name = "expect-file";
  p.argv = {"sh", "-c", kProbeScript, "clnrm-expect-file", nonce};
  for (const FileCheck& check : checks) {
    const bool content = check.content_regex || check.content_regex_not;
    p.argv.push_back(content ? "content" : "no-content");
    p.argv.push_back(check.path);
  }
  // Room for every path's answer: one large file must not crowd out the next.
  p.output_limit = checks.size() * (kContentLimit + 4096);
  p.timeout = std::chrono::seconds(30);
  return p;
}

std::vector<std::optional<std::string>> files_mismatches(const std::vector<FileCheck>& checks,
                                                         const std::string& nonce,
                                                         const ExecResult& probe) {
  std::vector<std::optional<std::string>> verdicts;
  verdicts.reserve(checks.size());
  const std::string end = "\n\x1e" + nonce + "\n";
  std::string_view rest = probe.stdout_data;
  for (const FileCheck& check : checks) {
    const std::size_t at = rest.find(end);
    const std::size_t eol = rest.find('\n');
    const std::string_view status = rest.substr(0, eol);
    if (at == std::string_view::npos || eol > at ||
        !(status == "absent" || status.starts_with("present "))) {
      verdicts.push_back(could_not_look(check, probe));
      rest = {};
      continue;
    }
    // "absent\n\x1e..." has no content: its one newline is the section's end.
    const std::string_view content = eol == at ? std::string_view() : rest.substr(eol + 1, at - eol - 1);
    verdicts.push_back(file_mismatch(check, status, content));
    rest.remove_prefix(at + end.size());
  }
  return verdicts;
}

}  // namespace clnrm
