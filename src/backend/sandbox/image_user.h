#pragma once
// Side: runner (docs/SANDBOX.md, "Code by side").
//
// An image's `User` (OCI config: "uid", "uid:gid", "name", "name:group", or
// mixes) as numeric ids inside the pod, looked up the way Docker does in the
// image's own /etc/passwd and /etc/group, never the host's.

#include <clnrm/parsed.h>

#include <string>
#include <string_view>

namespace clnrm::sandbox {

struct ImageIds {
  int uid = 0;
  int gid = 0;
};

// `user` with the image's /etc/passwd and /etc/group texts (empty when the
// image has none). A numeric uid without a group takes its passwd entry's
// gid, or 0 without one (Docker's rule); a name must be in the file. Ids
// must be below 65536 (what a pod maps, include/clnrm/sandbox.h).
Parsed<ImageIds> resolve_image_user(std::string_view user, std::string_view passwd, std::string_view group);

}  // namespace clnrm::sandbox
