#include "spec/step_names.h"

#include <fmt/format.h>

#include <bit>
#include <cstdint>
#include <functional>

namespace clnrm::spec_detail {

void StepNames::add(const StepSpec& step, SourcePos name_pos) {
  names_.push_back(Name{std::hash<std::string_view>{}(step.name), name_pos});
}

void StepNames::report(ParseContext& ctx, const std::vector<StepSpec>& steps) const {
  // Open addressing, linear probing, at most half full: each slot holds 1 +
  // the index of the first step with a name (0: empty). Names are compared
  // only when their hashes are equal.
  const std::size_t slots = std::bit_ceil(2 * names_.size() + 2);
  const std::size_t mask = slots - 1;
  std::vector<std::uint32_t> first(slots, 0);
  for (std::size_t i = 0; i < names_.size(); ++i) {
    const std::size_t hash = names_[i].hash;
    for (std::size_t s = hash & mask;; s = (s + 1) & mask) {
      if (first[s] == 0) {
        first[s] = static_cast<std::uint32_t>(i + 1);
        break;
      }
      const std::size_t j = first[s] - 1;
      if (names_[j].hash == hash && steps[j].name == steps[i].name) {
        ctx.error(names_[i].pos, fmt::format("duplicate step name '{}' (first defined at line {})",
                                             steps[i].name, steps[j].pos.line));
        break;
      }
    }
  }
}

}  // namespace clnrm::spec_detail
