// Instruction counts from callgrind dumps: the noise-free metric for shared
// CI machines. bench/support's measured loops switch instrumentation on only
// around the timed loop and dump with the description
// "clnrm-bench:<iterations>:<benchmark name>".
#include <clnrm/error.h>
#include <clnrm/perf.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>

namespace clnrm::perf {

namespace {

constexpr std::string_view kTrigger = "desc: Trigger: Client Request: clnrm-bench:";

struct Dump {
  std::string name;
  double iterations = 0;
  double instructions = -1;
};

std::optional<Dump> read_dump(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(ErrorKind::Config, fmt::format("cannot open callgrind dump: {}", std::strerror(errno)), path);
  Dump dump;
  bool ours = false;
  std::string line;
  std::size_t ir_column = 0;
  while (std::getline(in, line)) {
    if (line.rfind(kTrigger, 0) == 0) {
      const std::string rest = line.substr(kTrigger.size());
      const auto colon = rest.find(':');
      if (colon == std::string::npos) throw Error(ErrorKind::Config, "malformed clnrm-bench trigger", path);
      dump.iterations = std::stod(rest.substr(0, colon));
      dump.name = rest.substr(colon + 1);
      ours = true;
    } else if (line.rfind("events:", 0) == 0) {
      // Ir is normally the only (first) event; find its column anyway.
      std::size_t col = 0;
      std::size_t pos = 7;
      while (pos < line.size()) {
        while (pos < line.size() && line[pos] == ' ') ++pos;
        const auto end = line.find(' ', pos);
        const std::string event = line.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
        if (event == "Ir") ir_column = col;
        ++col;
        pos = end == std::string::npos ? line.size() : end;
      }
    } else if (line.rfind("totals:", 0) == 0 || (line.rfind("summary:", 0) == 0 && dump.instructions < 0)) {
      std::size_t pos = line.find(':') + 1;
      for (std::size_t col = 0; col <= ir_column; ++col) {
        char* end = nullptr;
        const double v = std::strtod(line.c_str() + pos, &end);
        pos = static_cast<std::size_t>(end - line.c_str());
        if (col == ir_column) dump.instructions = v;
      }
    }
  }
  if (!ours) return std::nullopt;  // a dump not made by a measured loop (e.g. at exit)
  if (dump.instructions < 0 || dump.iterations <= 0)
    throw Error(ErrorKind::Config, "callgrind dump without totals or iterations", path);
  return dump;
}

}  // namespace

BenchmarkResults read_callgrind_dumps(const std::vector<std::string>& files) {
  // Google Benchmark first runs a loop with growing iteration counts to
  // size it; only the loops at the final (largest) count are repetitions.
  std::map<std::string, std::vector<Dump>> by_name;
  std::vector<std::string> order;
  for (const auto& f : files) {
    auto dump = read_dump(f);
    if (!dump) continue;
    if (!by_name.count(dump->name)) order.push_back(dump->name);
    by_name[dump->name].push_back(*dump);
  }
  BenchmarkResults results;
  results.source = files.empty() ? "callgrind" : files.front();
  for (const auto& name : order) {
    const auto& dumps = by_name[name];
    double most = 0;
    for (const auto& d : dumps) most = std::max(most, d.iterations);
    BenchmarkSamples samples{name, {}, false, {}};
    for (const auto& d : dumps)
      if (d.iterations == most) samples.values.push_back(d.instructions / d.iterations);
    results.benchmarks.push_back(std::move(samples));
  }
  if (results.benchmarks.empty())
    throw Error(ErrorKind::Config,
                "no clnrm-bench dumps found (run the suite under valgrind --tool=callgrind --instr-atstart=no with "
                "CLNRM_BENCH_NAME set)",
                results.source);
  return results;
}

std::string to_benchmark_json(const BenchmarkResults& results, Metric metric) {
  nlohmann::json doc;
  doc["context"] = nlohmann::json::object();
  for (const auto& [k, v] : results.context) doc["context"][k] = v;
  doc["context"]["clnrm_metric"] = std::string(to_string(metric));
  doc["benchmarks"] = nlohmann::json::array();
  for (const auto& b : results.benchmarks) {
    for (std::size_t i = 0; i < b.values.size(); ++i) {
      nlohmann::json row{{"name", b.name},
                         {"run_name", b.name},
                         {"run_type", "iteration"},
                         {"repetitions", b.values.size()},
                         {"repetition_index", i},
                         {"iterations", 1}};
      if (metric == Metric::Instructions) {
        row["instructions"] = b.values[i];
      } else {
        row["real_time"] = b.values[i];
        row["cpu_time"] = b.values[i];
        row["time_unit"] = "ns";
      }
      doc["benchmarks"].push_back(std::move(row));
    }
  }
  return doc.dump(2) + "\n";
}

}  // namespace clnrm::perf
