#pragma once
// Internal to src/image: images from the local Docker/Podman engine's store,
// exported through the Engine API (GET /images/{name}/get, a docker-archive
// stream), so an image built or pulled with Docker runs on the sandbox
// without the engine running the test. The endpoint comes from the caller
// (ImageEngine; the project's one resolver is src/backend/docker/endpoint.cpp).

#include <clnrm/image.h>

#include <string>

#include "image/store.h"

namespace clnrm::image {

struct EngineImage {
  enum class State { Present, Absent, Unreachable };
  State state = State::Unreachable;
  std::string image_id;  // "sha256:..." (the config digest) when Present
  std::string reason;    // why not, when Unreachable
};

// GET /images/{name}/json.
EngineImage inspect_engine_image(const ImageEngine& engine, const std::string& name);
// Exports `name` and imports the stream as a docker-archive; returns the
// manifest digest in the store.
std::string export_engine_image(const Store& store, const ImageEngine& engine, const std::string& name);

}  // namespace clnrm::image
