#pragma once
// TOML spelled by hand for the files `clnrm import compose` writes (a
// toml::table would sort the keys and lose the order and comments a reader
// expects). Every string goes through toml_string, so any text a compose
// file holds comes out as one valid TOML string.

#include <string>
#include <string_view>
#include <vector>

namespace clnrm::compose {

// A basic string: "..." with `"`, `\` and control characters escaped.
std::string toml_string(std::string_view s);
// A key: bare when it is [A-Za-z0-9_-]+, else quoted.
std::string toml_key(std::string_view s);
// ["a", "b"]
std::string toml_string_array(const std::vector<std::string>& items);

}  // namespace clnrm::compose
