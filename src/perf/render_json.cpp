// Machine-readable comparison (for CI scripts and the history report).
#include <clnrm/perf.h>

#include <nlohmann/json.hpp>

#include <cmath>

namespace clnrm::perf {

namespace {
nlohmann::json num(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }
}  // namespace

std::string render_json(const ComparisonReport& report) {
  nlohmann::json doc;
  doc["base"] = report.base_source;
  doc["new"] = report.new_source;
  doc["metric"] = std::string(to_string(report.options.metric));
  doc["unit"] = std::string(metric_unit(report.options.metric));
  doc["alpha"] = report.options.alpha;
  doc["exit_code"] = report.exit_code();
  nlohmann::json summary;
  for (Verdict v : {Verdict::Ok, Verdict::Improved, Verdict::Warning, Verdict::Critical, Verdict::Blocker, Verdict::New,
                    Verdict::Missing, Verdict::Failed})
    summary[std::string(to_string(v))] = report.count(v);
  summary["over_budget"] = report.budgets_exceeded();
  doc["summary"] = summary;
  doc["benchmarks"] = nlohmann::json::array();
  for (const auto& r : report.rows) {
    nlohmann::json row{{"name", r.name},
                       {"n_base", r.n_base},
                       {"n_new", r.n_new},
                       {"median_base", num(r.median_base)},
                       {"median_new", num(r.median_new)},
                       {"median_change", num(r.median_change)},
                       {"ratio", num(r.ratio)},
                       {"ratio_low", num(r.ratio_low)},
                       {"ratio_high", num(r.ratio_high)},
                       {"p_value", num(r.p_value)},
                       {"p_adjusted", num(r.p_adjusted)},
                       {"exact", r.exact},
                       {"verdict", std::string(to_string(r.verdict))},
                       {"thresholds", {{"warning", r.thresholds.warning}, {"critical", r.thresholds.critical},
                                       {"blocker", r.thresholds.blocker}}},
                       {"budget_exceeded", r.budget_exceeded},
                       {"note", r.note}};
    row["ceiling"] = r.ceiling ? nlohmann::json(*r.ceiling) : nlohmann::json(nullptr);
    doc["benchmarks"].push_back(std::move(row));
  }
  return doc.dump(2) + "\n";
}

}  // namespace clnrm::perf
