#pragma once
// The one convention for helpers that parse a value from text (a duration,
// an RFC 3339 timestamp, a shard, a URL ...): they return Parsed<T>, the
// value or a one-line reason. The reason names no place: the caller knows
// where the text came from (file:line:col, a flag, an environment variable)
// and turns it into a Diagnostic or an Error there. docs/ARCHITECTURE.md
// ("Errors") states the rule.

#include <optional>
#include <string>
#include <utility>

namespace clnrm {

template <class T>
class Parsed {
 public:
  Parsed(T value) : value_(std::move(value)) {}  // NOLINT: implicit, so `return value;` reads naturally
  static Parsed failure(std::string reason) { return Parsed(std::move(reason), 0); }

  bool ok() const noexcept { return value_.has_value(); }
  explicit operator bool() const noexcept { return ok(); }
  // Only when ok().
  const T& value() const { return *value_; }
  const T& operator*() const { return *value_; }
  const T* operator->() const { return &*value_; }
  // Only when !ok(): what is wrong, e.g. "unknown unit 'x'".
  const std::string& error() const noexcept { return error_; }
  // The value as an optional (for callers that only need to know "valid?").
  const std::optional<T>& optional() const noexcept { return value_; }

 private:
  Parsed(std::string reason, int) : error_(std::move(reason)) {}
  std::optional<T> value_;
  std::string error_;
};

}  // namespace clnrm
