#pragma once
// Builds OCI image layouts and docker-archives by hand for image tests (test
// helper): real files in the real formats, with whatever a test wants to
// break (a tampered blob, a foreign platform, an odd media type).

#include <clnrm/sha256.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/tar_builder.h"

namespace clnrm::testing {

inline std::string read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void write_whole(const std::string& path, const std::string& content) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

struct BuiltImage {
  std::string manifest_digest;
  std::string config_digest;
  std::vector<std::string> layer_digests;
};

class OciLayoutBuilder {
 public:
  explicit OciLayoutBuilder(std::string dir) : dir_(std::move(dir)) {
    std::filesystem::create_directories(dir_ + "/blobs/sha256");
    write_whole(dir_ + "/oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  }

  std::string blob(const std::string& content) {
    const std::string hex = sha256_hex(content);
    write_whole(dir_ + "/blobs/sha256/" + hex, content);
    return "sha256:" + hex;
  }
  std::string blob_path(const std::string& digest) const { return dir_ + "/blobs/sha256/" + digest.substr(7); }

  // A manifest over `layer_files` (tar files on disk) and a config with `config`.
  BuiltImage image(const std::vector<std::string>& layer_files, const nlohmann::json& config,
                   const std::string& layer_media_type = "application/vnd.oci.image.layer.v1.tar") {
    BuiltImage out;
    nlohmann::json cfg = {{"architecture", "amd64"}, {"os", "linux"}, {"config", config},
                          {"rootfs", {{"type", "layers"}, {"diff_ids", nlohmann::json::array()}}}};
    const std::string cfg_text = cfg.dump();
    out.config_digest = blob(cfg_text);
    nlohmann::json m = {{"schemaVersion", 2},
                        {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                        {"config", {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                                    {"digest", out.config_digest}, {"size", cfg_text.size()}}},
                        {"layers", nlohmann::json::array()}};
    for (const auto& f : layer_files) {
      const std::string content = read_whole(f);
      const std::string d = blob(content);
      out.layer_digests.push_back(d);
      m["layers"].push_back({{"mediaType", layer_media_type}, {"digest", d}, {"size", content.size()}});
    }
    out.manifest_digest = blob(m.dump());
    return out;
  }

  // index.json naming `manifests` (digest, tag, platform "os/arch"; the
  // media type defaults to an OCI manifest).
  struct Entry {
    std::string digest, tag, platform, media_type = "application/vnd.oci.image.manifest.v1+json";
  };
  static nlohmann::json index_json(const std::vector<Entry>& entries) {
    nlohmann::json idx = {{"schemaVersion", 2},
                          {"mediaType", "application/vnd.oci.image.index.v1+json"},
                          {"manifests", nlohmann::json::array()}};
    for (const auto& e : entries) {
      nlohmann::json d = {{"mediaType", e.media_type}, {"digest", e.digest}, {"size", 1}};
      if (!e.tag.empty()) d["annotations"] = {{"org.opencontainers.image.ref.name", e.tag}};
      if (!e.platform.empty()) {
        const auto slash = e.platform.find('/');
        d["platform"] = {{"os", e.platform.substr(0, slash)}, {"architecture", e.platform.substr(slash + 1)}};
      }
      idx["manifests"].push_back(d);
    }
    return idx;
  }
  void index(const std::vector<Entry>& entries) { write_whole(dir_ + "/index.json", index_json(entries).dump()); }

  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

// A docker-archive (`docker save` legacy layout) with one image: <n>/layer.tar
// members, a config and manifest.json tagged `repo_tag`.
inline void write_docker_archive(const std::string& path, const std::vector<std::string>& layer_files,
                                 const nlohmann::json& config, const std::string& repo_tag) {
  const std::string cfg = nlohmann::json({{"architecture", "amd64"}, {"os", "linux"}, {"config", config}}).dump();
  const std::string cfg_name = sha256_hex(cfg) + ".json";
  nlohmann::json manifest = nlohmann::json::array();
  nlohmann::json entry = {{"Config", cfg_name}, {"RepoTags", {repo_tag}}, {"Layers", nlohmann::json::array()}};
  TarBuilder tar(path);
  for (std::size_t i = 0; i < layer_files.size(); ++i) {
    const std::string member = "layer" + std::to_string(i) + "/layer.tar";
    tar.dir("layer" + std::to_string(i));
    tar.file(member, read_whole(layer_files[i]));
    entry["Layers"].push_back(member);
  }
  tar.file(cfg_name, cfg);
  manifest.push_back(entry);
  tar.file("manifest.json", manifest.dump());
  tar.close();
}

}  // namespace clnrm::testing
