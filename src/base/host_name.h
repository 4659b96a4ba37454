#pragma once
// This machine's name (gethostname(2)), as history rows, JUnit's hostname
// attribute, benchmark contexts and the docker backend's owner labels record
// it.

#include <string>
#include <string_view>

namespace clnrm {

// The host name, or `fallback` when the system gives none.
std::string host_name(std::string_view fallback = "unknown");

}  // namespace clnrm
