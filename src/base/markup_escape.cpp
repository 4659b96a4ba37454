// HTML and XML 1.0 escaping. XML escaping survives arbitrary command output: JUnit consumers
// reject the whole file on one stray control byte or bad UTF-8 sequence.
#include "base/markup_escape.h"

#include <clnrm/control_characters.h>

#include "base/utf8.h"

namespace clnrm {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool allowed_in_xml(char32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

// The five characters both languages escape, as entities; `apostrophe` is
// the language's spelling of '. False for any other character.
bool append_entity(std::string& out, char c, std::string_view apostrophe) {
  switch (c) {
    case '&':
      out += "&amp;";
      return true;
    case '<':
      out += "&lt;";
      return true;
    case '>':
      out += "&gt;";
      return true;
    case '"':
      out += "&quot;";
      return true;
    case '\'':
      out += apostrophe;
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    const std::size_t len = utf8_decode(text, i, cp);
    if (len == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    if (!allowed_in_xml(cp)) {
      out += kReplacement;
    } else if (len == 1 && text[i] == '\r') {
      out += "&#13;";  // kept literally, a parser would normalise it away
    } else if (len != 1 || !append_entity(out, text[i], "&apos;")) {
      out.append(text.substr(i, len));
    }
    i += len;
  }
  return out;
}

std::string html_escape(std::string_view text) {
  // Control characters (an ESC from a test's output, a NUL) are made visible
  // first; they are not valid in an HTML document.
  const std::string visible = escape_control_characters(text, Newlines::Keep);
  std::string out;
  out.reserve(visible.size());
  for (char c : visible) {
    if (!append_entity(out, c, "&#39;")) out += c;
  }
  return out;
}

}  // namespace clnrm
