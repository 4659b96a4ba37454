#include <algorithm>

#include "run/step_runner.h"

namespace clnrm::run {

EnvList step_environment(const EnvList& base, std::string_view step_name, const EnvList& step_env,
                         bool with_step_name) {
  EnvList env;
  env.reserve(base.size() + 1 + step_env.size());
  env.insert(env.end(), base.begin(), base.end());
  if (with_step_name) env.emplace_back("CLNRM_STEP", std::string(step_name));
  env.insert(env.end(), step_env.begin(), step_env.end());
  // Stable sort keeps insertion order among equal keys; keep the last (the step's).
  std::stable_sort(env.begin(), env.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::size_t out = 0;
  for (std::size_t i = 0; i < env.size(); ++i) {
    if (i + 1 < env.size() && env[i + 1].first == env[i].first) continue;
    if (out != i) env[out] = std::move(env[i]);
    ++out;
  }
  env.resize(out);
  return env;
}

}  // namespace clnrm::run
