#pragma once
// The one place clnrm keeps its caches for the user who runs it: the image
// store (src/image/resolve.cpp) and the socket-walk memo
// (src/backend/socket_walk_memo.h) live below it.

#include <optional>
#include <string>

namespace clnrm {

// /var/cache/clnrm for root, else $XDG_CACHE_HOME/clnrm (when absolute),
// else $HOME/.cache/clnrm; nullopt when none of them is known.
std::optional<std::string> user_cache_dir();

}  // namespace clnrm
