// --image-map parsing: any text gives a map or a reason; mapping any image
// through the result never throws, and a mapped key maps to its value.
#include <clnrm/image.h>
#include <clnrm/error.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"

namespace clnrm::fuzz {

inline void image_map_one_input(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)normalize_image_ref(text);
  const Parsed<ImageMap> parsed = parse_image_map(text);
  if (!parsed) {
    FUZZ_CHECK(!parsed.error().empty());
    return;
  }
  const ImageMap& map = *parsed;
  for (const auto& [from, to] : map) {
    // Keys are normalised once; a key that normalises further (only
    // nonsense like "index.docker.io/library/docker.io/a", whose key is
    // "docker.io/a:latest") is not found by its own key: the property
    // holds for keys that are fixed points (regression: non-idempotent-key).
    if (normalize_image_ref(from) == from) FUZZ_CHECK(map_image(map, from) == to);
    (void)map_image(map, to);
  }
  (void)map_image(map, text);
}

}  // namespace clnrm::fuzz

CLNRM_FUZZ_ENTRY(clnrm::fuzz::image_map_one_input)
