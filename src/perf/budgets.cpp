// bench/budgets.toml: per-benchmark absolute ceilings, allowed noise and
// thresholds, matched by glob or prefix.
//
//   [defaults]
//   noise = "5%"                 # added to every threshold
//
//   [[budget]]
//   match = "BM_Registry*"       # glob (* ?); without wildcards also a prefix
//   max = "2us"                  # ceiling on the new median (time metrics)
//   max_instructions = 5000      # ceiling for --metric instructions
//   noise = "10%"
//   warning = "20%"              # optional: replace the default thresholds
//   critical = "40%"
//   blocker = "60%"
#include <clnrm/error.h>
#include <clnrm/duration.h>
#include <clnrm/perf.h>

#include <fmt/format.h>
#include <toml++/toml.h>

#include <fnmatch.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace clnrm::perf {

Thresholds default_thresholds(Metric metric) {
  // Instruction counts do not drift with machine load, so they gate tightly.
  if (metric == Metric::Instructions) return Thresholds{0.01, 0.02, 0.05};
  return Thresholds{};
}

// fnmatch(3), as `clnrm run -k` matches test names (src/suite/test_filter.cpp):
// one glob dialect for the whole tool.
bool glob_match(std::string_view pattern, std::string_view text) {
  return ::fnmatch(std::string(pattern).c_str(), std::string(text).c_str(), 0) == 0;
}

const Budget* Budgets::match(std::string_view name) const {
  for (const auto& b : entries) {
    const bool wildcard = b.pattern.find_first_of("*?") != std::string::npos;
    if (glob_match(b.pattern, name)) return &b;
    if (!wildcard && name.substr(0, b.pattern.size()) == b.pattern) return &b;
  }
  return nullptr;
}

namespace {

std::string where_of(const std::string& source, const toml::node& node) {
  const auto& src = node.source();
  return fmt::format("{}:{}:{}", source, src.begin.line, src.begin.column);
}

// "5%" or 0.05
double fraction_of(const toml::node& node, const std::string& where) {
  if (auto v = node.value<double>()) return *v;
  if (auto s = node.value<std::string>()) {
    std::string text = *s;
    if (!text.empty() && text.back() == '%') {
      char* end = nullptr;
      const double v = std::strtod(text.c_str(), &end);
      if (end == text.c_str() + text.size() - 1 && std::isfinite(v)) return v / 100.0;
    }
  }
  throw Error(ErrorKind::Config, "expected a percentage such as \"10%\" or a fraction such as 0.1", where);
}

const std::vector<std::string_view> kBudgetKeys = {"match", "max", "max_instructions", "noise",
                                                   "warning", "critical", "blocker"};

}  // namespace

Budgets parse_budgets(std::string_view text, const std::string& source) {
  toml::table doc;
  try {
    doc = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    throw Error(ErrorKind::Config, std::string(e.description()), fmt::format("{}:{}:{}", source, b.line, b.column));
  }
  Budgets budgets;
  for (const auto& [key, node] : doc) {
    if (key != "defaults" && key != "budget")
      throw Error(ErrorKind::Config, fmt::format("unknown key '{}' (expected [defaults] or [[budget]])", key.str()),
                  where_of(source, node));
  }
  if (auto* defaults = doc["defaults"].as_table()) {
    for (const auto& [key, node] : *defaults) {
      if (key == "noise") {
        budgets.default_noise = fraction_of(node, where_of(source, node));
      } else {
        throw Error(ErrorKind::Config, fmt::format("unknown key 'defaults.{}' (expected noise)", key.str()),
                    where_of(source, node));
      }
    }
  }
  if (auto* list = doc["budget"].as_array()) {
    for (const auto& element : *list) {
      const auto* table = element.as_table();
      if (!table) throw Error(ErrorKind::Config, "[[budget]] entries must be tables", where_of(source, element));
      Budget b;
      b.source = where_of(source, element);
      b.noise = budgets.default_noise;
      Thresholds t{};
      bool custom = false;
      for (const auto& [key, node] : *table) {
        const std::string where = where_of(source, node);
        if (std::find(kBudgetKeys.begin(), kBudgetKeys.end(), key.str()) == kBudgetKeys.end())
          throw Error(ErrorKind::Config,
                      fmt::format("unknown budget key '{}' (match, max, max_instructions, noise, warning, critical, "
                                  "blocker)",
                                  key.str()),
                      where);
        if (key == "match") {
          auto s = node.value<std::string>();
          if (!s || s->empty()) throw Error(ErrorKind::Config, "`match` must be a non-empty string", where);
          b.pattern = *s;
        } else if (key == "max") {
          auto s = node.value<std::string>();
          if (!s) throw Error(ErrorKind::Config, "`max` must be a duration string such as \"50us\"", where);
          const auto max = parse_duration_ns(*s);
          if (!max) throw Error(ErrorKind::Config, "`max`: " + max.error(), where);
          b.max_ns = static_cast<double>(max->count());
        } else if (key == "max_instructions") {
          auto v = node.value<double>();
          if (!v || *v <= 0) throw Error(ErrorKind::Config, "`max_instructions` must be a positive number", where);
          b.max_instructions = *v;
        } else if (key == "noise") {
          b.noise = fraction_of(node, where);
        } else {
          custom = true;
          const double v = fraction_of(node, where);
          if (key == "warning") t.warning = v;
          if (key == "critical") t.critical = v;
          if (key == "blocker") t.blocker = v;
        }
      }
      if (b.pattern.empty()) throw Error(ErrorKind::Config, "[[budget]] without `match`", b.source);
      if (custom) {
        if (!(t.warning <= t.critical && t.critical <= t.blocker))
          throw Error(ErrorKind::Config, "thresholds must satisfy warning <= critical <= blocker", b.source);
        b.thresholds = t;
      }
      budgets.entries.push_back(std::move(b));
    }
  } else if (doc.contains("budget")) {
    throw Error(ErrorKind::Config, "`budget` must be an array of tables ([[budget]])", where_of(source, *doc.get("budget")));
  }
  return budgets;
}

Budgets read_budgets(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorKind::Config, fmt::format("cannot open budgets: {}", std::strerror(errno)), path);
  std::ostringstream text;
  text << in.rdbuf();
  return parse_budgets(text.str(), path);
}

}  // namespace clnrm::perf
