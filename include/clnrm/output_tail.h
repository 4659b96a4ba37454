#pragma once
// The end of a command's output, as shown in failure messages and in
// "service never became ready" errors: the last `max_lines` lines, at most
// `max_bytes` bytes, cut at a line start when possible.

#include <cstddef>
#include <string>
#include <string_view>

namespace clnrm {

std::string output_tail(std::string_view text, std::size_t max_lines = 20,
                        std::size_t max_bytes = 2048);

// Indents every line of `text` by `indent` (for multi-line messages).
std::string indent_lines(std::string_view text, std::string_view indent = "    ");

}  // namespace clnrm
