// Reads Google Benchmark JSON output into samples per benchmark.
#include <clnrm/error.h>
#include <clnrm/perf.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <unordered_map>

namespace clnrm::perf {

std::string_view to_string(Metric metric) noexcept {
  switch (metric) {
    case Metric::Auto: return "auto";
    case Metric::RealTime: return "real_time";
    case Metric::CpuTime: return "cpu_time";
    case Metric::Instructions: return "instructions";
  }
  return "real_time";
}

Parsed<Metric> parse_metric(std::string_view text) {
  if (text == "auto") return Metric::Auto;
  if (text == "real_time") return Metric::RealTime;
  if (text == "cpu_time") return Metric::CpuTime;
  if (text == "instructions") return Metric::Instructions;
  return Parsed<Metric>::failure(
      fmt::format("unknown metric '{}' (auto, real_time, cpu_time or instructions)", text));
}

std::string_view metric_unit(Metric metric) noexcept { return metric == Metric::Instructions ? "instr" : "ns"; }

const BenchmarkSamples* BenchmarkResults::find(std::string_view name) const {
  for (const auto& b : benchmarks)
    if (b.name == name) return &b;
  return nullptr;
}

std::string quote_non_finite_tokens(std::string_view json) {
  std::string out;
  out.reserve(json.size() + 16);
  bool in_string = false;
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < json.size()) {
        out += json[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      out += c;
      continue;
    }
    bool replaced = false;
    for (std::string_view token : {"-Infinity", "Infinity", "-NaN", "NaN", "-nan", "nan", "-inf", "inf"}) {
      if (json.substr(i, token.size()) == token) {
        // Only a whole value: the previous significant char ends a key or
        // starts an element, so identifiers inside other tokens are left alone.
        const char next = i + token.size() < json.size() ? json[i + token.size()] : ',';
        if (std::isalnum(static_cast<unsigned char>(next))) continue;
        out += '"';
        out += token;
        out += '"';
        i += token.size() - 1;
        replaced = true;
        break;
      }
    }
    if (!replaced) out += c;
  }
  return out;
}

namespace {

// A JSON number, or one of the quoted non-finite tokens; nullopt otherwise.
std::optional<double> number_of(const nlohmann::json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s == "NaN" || s == "-NaN" || s == "nan" || s == "-nan") return std::numeric_limits<double>::quiet_NaN();
    if (s == "Infinity" || s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-Infinity" || s == "-inf") return -std::numeric_limits<double>::infinity();
  }
  return std::nullopt;
}

double unit_to_ns(const std::string& unit, const std::string& where) {
  if (unit == "ns") return 1.0;
  if (unit == "us") return 1e3;
  if (unit == "ms") return 1e6;
  if (unit == "s") return 1e9;
  throw Error(ErrorKind::Config, fmt::format("unknown time_unit '{}'", unit), where);
}

std::string string_field(const nlohmann::json& row, const char* key) {
  auto it = row.find(key);
  return it != row.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The metric's value of one row, nullopt when the row does not have it.
std::optional<double> row_value(const nlohmann::json& row, Metric metric, const std::string& where) {
  if (metric == Metric::Instructions) {
    auto it = row.find("instructions");
    if (it == row.end()) return std::nullopt;
    return number_of(*it);
  }
  if (metric == Metric::Auto) {
    const std::string name = string_field(row, "run_name").empty() ? string_field(row, "name") : string_field(row, "run_name");
    metric = name.find("/real_time") != std::string::npos ? Metric::RealTime : Metric::CpuTime;
  }
  auto it = row.find(metric == Metric::RealTime ? "real_time" : "cpu_time");
  if (it == row.end()) return std::nullopt;
  auto value = number_of(*it);
  if (!value) return std::nullopt;
  const std::string unit = row.contains("time_unit") ? string_field(row, "time_unit") : "ns";
  return *value * unit_to_ns(unit, where);
}

}  // namespace

