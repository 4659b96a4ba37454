#pragma once
// Internal to src/spec: duplicate step names within one list of steps
// ([[steps]], or the steps of one [[scenario]]).

#include <clnrm/spec.h>

#include <cstddef>
#include <string_view>
#include <vector>

#include "spec/parse_context.h"

namespace clnrm::spec_detail {

// Collects the names while the list is read (a hash and the position of each
// `name`, in the order of the list's vector) and checks them once the list is
// complete. Linear time with a small, dense working set: the check runs after
// the list is read, on two arrays of a few bytes per step. A node-based map
// filled while reading was linear in operations but not in time: with ~3 KB
// of new steps and DOM written per step between two visits of a bucket, at
// 100k steps nearly every insert missed the cache: 70 of 720 ms, most of what
// 100k cost beyond 10x 10k (bench/peers/parse_scaling.sh).
class StepNames {
 public:
  explicit StepNames(std::size_t count) { names_.reserve(count); }

  // `step` is the element just appended to the list; `name_pos` is where its
  // `name` is written.
  void add(const StepSpec& step, SourcePos name_pos);

  // Reports an error at each step's `name` when an earlier step of `steps`
  // (the list add() saw, in the same order) has the same name.
  void report(ParseContext& ctx, const std::vector<StepSpec>& steps) const;

 private:
  struct Name {
    std::size_t hash;
    SourcePos pos;
  };
  std::vector<Name> names_;
};

}  // namespace clnrm::spec_detail
