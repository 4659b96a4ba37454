// `clnrm image ls | pull REF | rm REF | prune`: the image store the sandbox
// runs images from (include/clnrm/image.h, docs/images.md).
#include <clnrm/docker.h>
#include <clnrm/error.h>
#include <clnrm/image.h>
#include <clnrm/sandbox.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/project_settings.h"

namespace clnrm::cli {
namespace {

struct ImageFlags {
  std::string cache_dir;
  std::string format = "human";
  std::string policy = "missing";
  bool offline = false;
  bool no_engine = false;
  std::string docker_host;
  std::string registry;
  std::vector<std::string> image_map;
  ConfigFlags config;
  std::string reference;
};

void add_cache_flag(CLI::App& cmd, ImageFlags& f) {
  cmd.add_option("--cache-dir", f.cache_dir,
                 "Image cache directory (default: CLNRM_IMAGE_CACHE, else $XDG_CACHE_HOME/clnrm/images, "
                 "/var/cache/clnrm/images for root)");
}

// The options every subcommand shares: the cache, and the owners a root
// runner's sandbox gives pods (so layers pulled here are the ones it uses).
ImageOptions base_options(const ImageFlags& f) {
  ImageOptions o;
  o.cache_dir = f.cache_dir;
  if (o.ownership.privileged) o.ownership = {true, SandboxOptions{}.pod_id_base, kPodIdCount};
  return o;
}

std::string human_size(std::uint64_t bytes) {
  if (bytes >= (1u << 20)) return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1u << 20));
  return fmt::format("{:.1f} KiB", static_cast<double>(bytes) / 1024);
}

}  // namespace

void add_image_command(CLI::App& app, CliContext& ctx) {
  auto* image = app.add_subcommand("image", "The image cache the sandbox runs images from (docs/images.md)");
  image->require_subcommand(1);
  auto flags = std::make_shared<ImageFlags>();

  auto* ls = image->add_subcommand("ls", "List the images in the cache");
  add_cache_flag(*ls, *flags);
  ls->add_option("--format", flags->format, "Output format: human or json")->check(CLI::IsMember({"human", "json"}));
  ls->callback([&ctx, flags] {
    const ImageOptions o = base_options(*flags);
    const std::vector<StoredImage> images = list_images(o);
    if (flags->format == "json") {
      nlohmann::json out = nlohmann::json::array();
      for (const StoredImage& s : images)
        out.push_back({{"reference", s.reference}, {"manifest_digest", s.manifest_digest}, {"source", s.source},
                       {"size_bytes", s.size_bytes}, {"stored_at", s.stored_at}});
      std::printf("%s\n", out.dump(2).c_str());
    } else {
      std::printf("image cache %s: %zu image(s)\n", image_cache_dir(o).c_str(), images.size());
      for (const StoredImage& s : images)
        std::printf("%s  %s  %s  %s  (%s)\n", s.reference.c_str(), s.manifest_digest.substr(0, 19).c_str(),
                    human_size(s.size_bytes).c_str(), s.stored_at.c_str(), s.source.c_str());
    }
    ctx.exit_code = 0;
  });

  auto* pull = image->add_subcommand("pull", "Resolve REF into the cache: layers verified and unpacked");
  pull->add_option("reference", flags->reference, "Image: name[:tag], oci:DIR[:tag], oci-archive:FILE, docker-archive:FILE")
      ->required();
  add_cache_flag(*pull, *flags);
  pull->add_option("--pull-policy", flags->policy, "When the registry is asked: never, missing (default) or always")
      ->check(CLI::IsMember({"never", "missing", "always"}));
  pull->add_flag("--offline", flags->offline, "Never touch the network: no registry request");
  pull->add_flag("--no-engine", flags->no_engine, "Do not export the image from the local Docker/Podman engine");
  pull->add_option("--docker-host", flags->docker_host, "Engine address to export images from (default: the usual sockets)");
  pull->add_option("--registry", flags->registry,
                   "Registry (host:port) for names without one (default docker.io; http only for loopback)");
  pull->add_option("--image-map", flags->image_map, "Substitute images, FROM=TO (repeatable; after [images])")
      ->allow_extra_args(false);
  add_config_flags(*pull, flags->config);
  pull->callback([&ctx, flags] {
    const ProjectSettings project = load_project_settings(flags->config);
    ImageOptions o = base_options(*flags);
    o.pull_policy = flag_value(parse_pull_policy(flags->policy), "--pull-policy");
    o.offline = flags->offline;
    o.default_registry = flags->registry;
    if (!flags->no_engine && !flags->offline) o.engine = docker_image_engine(flags->docker_host);
    // cleanroom.toml's [images] first, then --image-map: later entries win.
    if (project.config)
      for (const auto& [from, to] : project.config->images) {
        const ImageMapping m = flag_value(parse_image_mapping(from + "=" + to), project.config->where("images").c_str());
        o.image_map[m.from] = m.to;
      }
    for (const auto& entry : flags->image_map) {
      const ImageMapping m = flag_value(parse_image_mapping(entry), "--image-map");
      o.image_map[m.from] = m.to;
    }
    const ImageRootfs r = resolve_image(flags->reference, o);
    std::printf("%s: %s, %zu layer(s) in %s\n", flags->reference.c_str(), r.manifest_digest.c_str(),
                r.layer_dirs.size(), image_cache_dir(o).c_str());
    ctx.exit_code = 0;
  });

  auto* rm = image->add_subcommand("rm", "Forget REF (its layers go at the next prune)");
  rm->add_option("reference", flags->reference, "Image as `clnrm image ls` shows it")->required();
  add_cache_flag(*rm, *flags);
  rm->callback([&ctx, flags] {
    if (!remove_image(flags->reference, base_options(*flags))) {
      std::fprintf(stderr, "clnrm: image %s is not in the cache (see clnrm image ls)\n", flags->reference.c_str());
      ctx.exit_code = 1;
      return;
    }
    std::printf("removed %s\n", flags->reference.c_str());
    ctx.exit_code = 0;
  });

  auto* prune = image->add_subcommand("prune", "Delete blobs and layers no cached image uses, and leftovers of killed pulls");
  add_cache_flag(*prune, *flags);
  prune->callback([&ctx, flags] {
    const PruneResult p = prune_images(base_options(*flags));
    std::printf("pruned %zu blob(s), %zu layer(s), %zu leftover(s) of killed pulls\n", p.blobs_removed,
                p.layers_removed, p.temp_removed);
    ctx.exit_code = 0;
  });
}

}  // namespace clnrm::cli
