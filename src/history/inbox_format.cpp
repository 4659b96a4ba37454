// The lines of the history inbox (inbox_format.h).
#include "history/inbox_format.h"

#include <fmt/format.h>

#include <charconv>

#include "history/internal.h"

namespace clnrm::history {

namespace {

void append_field(std::string& out, std::string_view field) {
  out += '\t';
  for (const char c : field) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
}

// Every record ends with this field: a line cut off inside its last real
// field would otherwise still parse.
constexpr std::string_view kLastField = "\t.\n";

void append_number(std::string& out, std::int64_t value) { fmt::format_to(std::back_inserter(out), "\t{}", value); }

// The fields of one line, unescaped; false when an escape is not one of ours.
bool split_fields(std::string_view line, std::vector<std::string>& fields) {
  fields.clear();
  fields.emplace_back();
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '\t') {
      fields.emplace_back();
    } else if (c == '\\') {
      if (++i == line.size()) return false;
      switch (line[i]) {
        case '\\': fields.back() += '\\'; break;
        case 't': fields.back() += '\t'; break;
        case 'n': fields.back() += '\n'; break;
        default: return false;
      }
    } else {
      fields.back() += c;
    }
  }
  return true;
}

template <typename Int>
bool to_int(const std::string& text, Int& value) {
  const char* end = text.data() + text.size();
  const auto [at, ec] = std::from_chars(text.data(), end, value);
  return ec == std::errc() && at == end;
}

// A `row` line's fields (the kind and the token first).
bool parse_row(const std::vector<std::string>& f, ExecutionRecord& r) {
  if (f.size() != 19) return false;
  r.file = f[2];
  r.file_hash = f[3];
  r.test = f[4];
  r.step = f[5];
  const auto status = status_from_text(f[6]);
  if (!status) return false;
  r.status = *status;
  if (f[9] != "-") {
    int exit_code = 0;
    if (!to_int(f[9], exit_code)) return false;
    r.exit_code = exit_code;
  }
  int flaky = 0;
  if (!to_int(f[7], r.started_ns) || !to_int(f[8], r.duration_ns) || !to_int(f[10], r.cpu_user_us) ||
      !to_int(f[11], r.cpu_sys_us) || !to_int(f[12], r.max_rss_kb) || !to_int(f[13], r.containers_created) ||
      !to_int(f[14], r.containers_reused) || !to_int(f[15], r.attempts) || !to_int(f[16], flaky) ||
      !to_int(f[17], r.worker) || (flaky != 0 && flaky != 1))
    return false;
  r.flaky = flaky == 1;
  r.failure_hash = f[18];
  return true;
}

}  // namespace

std::string inbox_begin_line(std::string_view token, const RunMeta& meta) {
  std::string out = "begin";
  append_field(out, token);
  append_number(out, to_unix_ns(meta.started));
  for (const std::string* field : {&meta.host, &meta.git_commit, &meta.clnrm_version, &meta.backend, &meta.options})
    append_field(out, *field);
  out += kLastField;
  return out;
}

void append_inbox_rows(std::string& out, std::string_view token, std::span<const ExecutionRecord> rows) {
  for (const ExecutionRecord& r : rows) {
    out += "row";
    append_field(out, token);
    for (const std::string* field : {&r.file, &r.file_hash, &r.test, &r.step}) append_field(out, *field);
    append_field(out, to_string(r.status));
    append_number(out, r.started_ns);
    append_number(out, r.duration_ns);
    if (r.exit_code) {
      append_number(out, *r.exit_code);
    } else {
      out += "\t-";
    }
    for (const std::int64_t n : {r.cpu_user_us, r.cpu_sys_us, r.max_rss_kb}) append_number(out, n);
    for (const int n : {r.containers_created, r.containers_reused, r.attempts, r.flaky ? 1 : 0, r.worker})
      append_number(out, n);
    append_field(out, r.failure_hash);
    out += kLastField;
  }
}

std::string inbox_end_line(std::string_view token, std::int64_t finished_ns, std::string_view backend) {
  std::string out = "end";
  append_field(out, token);
  append_number(out, finished_ns);
  append_field(out, backend);
  out += kLastField;
  return out;
}

std::optional<InboxRecord> parse_inbox_line(std::string_view line) {
  std::vector<std::string> f;
  if (!split_fields(line, f) || f.size() < 3 || f.back() != "." || f[1].empty()) return std::nullopt;
  f.pop_back();
  InboxRecord r;
  r.token = f[1];
  if (f[0] == "begin" && f.size() == 8) {
    std::int64_t started_ns = 0;
    if (!to_int(f[2], started_ns)) return std::nullopt;
    r.kind = InboxRecord::Kind::Begin;
    r.meta.started = SystemTime(std::chrono::duration_cast<SystemTime::duration>(std::chrono::nanoseconds(started_ns)));
    r.meta.host = f[3];
    r.meta.git_commit = f[4];
    r.meta.clnrm_version = f[5];
    r.meta.backend = f[6];
    r.meta.options = f[7];
    return r;
  }
  if (f[0] == "row") {
    if (!parse_row(f, r.row)) return std::nullopt;
    r.kind = InboxRecord::Kind::Row;
    return r;
  }
  if (f[0] == "end" && f.size() == 4) {
    if (!to_int(f[2], r.finished_ns)) return std::nullopt;
    r.kind = InboxRecord::Kind::End;
    r.meta.backend = f[3];
    return r;
  }
  return std::nullopt;
}

}  // namespace clnrm::history
