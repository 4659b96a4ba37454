// Reference records of the image store (records.h).
#include "image/records.h"

#include <clnrm/sha256.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/atomic_file.h"
#include "base/utc_time.h"

namespace clnrm::image {
namespace {

using nlohmann::json;

std::string record_path(const Store& store, const std::string& reference) {
  return fmt::format("{}/{}.json", store.refs_dir(), sha256_hex(reference));
}

std::optional<ImageRecord> read_record_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  const json j = json::parse(text.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  ImageRecord r;
  r.reference = j.value("reference", "");
  r.manifest_digest = j.value("manifest", "");
  r.config_digest = j.value("config", "");
  r.source = j.value("source", "");
  r.stored_at = j.value("stored_at", "");
  if (r.reference.empty() || r.manifest_digest.empty()) return std::nullopt;
  return r;
}

}  // namespace

void save_record(const Store& store, const ImageRecord& record) {
  json j = {{"reference", record.reference},
            {"manifest", record.manifest_digest},
            {"config", record.config_digest},
            {"source", record.source},
            {"stored_at", record.stored_at.empty()
                              ? format_utc(std::chrono::system_clock::now(), UtcStyle::Rfc3339)
                              : record.stored_at}};
  write_file_atomically(record_path(store, record.reference), j.dump(2) + "\n");
}

std::optional<ImageRecord> load_record(const Store& store, const std::string& reference) {
  auto r = read_record_file(record_path(store, reference));
  if (r && r->reference != reference) return std::nullopt;
  return r;
}

std::vector<ImageRecord> load_records(const Store& store) {
  std::vector<ImageRecord> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(store.refs_dir(), ec)) {
    if (entry.path().extension() != ".json") continue;
    if (auto r = read_record_file(entry.path().string())) out.push_back(std::move(*r));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.reference < b.reference; });
  return out;
}

bool remove_record(const Store& store, const std::string& reference) {
  if (!load_record(store, reference)) return false;
  return ::unlink(record_path(store, reference).c_str()) == 0;
}

}  // namespace clnrm::image
