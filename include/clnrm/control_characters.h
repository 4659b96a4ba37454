#pragma once
// Text from a test file (names) or from a test's output (messages) made safe
// to print: a terminal must not see an escape sequence from an untrusted
// file, and a name must not start a fake line. C0 controls (ESC included),
// DEL and C1 controls become visible escapes: \n, \t, \r, \x1b, \x7f,
// \u009b; bytes that are not UTF-8 become \xNN. Printable text, UTF-8
// included, is unchanged.

#include <string>
#include <string_view>

namespace clnrm {

enum class Newlines {
  Escape,  // one line: names, one-line messages
  Keep,    // keep \n and \t as they are: multi-line output, indented messages
};

std::string escape_control_characters(std::string_view text, Newlines newlines = Newlines::Escape);

}  // namespace clnrm
