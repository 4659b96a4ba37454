// The timing snapshot file (include/clnrm/timing_snapshot.h): written by
// `clnrm history timings`, read by `clnrm run --timings`. The reader is
// strict about what it uses, since a wrong number silently changes every
// shard's split, and says where a JSON syntax error is.
#include <clnrm/error.h>
#include <clnrm/timing_snapshot.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <tuple>

#include "base/rfc3339.h"

namespace clnrm::history {

namespace {

using nlohmann::json;

constexpr std::string_view kFormatName = "clnrm-timings";

// 1-based line and column of byte `offset` (0-based) of `text`.
std::pair<std::size_t, std::size_t> line_column(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

// nlohmann's message without its "[json.exception...] parse error at line L,
// column C: " prefix: the position is given as source:L:C instead.
std::string syntax_message(const json::parse_error& e) {
  std::string what = e.what();
  if (const auto column = what.find("column "); column != std::string::npos)
    if (const auto colon = what.find(": ", column); colon != std::string::npos)
      return what.substr(colon + 2);
  return what;
}

[[noreturn]] void malformed(const std::string& source, const std::string& why) {
  throw Error(ErrorKind::Usage, "not a usable timing snapshot: " + why, source);
}

}  // namespace

std::string timing_snapshot_json(const TimingSnapshot& snapshot) {
  std::string out =
      fmt::format("{{\n  \"format\": \"{}\",\n  \"version\": {},\n  \"taken_at\": {},\n",
                  kFormatName, kTimingSnapshotVersion, json(snapshot.taken_at).dump());
  out += "  \"estimate\": \"median duration of each test's last 20 passing runs\",\n";
  out += "  \"tests\": [";
  bool first = true;
  for (const auto& t : snapshot.tests) {
    out += first ? "\n    " : ",\n    ";
    out += nlohmann::ordered_json{{"file", t.file}, {"test", t.test}, {"duration_ns", t.median_ns}}
               .dump();
    first = false;
  }
  out += first ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

TimingSnapshot parse_timing_snapshot(std::string_view text, const std::string& source) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    // e.byte: 1-based index of the byte where parsing stopped.
    const auto [line, column] = line_column(text, e.byte > 0 ? e.byte - 1 : 0);
    throw Error(ErrorKind::Usage, "not valid JSON: " + syntax_message(e),
                fmt::format("{}:{}:{}", source, line, column));
  } catch (const json::exception& e) {
    // out_of_range: a number too large for any JSON number type.
    throw Error(ErrorKind::Usage, std::string("not valid JSON: ") + e.what(), source);
  }
  if (!doc.is_object()) malformed(source, "the top level is not an object");
  if (const auto f = doc.find("format"); f == doc.end() || *f != kFormatName)
    malformed(source, fmt::format("\"format\" is not \"{}\" (write it with `clnrm history "
                                  "timings -o FILE`)",
                                  kFormatName));
  const auto version = doc.find("version");
  if (version == doc.end() || !version->is_number_integer())
    malformed(source, "\"version\" is missing or not an integer");
  if (*version != kTimingSnapshotVersion)
    malformed(source, fmt::format("format version {} is not supported (this clnrm reads {})",
                                  version->dump(), kTimingSnapshotVersion));
  TimingSnapshot snapshot;
  const auto taken = doc.find("taken_at");
  if (taken == doc.end() || !taken->is_string())
    malformed(source, "\"taken_at\" is missing or not a string");
  snapshot.taken_at = taken->get<std::string>();
  if (const auto t = parse_rfc3339(snapshot.taken_at); !t)
    malformed(source, "\"taken_at\": " + t.error());
  const auto tests = doc.find("tests");
  if (tests == doc.end() || !tests->is_array())
    malformed(source, "\"tests\" is missing or not an array");
  std::set<std::pair<std::string, std::string>> seen;
  for (std::size_t i = 0; i < tests->size(); ++i) {
    const json& t = (*tests)[i];
    const std::string where = fmt::format("tests[{}]", i);
    if (!t.is_object()) malformed(source, where + " is not an object");
    const auto file = t.find("file"), test = t.find("test"), ns = t.find("duration_ns");
    if (file == t.end() || !file->is_string() || test == t.end() || !test->is_string())
      malformed(source, where + " needs \"file\" and \"test\" strings");
    // nlohmann reads a number without sign or fraction as unsigned.
    if (ns == t.end() || !ns->is_number_unsigned() ||
        ns->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
      malformed(source, where + " needs \"duration_ns\", a whole number of nanoseconds >= 0");
    HistoricalDuration d{file->get<std::string>(), test->get<std::string>(),
                         ns->get<std::int64_t>()};
    if (!seen.insert({d.file, d.test}).second)
      malformed(source, fmt::format("{} lists {} in {} a second time", where, d.test, d.file));
    snapshot.tests.push_back(std::move(d));
  }
  std::sort(snapshot.tests.begin(), snapshot.tests.end(),
            [](const HistoricalDuration& a, const HistoricalDuration& b) {
              return std::tie(a.file, a.test) < std::tie(b.file, b.test);
            });
  return snapshot;
}

TimingSnapshot read_timing_snapshot(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorKind::Usage, "cannot read the timing snapshot (--timings)", path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw Error(ErrorKind::Usage, "cannot read the timing snapshot (--timings)", path);
  return parse_timing_snapshot(text.str(), path);
}

}  // namespace clnrm::history
