#pragma once
// Escaping for the markup the reporters write: HTML pages (report and bench
// pages) and XML (JUnit). One implementation each, shared by every page.

#include <string>
#include <string_view>

namespace clnrm {

// &, <, >, ", ' as entities; control characters other than newline and tab
// as visible escapes (escape_control_characters, Newlines::Keep).
std::string html_escape(std::string_view text);

// XML 1.0 text/attribute escaping; drops characters XML cannot carry and
// replaces invalid UTF-8 with U+FFFD.
std::string xml_escape(std::string_view text);

}  // namespace clnrm
