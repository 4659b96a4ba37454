#pragma once
// Trimming ASCII white space (std::isspace in the "C" locale: space, \t, \n,
// \v, \f, \r) from both ends of a text. Parsers whose grammar knows fewer
// blanks keep their own rule: a -k expression trims spaces and tabs
// (src/suite/test_filter.cpp), an --image-map entry only spaces
// (src/image/image_map.cpp).

#include <cctype>
#include <string_view>

namespace clnrm {

inline std::string_view trim_space(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace clnrm
