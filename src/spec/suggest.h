#pragma once
// "did you mean ...?" for unknown keys and names: the closest candidate by
// edit distance, when it is close enough to be a plausible typo.

#include <initializer_list>
#include <optional>
#include <string_view>
#include <vector>

namespace clnrm::spec_detail {

// Optimal string alignment distance (Levenshtein plus adjacent transpositions),
// case-insensitive, so "comand", "commnad" and "Command" all reach "command".
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, if its distance is at most
// max(1, word.size() / 3) (capped at 3): a typo, not a different word.
std::optional<std::string_view> closest_match(std::string_view word,
                                              std::initializer_list<std::string_view> candidates);
std::optional<std::string_view> closest_match(std::string_view word,
                                              const std::vector<std::string_view>& candidates);

}  // namespace clnrm::spec_detail
