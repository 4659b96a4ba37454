#pragma once
// Internal to src/image: which manifest each reference resolved to, one
// small JSON file per reference under refs/ (written atomically), so a
// later run finds a cached image without any source, and `clnrm image ls`
// can say where each came from.

#include <clnrm/image.h>

#include <optional>
#include <string>
#include <vector>

#include "image/store.h"

namespace clnrm::image {

struct ImageRecord {
  std::string reference;
  std::string manifest_digest;
  std::string config_digest;  // the engine's image id, to spot a rebuilt image
  std::string source;
  std::string stored_at;
};

void save_record(const Store& store, const ImageRecord& record);
std::optional<ImageRecord> load_record(const Store& store, const std::string& reference);
std::vector<ImageRecord> load_records(const Store& store);
bool remove_record(const Store& store, const std::string& reference);

}  // namespace clnrm::image
