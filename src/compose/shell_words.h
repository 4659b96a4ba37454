#pragma once
// A compose `command: "redis-server --port 6379"` string split into argv the
// way compose does (compose-go splits the shell form with shell-word rules:
// blanks separate words, single quotes are literal, double quotes and
// backslashes escape; no shell runs and nothing is expanded). So the
// translated service runs the same argv, not `sh -c STRING`.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clnrm::compose {

// The words, or nullopt and `problem` set (an unterminated quote or a
// trailing backslash).
std::optional<std::vector<std::string>> split_shell_words(std::string_view text, std::string* problem);

}  // namespace clnrm::compose
