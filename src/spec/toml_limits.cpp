#include "spec/toml_limits.h"

#include <fmt/format.h>

#include <vector>

namespace clnrm::spec_detail {
namespace {

// ASCII bare-key characters, and any non-ASCII byte: should toml++ accept
// Unicode bare keys (an unreleased TOML feature), the scan still counts them.
bool is_bare_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || static_cast<unsigned char>(c) >= 0x80;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// One pass over the text with an explicit stack (never recursion: the input
// is what may be deep). Any text that is not TOML stops the scan; toml++
// stops at its first error too, so it never builds anything the scan has not
// seen.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : s_(text) {}

  TomlScan run() {
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") i_ = start_ = 3;  // UTF-8 byte order mark
    while (true) {
      skip_space_and_lines();
      if (eof()) return TomlScan{};
      const bool ok = peek() == '[' ? table_header() : key_value();
      if (!ok || !end_of_line()) return TomlScan{std::move(violation_), false};
    }
  }

 private:
  struct Frame {
    bool inline_table;  // else array
    int depth;          // levels from the root to this container
  };

  bool eof() const { return i_ >= s_.size(); }
  char peek(std::size_t ahead = 0) const { return i_ + ahead < s_.size() ? s_[i_ + ahead] : '\0'; }
  void advance() { ++i_; }
  // Where a violation may start: an offset, made a line and column only for
  // the one violation reported (position_of), not counted at every byte.
  std::size_t here() const { return i_; }

  // The line and column of offset `at`: every byte from the start (after a
  // byte order mark) to `at` was read by advance().
  SourcePos position_of(std::size_t at) const {
    SourcePos pos{1, 1};
    for (std::size_t k = start_; k < at; ++k) {
      const auto c = static_cast<unsigned char>(s_[k]);
      if (c == '\n') {
        ++pos.line;
        pos.column = 1;
      } else if ((c & 0xC0) != 0x80) {  // columns count code points, as toml++ does
        ++pos.column;
      }
    }
    return pos;
  }

  bool fail(std::size_t at, std::string message) {
    violation_ = TomlLimitViolation{position_of(at), std::move(message)};
    return false;
  }

  void skip_blank() {
    while (peek() == ' ' || peek() == '\t') advance();
  }
  void skip_comment() {
    if (peek() != '#') return;
    while (!eof() && peek() != '\n') advance();
  }
  // Blanks, comments and line breaks (between array elements, between lines).
  void skip_space_and_lines() {
    while (true) {
      skip_blank();
      skip_comment();
      if (peek() != '\n' && peek() != '\r') return;
      advance();
    }
  }
  bool end_of_line() {
    skip_blank();
    skip_comment();
    if (eof()) return true;
    if (peek() == '\r') advance();
    if (peek() != '\n') return false;
    advance();
    return true;
  }

  // At a quote: a basic ("), literal (') or multi-line (""" / ''') string.
  bool string() {
    const char quote = peek();
    const bool basic = quote == '"';
    if (peek(1) == quote && peek(2) == quote) {
      for (int k = 0; k < 3; ++k) advance();
      while (!eof()) {
        if (basic && peek() == '\\') {
          advance();
          if (eof()) return false;
          advance();
        } else if (peek() == quote && peek(1) == quote && peek(2) == quote) {
          for (int k = 0; k < 3; ++k) advance();
          // Up to two quotes right before the delimiter belong to the content.
          for (int k = 0; k < 2 && peek() == quote; ++k) advance();
          return true;
        } else {
          advance();
        }
      }
      return false;
    }
    advance();
    while (!eof() && peek() != '\n') {
      const char c = peek();
      advance();
      if (c == quote) return true;
      if (basic && c == '\\') {
        if (eof() || peek() == '\n') return false;
        advance();
      }
    }
    return false;
  }

  // A key: simple keys joined by dots (`a."b c".'d'`); counts its segments.
  bool key(int& segments) {
    const std::size_t start = here();
    segments = 0;
    while (true) {
      skip_blank();
      const char c = peek();
      if (c == '"' || c == '\'') {
        if (peek(1) == c && peek(2) == c) return false;  // no multi-line keys
        if (!string()) return false;
      } else if (is_bare_key_char(c)) {
        while (is_bare_key_char(peek())) advance();
      } else {
        return false;
      }
      if (++segments > kMaxKeySegments)
        return fail(start, fmt::format("this key has more than {} dotted segments; the limit is {}",
                                       kMaxKeySegments, kMaxKeySegments));
      skip_blank();
      if (peek() != '.') return true;
      advance();
    }
  }

  bool check_depth(std::size_t at, int depth) {
    if (depth <= kMaxDepth) return true;
    return fail(at,
                fmt::format("a value here nests more than {} levels deep (table header, dotted "
                            "keys, arrays and inline tables together); the limit is {}",
                            kMaxDepth, kMaxDepth));
  }

