// HTTP status lines (include/clnrm/http_status.h).
#include <clnrm/http_status.h>

#include <algorithm>

namespace clnrm {

Parsed<int> parse_http_status(std::string_view response) {
  const std::size_t at = response.find("HTTP/");
  if (at == std::string_view::npos) return Parsed<int>::failure("no HTTP status line");
  std::string_view line = response.substr(at);
  line = line.substr(0, line.find_first_of("\r\n"));
  const std::size_t space = line.find(' ');
  // Digits by hand: from_chars would take a sign ("HTTP/1.1 -12") or a longer number.
  const std::string_view code = space == std::string_view::npos ? std::string_view() : line.substr(space + 1, 3);
  const bool digits = code.size() == 3 && std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
  const bool ends = digits && (line.size() == space + 4 || line[space + 4] == ' ');
  if (!ends) return Parsed<int>::failure("the HTTP status line has no three-digit status code");
  const int status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
  if (status < 100 || status > 599)
    return Parsed<int>::failure("the HTTP status code is not in 100..599");
  return status;
}

}  // namespace clnrm
