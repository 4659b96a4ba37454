#pragma once
// The one reader of an HTTP status line, for every client that sees one: the
// libcurl client's header callback (src/base/http_client.cpp), the engine's
// attach upgrade (src/backend/docker/attach_stream.cpp) and wait_for.http's
// `wget -S` output (src/wait/http_probe.cpp).

#include <clnrm/parsed.h>

#include <string_view>

namespace clnrm {

// The status code of the first "HTTP/x[.y] NNN" in `response` (wget -S
// indents it; text before it is skipped), or why there is none. The code is
// exactly three digits, 100..599, followed by a space, a line end or nothing.
Parsed<int> parse_http_status(std::string_view response);

}  // namespace clnrm
