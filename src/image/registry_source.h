#pragma once
// Internal to src/image: images pulled from a registry speaking the OCI
// distribution API (GET /v2/<repo>/manifests/<ref>, /v2/<repo>/blobs/<digest>):
// an index or manifest list resolves to the host platform, Bearer tokens are
// fetched as WWW-Authenticate says (with the runner's credentials for the
// registry when it has some: registry_credentials.h), plain http only for
// loopback hosts, and a registry on loopback only gets a token service on
// loopback. Every blob is verified against its digest before it is stored.

#include <clnrm/error.h>

#include <map>
#include <string>
#include <string_view>

#include "image/reference.h"
#include "image/store.h"

namespace clnrm::image {

// "http://127.0.0.1:5000" or "https://registry-1.docker.io" for `ref`.
std::string registry_base_url(const NameReference& ref, const std::string& default_registry);

// Thrown when the registry does not have the image (404), so the caller can
// list it among the places looked.
class RegistryNotFound : public Error {
 public:
  using Error::Error;
};

// Pulls `ref` into the store; returns the manifest digest. `auth_file` is
// ImageOptions::registry_auth_file (find_registry_credentials).
std::string pull_from_registry(const Store& store, const NameReference& ref, const std::string& base_url,
                               const std::string& auth_file);

// The parameters of a `WWW-Authenticate: Bearer realm="...",service="...",scope="..."`
// header (empty map when not Bearer).
std::map<std::string, std::string> parse_bearer_challenge(std::string_view header);

}  // namespace clnrm::image
