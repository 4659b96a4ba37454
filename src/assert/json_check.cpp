// expect_json: the value at an RFC 6901 JSON pointer equals the expected
// value (nlohmann_json's json_pointer and equality: 1 equals 1.0).
#include <clnrm/assertions.h>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace clnrm {
namespace {

// A JSON value for a message: compact, at most ~200 characters.
std::string shown(const nlohmann::json& value) {
  std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() > 200) text = text.substr(0, 200) + "...";
  return text;
}

std::string where(const JsonCheck& check) {
  return check.pointer.empty() ? std::string("the whole document") : check.pointer;
}

}  // namespace

std::optional<std::string> json_mismatch(const JsonCheck& check, std::string_view document,
                                         std::string_view what) {
  const nlohmann::json expected = nlohmann::json::parse(check.expected_json);
  const nlohmann::json actual = nlohmann::json::parse(document, nullptr, false);
  if (actual.is_discarded()) {
    std::string start(document.substr(0, 80));
    return fmt::format("{} is not JSON (it begins \"{}\"{}); expected {} at {}", what, start,
                       document.size() > 80 ? "..." : "", shown(expected), where(check));
  }
  const nlohmann::json::json_pointer pointer(check.pointer);
  if (!actual.contains(pointer))
    return fmt::format("{} has no value at {}; expected {}", what, where(check), shown(expected));
  const nlohmann::json& value = actual.at(pointer);
  if (value == expected) return std::nullopt;
  return fmt::format("{} at {}: expected {}, got {}", what, where(check), shown(expected),
                     shown(value));
}

}  // namespace clnrm