BenchmarkResults parse_benchmark_json(std::string_view text, const std::string& source, Metric metric) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(quote_non_finite_tokens(text));
  } catch (const nlohmann::json::exception& e) {
    // parse_error, but also out_of_range for a number that does not fit a
    // double ("1e999"): found by fuzz/benchmark_json_fuzzer.cpp.
    throw Error(ErrorKind::Config, fmt::format("not valid JSON: {}", e.what()), source);
  }
  if (!doc.is_object() || !doc.contains("benchmarks") || !doc["benchmarks"].is_array()) {
    throw Error(ErrorKind::Config,
                "not a Google Benchmark result file (no \"benchmarks\" array; run with "
                "--benchmark_out=FILE --benchmark_out_format=json)",
                source);
  }
  BenchmarkResults results;
  results.source = source;
  if (auto ctx = doc.find("context"); ctx != doc.end() && ctx->is_object()) {
    for (const auto& [key, value] : ctx->items())
      if (value.is_string()) results.context[key] = value.get<std::string>();
  }

  // Aggregates are kept aside per benchmark and used only when that benchmark
  // has no iteration rows at all (--benchmark_report_aggregates_only).
  std::unordered_map<std::string, std::size_t> index;
  struct Aggregates {
    std::optional<double> median, mean;
  };
  std::unordered_map<std::string, Aggregates> aggregates;
  std::vector<std::string> order;
  auto slot = [&](const std::string& name) -> BenchmarkSamples& {
    auto [it, inserted] = index.emplace(name, results.benchmarks.size());
    if (inserted) {
      results.benchmarks.push_back(BenchmarkSamples{name, {}, false, {}});
      order.push_back(name);
    }
    return results.benchmarks[it->second];
  };

  std::size_t row_number = 0;
  for (const auto& row : doc["benchmarks"]) {
    ++row_number;
    const std::string where = fmt::format("{}: benchmarks[{}]", source, row_number - 1);
    if (!row.is_object()) throw Error(ErrorKind::Config, "benchmark entry is not an object", where);
    std::string name = string_field(row, "run_name");
    if (name.empty()) name = string_field(row, "name");
    if (name.empty()) throw Error(ErrorKind::Config, "benchmark entry without a name", where);
    const std::string run_type = string_field(row, "run_type");
    BenchmarkSamples& samples = slot(name);

    if (auto err = row.find("error_occurred"); err != row.end() && err->is_boolean() && err->get<bool>()) {
      samples.error = string_field(row, "error_message");
      if (samples.error.empty()) samples.error = "the benchmark reported an error";
      continue;
    }
    if (run_type == "aggregate") {
      const std::string aggregate = string_field(row, "aggregate_name");
      if (string_field(row, "aggregate_unit") == "percentage") continue;  // cv
      auto value = row_value(row, metric, where);
      if (!value) continue;
      if (aggregate == "median") aggregates[name].median = value;
      if (aggregate == "mean") aggregates[name].mean = value;
      continue;
    }
    auto value = row_value(row, metric, where);
    if (!value) {
      if (metric == Metric::Instructions) continue;  // benchmark not run under callgrind
      throw Error(ErrorKind::Config, fmt::format("benchmark '{}' has no {}", name, to_string(metric)), where);
    }
    samples.values.push_back(*value);
  }

  for (auto& samples : results.benchmarks) {
    if (!samples.values.empty()) continue;
    const auto& agg = aggregates[samples.name];
    if (auto v = agg.median ? agg.median : agg.mean) {
      samples.values.push_back(*v);
      samples.from_aggregate = true;
    }
  }
  // Benchmarks with neither samples nor an error (e.g. no instruction count)
  // are dropped: they were not measured in this metric.
  std::erase_if(results.benchmarks, [](const BenchmarkSamples& b) { return b.values.empty() && b.error.empty(); });
  if (results.benchmarks.empty()) {
    throw Error(ErrorKind::Config, fmt::format("no benchmark in the file has a {} value", to_string(metric)), source);
  }
  return results;
}

BenchmarkResults read_benchmark_json(const std::string& path, Metric metric) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorKind::Config, fmt::format("cannot open benchmark results: {}", std::strerror(errno)), path);
  std::ostringstream text;
  text << in.rdbuf();
  return parse_benchmark_json(text.str(), path, metric);
}

std::string merge_benchmark_json(const std::vector<std::string>& paths) {
  nlohmann::json merged;
  merged["benchmarks"] = nlohmann::json::array();
  nlohmann::json sources = nlohmann::json::array();
  for (const auto& path : paths) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorKind::Config, fmt::format("cannot open benchmark results: {}", std::strerror(errno)), path);
    std::ostringstream text;
    text << in.rdbuf();
    nlohmann::json doc;
    try {
      doc = nlohmann::json::parse(quote_non_finite_tokens(text.str()));
    } catch (const nlohmann::json::parse_error& e) {
      throw Error(ErrorKind::Config, fmt::format("not valid JSON: {}", e.what()), path);
    }
    if (!doc.is_object() || !doc.contains("benchmarks") || !doc["benchmarks"].is_array())
      throw Error(ErrorKind::Config, "not a Google Benchmark result file (no \"benchmarks\" array)", path);
    if (!merged.contains("context") && doc.contains("context")) merged["context"] = doc["context"];
    for (auto& row : doc["benchmarks"]) merged["benchmarks"].push_back(std::move(row));
    sources.push_back(path);
  }
  if (!merged.contains("context")) merged["context"] = nlohmann::json::object();
  merged["context"]["clnrm_merged_from"] = sources.dump();
  return merged.dump(2) + "\n";
}

}  // namespace clnrm::perf
