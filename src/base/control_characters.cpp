#include <clnrm/control_characters.h>
#include <fmt/format.h>

#include "base/utf8.h"

namespace clnrm {

std::string escape_control_characters(std::string_view text, Newlines newlines) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    const std::size_t len = utf8_decode(text, i, cp);
    if (len == 0) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(text[i]));
      ++i;
      continue;
    }
    if (cp == '\n' || cp == '\t') {
      if (newlines == Newlines::Keep)
        out += static_cast<char>(cp);
      else
        out += cp == '\n' ? "\\n" : "\\t";
    } else if (cp == '\r') {
      // A CRLF line end is a line end; a lone CR could overwrite the line.
      const bool crlf = i + 1 < text.size() && text[i + 1] == '\n';
      if (!(crlf && newlines == Newlines::Keep)) out += "\\r";
    } else if (cp < 0x20 || cp == 0x7f) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned>(cp));
    } else if (cp >= 0x80 && cp <= 0x9f) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(cp));
    } else {
      out.append(text.substr(i, len));
    }
    i += len;
  }
  return out;
}

}  // namespace clnrm
