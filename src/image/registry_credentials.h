#pragma once
// Internal to src/image: the runner's registry credentials (docs/images.md,
// "Registry credentials"). They come only from the runner's side, never
// from a test file: the auth file is ImageOptions::registry_auth_file, else
// $CLNRM_REGISTRY_AUTH_FILE, else $DOCKER_CONFIG/config.json, else
// ~/.docker/config.json, in docker's config.json form (what `docker login`
// and `skopeo login --authfile` write):
//
//   {"auths": {"127.0.0.1:5000": {"auth": "<base64 of user:password>"}}}
//
// Credential helpers (credsStore, credHelpers) are not run. The user name
// and password are never part of a message; messages name the file and
// the registry host only.

#include <optional>
#include <string>
#include <string_view>

namespace clnrm::image {

struct RegistryCredentials {
  std::string username;
  std::string password;
};

// What the lookup for one registry found, and where it looked (for
// messages: "/home/u/.docker/config.json (from HOME)").
struct CredentialLookup {
  std::optional<RegistryCredentials> credentials;
  std::string file;        // the auth file read, "" when none exists
  std::string described;   // the file and why it was chosen, or where none was found
};

// The credentials for the registry at `authority` ("127.0.0.1:5000",
// "registry-1.docker.io"). `explicit_file` is ImageOptions::registry_auth_file.
// A file named explicitly (or by $CLNRM_REGISTRY_AUTH_FILE) that cannot be
// read, and any auth file that is not a JSON object or whose entry for
// `authority` is malformed, throw Error(Config) naming the file (never its
// content); a default file that does not exist means no credentials.
CredentialLookup find_registry_credentials(std::string_view authority, const std::string& explicit_file);

// The entry for `authority` in the text of an auth file: nullopt when there
// is none. Keys match by host[:port], with or without a scheme or path
// ("https://index.docker.io/v1/"); docker.io, index.docker.io and
// registry-1.docker.io are one registry. Throws Error(Config) with `file`
// for malformed JSON or a malformed entry.
std::optional<RegistryCredentials> credentials_in_auth_file(std::string_view text, std::string_view authority,
                                                            const std::string& file);

// "the registry auth file: CLNRM_REGISTRY_AUTH_FILE, else ..." with how to
// make an entry for `authority`, for messages asking for credentials.
std::string how_to_give_credentials(std::string_view authority);

}  // namespace clnrm::image