  bool table_header() {
    advance();
    const bool array_of_tables = peek() == '[';
    if (array_of_tables) advance();
    const std::size_t start = here();
    int segments = 0;
    if (!key(segments)) return false;
    skip_blank();
    for (int k = 0; k < (array_of_tables ? 2 : 1); ++k) {
      if (peek() != ']') return false;
      advance();
    }
    header_depth_ = segments + (array_of_tables ? 1 : 0);
    return check_depth(start, header_depth_);
  }

  bool key_value() {
    const std::size_t start = here();
    int segments = 0;
    if (!key(segments)) return false;
    if (!check_depth(start, header_depth_ + segments)) return false;
    skip_blank();
    if (peek() != '=') return false;
    advance();
    return value(header_depth_ + segments);
  }

  // A number, boolean, date or time: up to the next delimiter. A date and a
  // time may be separated by one space (`1979-05-27 07:32:00`).
  bool scalar() {
    const std::size_t begin = i_;
    auto delimiter = [](char c) {
      return c == '\0' || c == ' ' || c == '\t' || c == ',' || c == ']' || c == '}' || c == '#' ||
             c == '\n' || c == '\r';
    };
    while (!delimiter(peek())) advance();
    const std::string_view token = s_.substr(begin, i_ - begin);
    if (token.empty()) return false;
    if (token.size() == 10 && token[4] == '-' && token[7] == '-' && peek() == ' ' &&
        is_digit(peek(1))) {
      advance();
      while (!delimiter(peek())) advance();
    }
    return true;
  }

  // The value after `=`, with every array and inline table inside it.
  bool value(int depth) {
    enum class Want { Value, Key, AfterValue };
    Want want = Want::Value;
    int current = depth;  // depth of the value or key being read
    while (true) {
      switch (want) {
        case Want::Value: {
          if (stack_.empty())
            skip_blank();
          else
            skip_space_and_lines();
          const char c = peek();
          if (c == '"' || c == '\'') {
            if (!string()) return false;
            want = Want::AfterValue;
          } else if (c == '[' || c == '{') {
            const std::size_t open = here();
            if (static_cast<int>(stack_.size()) >= kMaxValueNesting)
              return fail(open, fmt::format("arrays and inline tables nest more than {} levels "
                                            "deep here; the limit is {}",
                                            kMaxValueNesting, kMaxValueNesting));
            if (!check_depth(open, current + 1)) return false;
            advance();
            stack_.push_back(Frame{c == '{', current + 1});
            current += 1;
            want = c == '{' ? Want::Key : Want::Value;
          } else if (c == ']' && !stack_.empty() && !stack_.back().inline_table) {
            close();  // `[]` or a trailing comma
            want = Want::AfterValue;
          } else {
            if (!scalar()) return false;
            want = Want::AfterValue;
          }
          break;
        }
        case Want::Key: {
          skip_space_and_lines();
          if (peek() == '}') {
            close();
            want = Want::AfterValue;
            break;
          }
          const std::size_t start = here();
          int segments = 0;
          if (!key(segments)) return false;
          current = stack_.back().depth + segments;
          if (!check_depth(start, current)) return false;
          skip_blank();
          if (peek() != '=') return false;
          advance();
          want = Want::Value;
          break;
        }
        case Want::AfterValue: {
          if (stack_.empty()) return true;
          skip_space_and_lines();
          const Frame& frame = stack_.back();
          if (peek() == ',') {
            advance();
            current = frame.depth;
            want = frame.inline_table ? Want::Key : Want::Value;
          } else if (peek() == (frame.inline_table ? '}' : ']')) {
            close();
          } else {
            return false;
          }
          break;
        }
      }
    }
  }

  void close() {
    advance();
    stack_.pop_back();
  }

  std::string_view s_;
  std::size_t i_ = 0;
  std::size_t start_ = 0;  // 3 after a byte order mark
  int header_depth_ = 0;  // of the last [table] / [[array of tables]]
  std::vector<Frame> stack_;
  std::optional<TomlLimitViolation> violation_;
};

}  // namespace

TomlScan scan_toml_limits(std::string_view text) { return Scanner(text).run(); }

std::optional<toml::table> parse_bounded_toml(ParseContext& ctx, std::string_view text) {
  if (auto violation = scan_toml_limits(text).violation) {
    ctx.error(violation->pos, std::move(violation->message));
    return std::nullopt;
  }
  return parse_scanned_toml(ctx, text);
}

std::optional<toml::table> parse_scanned_toml(ParseContext& ctx, std::string_view text) {
  try {
    // No source path: diagnostics name ctx.file() and use only line and
    // column, and a path would be a shared_ptr copied (an atomic increment and
    // decrement) into every node's and key's source region.
    return toml::parse(text);
  } catch (const toml::parse_error& e) {
    ctx.error(pos_of(e.source()), fmt::format("invalid TOML: {}", e.description()));
    return std::nullopt;
  }
}

}  // namespace clnrm::spec_detail
