#include <clnrm/output_tail.h>

namespace clnrm {

std::string output_tail(std::string_view text, std::size_t max_lines, std::size_t max_bytes) {
  // A trailing newline ends the last line; it does not start an empty one.
  std::string_view body = text;
  if (!body.empty() && body.back() == '\n') body.remove_suffix(1);
  if (body.empty()) return {};

  // Walk back over newlines: after the n-th one from the end start n lines.
  std::size_t start = 0;
  std::size_t pos = body.size();
  for (std::size_t lines = 1; pos > 0; ++lines) {
    const std::size_t nl = body.rfind('\n', pos - 1);
    if (nl == std::string_view::npos) break;
    if (lines >= max_lines) {
      start = nl + 1;
      break;
    }
    pos = nl;
  }
  std::string_view tail = body.substr(start);
  bool cut = start > 0;
  if (tail.size() > max_bytes) {
    tail = tail.substr(tail.size() - max_bytes);
    // Start at a line boundary when one is close, else mid-line.
    const std::size_t nl = tail.find('\n');
    if (nl != std::string_view::npos && nl + 1 < tail.size() && nl < max_bytes / 2)
      tail.remove_prefix(nl + 1);
    cut = true;
  }
  std::string out;
  out.reserve(tail.size() + 8);
  if (cut) out += "...\n";
  out.append(tail);
  return out;
}

std::string indent_lines(std::string_view text, std::string_view indent) {
  std::string out;
  out.reserve(text.size() + indent.size() * 4);
  bool at_line_start = true;
  for (char c : text) {
    if (at_line_start) out.append(indent);
    out.push_back(c);
    at_line_start = c == '\n';
  }
  return out;
}

}  // namespace clnrm
