// Google Benchmark JSON reader of `clnrm bench compare`: any bytes give
// results or Error(Config); no other exception, crash or hang.
#include <clnrm/error.h>
#include <clnrm/perf.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"

namespace clnrm::fuzz {

inline void benchmark_json_one_input(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)perf::quote_non_finite_tokens(text);
  for (auto metric : {perf::Metric::Auto, perf::Metric::Instructions}) {
    try {
      const auto results = perf::parse_benchmark_json(text, "fuzz.json", metric);
      for (const auto& b : results.benchmarks) FUZZ_CHECK(results.find(b.name) != nullptr);
    } catch (const Error& e) {
      FUZZ_CHECK(e.kind() == ErrorKind::Config);  // the documented outcome for unreadable input
    }
  }
}

}  // namespace clnrm::fuzz

CLNRM_FUZZ_ENTRY(clnrm::fuzz::benchmark_json_one_input)
