#include <clnrm/control_characters.h>
#include <clnrm/spec.h>

#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>

namespace clnrm {

std::string Diagnostic::format() const {
  const char* sev = severity == Severity::Error ? "error" : "warning";
  // Messages quote keys and values of an untrusted file: print no control character raw.
  const std::string shown_file = escape_control_characters(file);
  const std::string shown = escape_control_characters(message);
  if (pos.line == 0) return fmt::format("{}: {}: {}", shown_file, sev, shown);
  return fmt::format("{}:{}:{}: {}: {}", shown_file, pos.line, pos.column, sev, shown);
}

bool Pattern::search(std::string_view text) const {
  return re && re2::RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *re);
}

std::string_view to_string(SecurityLevel level) noexcept {
  switch (level) {
    case SecurityLevel::Low: return "low";
    case SecurityLevel::Medium: return "medium";
    case SecurityLevel::High: return "high";
  }
  return "medium";
}

Parsed<SecurityLevel> parse_security_level(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "low" || lower == "permissive") return SecurityLevel::Low;
  if (lower == "medium" || lower == "standard" || lower == "default") return SecurityLevel::Medium;
  if (lower == "high" || lower == "maximum" || lower == "locked" || lower == "strict") return SecurityLevel::High;
  return Parsed<SecurityLevel>::failure(fmt::format("unknown security_level \"{}\" (use low, medium or high)", text));
}

const ServiceSpec* TestSpec::find_service(std::string_view service_name) const {
  for (const auto& s : services)
    if (s.name == service_name) return &s;
  return nullptr;
}

bool TestSpec::uses_images() const {
  return !image.empty() || std::any_of(services.begin(), services.end(), [](const ServiceSpec& s) { return !s.image.empty(); });
}

std::vector<VolumeSpec> TestSpec::cleanroom_volumes() const {
  std::vector<VolumeSpec> all;
  auto add = [&all](const VolumeSpec& v) {
    if (std::find(all.begin(), all.end(), v) == all.end()) all.push_back(v);
  };
  if (test_dir_volume) add(*test_dir_volume);
  for (const ServiceSpec& s : services)
    for (const VolumeSpec& v : s.volumes) add(v);
  return all;
}

}  // namespace clnrm
