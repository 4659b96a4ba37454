#pragma once
// Base64 (RFC 4648, the standard alphabet with '=' padding): the registry
// credentials of a docker config.json ("auth": base64 of "user:password")
// and the HTTP Basic header made from them (src/image/registry_credentials.cpp,
// src/image/registry_source.cpp).

#include <clnrm/parsed.h>

#include <string>
#include <string_view>

namespace clnrm {

std::string base64_encode(std::string_view bytes);
// Padding required; whitespace is not skipped. The reason names no input
// byte (the text may be a secret).
Parsed<std::string> base64_decode(std::string_view text);

}  // namespace clnrm
