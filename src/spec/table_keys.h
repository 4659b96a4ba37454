#pragma once
// Internal to src/spec: the values of a small table by key, found by one walk
// over the table. A reader asks for every key it knows (a step: 19), most of
// which a table lacks; a table is a tree ordered by key, so each lookup
// compared strings down the tree (~10 % of validating a step). Here a lookup
// compares the lengths of the few keys the table has.

#include <toml++/toml.h>

#include <array>
#include <cstddef>
#include <string_view>
#include <utility>

namespace clnrm::spec_detail {

class TableKeys {
 public:
  explicit TableKeys(const toml::table& table) noexcept;

  // The value of `key`, or null: what table.get(key) returns. Inline: a
  // reader's keys are literals, so most comparisons are of constant lengths.
  const toml::node* get(std::string_view key) const noexcept {
    if (!all_) return table_.get(key);
    for (std::size_t i = 0; i < count_; ++i)
      if (keys_[i].first == key) return keys_[i].second;
    return nullptr;
  }

 private:
  // Tables with more keys than this are looked up in the table itself.
  static constexpr std::size_t kMaxKeys = 12;

  const toml::table& table_;
  std::array<std::pair<std::string_view, const toml::node*>, kMaxKeys> keys_{};
  std::size_t count_ = 0;
  bool all_ = true;  // keys_ holds every key of the table
};

}  // namespace clnrm::spec_detail
