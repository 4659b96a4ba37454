#include "spec/table_keys.h"

namespace clnrm::spec_detail {

TableKeys::TableKeys(const toml::table& table) noexcept : table_(table) {
  for (auto&& [key, value] : table) {
    if (count_ == kMaxKeys) {
      all_ = false;
      return;
    }
    keys_[count_++] = {key.str(), &value};
  }
}

}  // namespace clnrm::spec_detail
