#include <clnrm/duration.h>

#include <fmt/format.h>

#include <cctype>
#include <cstdint>

namespace clnrm {
namespace {

constexpr double kMaxMs = 30.0 * 24 * 3600 * 1000;  // 30 days: anything longer is a typo

Parsed<Duration> fail(std::string message) { return Parsed<Duration>::failure(std::move(message)); }

// Milliseconds per unit, or 0 when the unit is unknown.
double unit_ms(std::string_view unit) {
  if (unit == "ns") return 1e-6;
  if (unit == "us" || unit == "µs") return 1e-3;
  if (unit == "ms") return 1;
  if (unit == "s") return 1e3;
  if (unit == "m") return 60e3;
  if (unit == "h") return 3600e3;
  return 0;
}

}  // namespace

Parsed<std::chrono::nanoseconds> parse_duration_ns(std::string_view text) {
  using Ns = std::chrono::nanoseconds;
  auto fail = [](std::string message) { return Parsed<Ns>::failure(std::move(message)); };
  auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  std::string_view s = text;
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  if (s.empty()) {
    return fail("empty duration (expected e.g. \"500ms\", \"2s\", \"1m\")");
  }
  if (s.front() == '-') {
    return fail(fmt::format("negative duration \"{}\"", text));
  }
  double total_ms = 0;
  while (!s.empty()) {
    std::size_t i = 0;
    double value = 0;
    bool digits = false;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      // Past the 30-day cap the exact value no longer matters; stop growing
      // it so a 400-digit number cannot reach inf.
      if (value <= kMaxMs * 1e6) value = value * 10 + (s[i] - '0');
      digits = true;
      ++i;
    }
    if (i < s.size() && s[i] == '.') {
      ++i;
      double scale = 0.1;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
        value += (s[i] - '0') * scale;
        scale /= 10;
        digits = true;
        ++i;
      }
    }
    if (!digits) {
      return fail(fmt::format("invalid duration \"{}\" (expected a number followed by ns, us, ms, s, m or h)", text));
    }
    const std::string_view number = s.substr(0, i);
    while (i < s.size() && is_space(s[i])) ++i;  // "200 ns" reads as "200ns"
    std::size_t j = i;
    while (j < s.size() && !std::isdigit(static_cast<unsigned char>(s[j])) && s[j] != '.' && !is_space(s[j])) ++j;
    std::string_view unit = s.substr(i, j - i);
    if (unit.empty()) {
      return fail(fmt::format("duration \"{}\" has no unit (write e.g. \"{}s\" or \"{}ms\")", text, number, number));
    }
    const double per = unit_ms(unit);
    if (per == 0) {
      return fail(fmt::format("unknown unit '{}' in duration \"{}\" (use ns, us, ms, s, m or h)", unit, text));
    }
    total_ms += value * per;
    if (total_ms > kMaxMs) {
      return fail(fmt::format("duration \"{}\" is too long (more than 30 days)", text));
    }
    while (j < s.size() && is_space(s[j])) ++j;
    s.remove_prefix(j);
  }
  return Ns(static_cast<std::int64_t>(total_ms * 1e6 + 0.5));
}

Parsed<Duration> parse_duration(std::string_view text) {
  const auto ns = parse_duration_ns(text);
  if (!ns) return fail(ns.error());
  // Round half up to whole milliseconds, as test files always have.
  return Duration((ns->count() + 500'000) / 1'000'000);
}

std::string format_duration(std::chrono::nanoseconds d) {
  const double ns = static_cast<double>(d.count());
  if (ns < 1e3) return fmt::format("{}ns", d.count());
  if (ns < 1e6) return fmt::format("{:.1f}us", ns / 1e3);
  if (ns < 1e9) return fmt::format("{:.1f}ms", ns / 1e6);
  if (ns < 60e9) return fmt::format("{:.3f}s", ns / 1e9);
  const auto total_s = static_cast<std::int64_t>(ns / 1e9);
  return fmt::format("{}m{:02}s", total_s / 60, total_s % 60);
}

}  // namespace clnrm
