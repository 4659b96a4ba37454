// The runner's registry credentials (registry_credentials.h).
#include "image/registry_credentials.h"

#include <clnrm/error.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/base64.h"

namespace clnrm::image {
namespace {

constexpr std::size_t kMaxAuthFileBytes = 1u << 20;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// "host[:port]" of an auths key or a registry authority, docker.io's names as one.
std::string registry_key(std::string_view key) {
  if (const auto scheme = key.find("://"); scheme != std::string_view::npos) key.remove_prefix(scheme + 3);
  if (const auto slash = key.find('/'); slash != std::string_view::npos) key = key.substr(0, slash);
  if (key == "index.docker.io" || key == "registry-1.docker.io" || key == "registry.hub.docker.com")
    return "docker.io";
  return std::string(key);
}

// Which auth file applies and why, "" path when none is named or present.
struct AuthFile {
  std::string path;
  std::string described;
  bool required = false;  // named explicitly: it must be readable
};

AuthFile choose_auth_file(const std::string& explicit_file) {
  if (!explicit_file.empty()) return {explicit_file, explicit_file + " (ImageOptions::registry_auth_file)", true};
  if (std::string f = env("CLNRM_REGISTRY_AUTH_FILE"); !f.empty())
    return {f, f + " (from CLNRM_REGISTRY_AUTH_FILE)", true};
  std::string path, from;
  if (std::string d = env("DOCKER_CONFIG"); !d.empty()) {
    path = d + "/config.json";
    from = "DOCKER_CONFIG";
  } else if (std::string home = env("HOME"); !home.empty()) {
    path = home + "/.docker/config.json";
    from = "HOME";
  } else {
    return {"", "no auth file: CLNRM_REGISTRY_AUTH_FILE, DOCKER_CONFIG and HOME are unset", false};
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return {"", fmt::format("no auth file: {} does not exist and CLNRM_REGISTRY_AUTH_FILE is unset", path), false};
  return {path, fmt::format("{} (from {})", path, from), false};
}

std::string read_auth_file(const AuthFile& file) {
  struct stat st {};
  std::ifstream in(file.path, std::ios::binary);
  if (::stat(file.path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || !in)
    throw Error(ErrorKind::Config, fmt::format("the registry auth file {} cannot be read: name a readable file "
                                               "in docker's config.json form",
                                               file.described));
  if (static_cast<std::uint64_t>(st.st_size) > kMaxAuthFileBytes)
    throw Error(ErrorKind::Config,
                fmt::format("the registry auth file {} is larger than 1 MiB: it is not a config.json", file.described));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::optional<RegistryCredentials> credentials_in_auth_file(std::string_view text, std::string_view authority,
                                                            const std::string& file) {
  // No parser message: it quotes the text around the error, which may be a password.
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    throw Error(ErrorKind::Config, fmt::format("the registry auth file {} is not a JSON object (docker's "
                                               "config.json form: {{\"auths\": {{\"HOST\": {{\"auth\": \"...\"}}}}}})",
                                               file));
  const auto auths = j.find("auths");
  if (auths == j.end() || !auths->is_object()) return std::nullopt;
  const std::string wanted = registry_key(authority);
  for (const auto& [key, entry] : auths->items()) {
    if (registry_key(key) != wanted) continue;
    const auto malformed = [&](std::string_view why) {
      return Error(ErrorKind::Config, fmt::format("the registry auth file {}: the entry auths.\"{}\" {}; write it "
                                                  "as {{\"auth\": \"<base64 of user:password>\"}}",
                                                  file, key, why));
    };
    if (!entry.is_object()) throw malformed("is not an object");
    if (const auto auth = entry.find("auth"); auth != entry.end() && auth->is_string() && !auth->get<std::string>().empty()) {
      const Parsed<std::string> decoded = base64_decode(auth->get<std::string>());
      if (!decoded) throw malformed("has an \"auth\" that is " + decoded.error());
      const auto colon = decoded->find(':');
      if (colon == std::string::npos || colon == 0) throw malformed("has an \"auth\" that is not user:password");
      return RegistryCredentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
    }
    const auto user = entry.find("username");
    const auto password = entry.find("password");
    if (user != entry.end() && password != entry.end() && user->is_string() && password->is_string() &&
        !user->get<std::string>().empty())
      return RegistryCredentials{user->get<std::string>(), password->get<std::string>()};
    if (entry.contains("identitytoken"))
      throw malformed("holds an identity token, which clnrm does not use");
    // An empty entry (docker writes one when a credential helper holds the secret).
    return std::nullopt;
  }
  return std::nullopt;
}

CredentialLookup find_registry_credentials(std::string_view authority, const std::string& explicit_file) {
  const AuthFile file = choose_auth_file(explicit_file);
  CredentialLookup out;
  out.described = file.described;
  if (file.path.empty()) return out;
  out.file = file.path;
  out.credentials = credentials_in_auth_file(read_auth_file(file), authority, file.described);
  return out;
}

std::string how_to_give_credentials(std::string_view authority) {
  return fmt::format("put them in the registry auth file (CLNRM_REGISTRY_AUTH_FILE, else $DOCKER_CONFIG/config.json, "
                     "else ~/.docker/config.json) as auths.\"{}\".auth = base64 of user:password, which "
                     "`docker login {}` or `skopeo login --authfile FILE {}` writes (docs/images.md, \"Registry "
                     "credentials\")",
                     authority, authority, authority);
}

}  // namespace clnrm::image
