#pragma once
// Side: runner (docs/SANDBOX.md, "Code by side").
//
// SandboxOptions::resolve_image asked once per image and run: every pod of a
// test naming an image would otherwise look the image up again (the engine
// over its socket, the store's reference record, manifest and config read
// from disk), which costs more than the pod itself. The answer (layer
// directories and parsed config) is kept in memory for the backend's life;
// a failure is not kept, so the next pod asks again.

#include <clnrm/sandbox.h>

namespace clnrm::sandbox {

using ImageResolver = decltype(SandboxOptions::resolve_image);

// `resolve`, asked at most once per (reference, base_dir) at a time and once
// for good when it succeeds. Thread-safe: pods are made from several lanes
// and the standby thread; callers asking for the same image wait for one
// answer, other images are resolved meanwhile. Empty in, empty out.
ImageResolver memoize_image_resolver(ImageResolver resolve);

}  // namespace clnrm::sandbox
