#pragma once
// When a registry is asked for an image named by name (docs/images.md,
// "Pull policy"): one enum and one parser for `clnrm run --pull`,
// CLNRM_PULL, cleanroom.toml's [defaults] pull (src/spec/project_config.cpp)
// and the image store (include/clnrm/image.h).

#include <clnrm/parsed.h>

#include <string_view>

namespace clnrm {

// File sources (oci:, oci-archive:, docker-archive:) and the local engine
// are read whatever the policy.
enum class PullPolicy {
  Never,    // the registry is never asked: the store or the local engine has it, or an error
  Missing,  // the registry is asked only when neither the store nor the engine has it (default)
  Always,   // the registry is asked for the current manifest every time (known blobs are not fetched again)
};

// "never" | "missing" | "always".
Parsed<PullPolicy> parse_pull_policy(std::string_view text);
std::string_view to_string(PullPolicy policy) noexcept;

}  // namespace clnrm
