// Pulls from an OCI distribution registry (registry_source.h).
#include "image/registry_source.h"

#include <clnrm/loopback.h>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "base/base64.h"
#include "base/http_client.h"
#include "image/digest.h"
#include "image/oci_model.h"
#include "image/registry_credentials.h"

namespace clnrm::image {
namespace {

class Registry {
 public:
  Registry(std::string base_url, std::string authority, std::string repository, std::string auth_file)
      : base_(std::move(base_url)),
        authority_(std::move(authority)),
        repo_(std::move(repository)),
        auth_file_(std::move(auth_file)) {}

  // GET base/v2/repo/<path>; challenged (401), a token is fetched and the
  // request sent once more (a token that expired during a long pull is
  // renewed the same way).
  http::Response get(const std::string& path, const std::vector<std::string>& headers, const http::BodySink* sink) {
    http::Response r = send(url(path), headers, sink, true);
    if (r.status == 401) {
      fetch_token(r.header("www-authenticate"));
      r = send(url(path), headers, sink, true);
    }
    // Registries hand blobs to a storage service by redirect (http only to
    // loopback); the registry's token is not sent there.
    for (int hops = 0; hops < 3 && r.status >= 301 && r.status <= 308 && !r.header("location").empty(); ++hops) {
      std::string target = r.header("location");
      if (target.starts_with('/')) target = base_ + target;
      const auto parts = http::parse_url(target);
      if (!parts || (parts->scheme != "https" && !(parts->scheme == "http" && is_loopback_host(parts->host))))
        throw Error(ErrorKind::Backend, fmt::format("the registry {} redirects to {}: clnrm speaks plain http only to "
                                                    "loopback hosts",
                                                    base_, target));
      r = send(target, headers, sink, false);
    }
    return r;
  }

  const std::string& base() const { return base_; }
  const std::string& authority() const { return authority_; }
  // Where the credentials of the last token came from ("" when the token
  // was anonymous, or no token was needed).
  const std::string& credentials_from() const { return credentials_from_; }

 private:
  std::string url(const std::string& path) const { return fmt::format("{}/v2/{}/{}", base_, repo_, path); }

  http::Response send(const std::string& target, std::vector<std::string> headers, const http::BodySink* sink,
                      bool authorized) {
    http::Request request;
    request.url = target;
    request.connect_timeout = std::chrono::milliseconds(5000);
    request.headers = std::move(headers);
    if (authorized && !token_.empty()) request.headers.push_back("Authorization: Bearer " + token_);
    try {
      return http::send(request, sink);
    } catch (const http::TransferError& e) {
      throw Error(ErrorKind::Backend, fmt::format("the registry {} cannot be reached: {}", base_, e.what()));
    }
  }

  // The token service (realm) the registry names, as its challenge says.
  // The runner's credentials for this registry (registry_credentials.h) go
  // to it as HTTP Basic; without any the token is anonymous. The token
  // goes back only to this registry's base URL (send(), authorized).
  void fetch_token(const std::string& challenge) {
    token_.clear();
    const auto params = parse_bearer_challenge(challenge);
    auto realm = params.find("realm");
    if (realm == params.end())
      throw Error(ErrorKind::Backend,
                  fmt::format("the registry {} asks for authentication clnrm cannot give ({}): clnrm speaks only "
                              "the Bearer token scheme; pull the image with docker or skopeo and name it from there",
                              base_, challenge.empty() ? "no WWW-Authenticate header" : challenge));
    const std::string why_not = realm_refusal(realm->second);
    if (!why_not.empty())
      throw Error(ErrorKind::Backend, fmt::format("the registry {} names the token service {}: {}; nothing was sent "
                                                  "there",
                                                  base_, realm->second, why_not));
    const CredentialLookup lookup = find_registry_credentials(authority_, auth_file_);
    std::string query;
    auto add = [&](const char* key, const std::string& value) {
      query += fmt::format("{}{}={}", query.empty() ? "?" : "&", key, http::percent_encode(value));
    };
    if (auto s = params.find("service"); s != params.end()) add("service", s->second);
    add("scope", params.count("scope") ? params.at("scope") : fmt::format("repository:{}:pull", repo_));
    http::Request request;
    request.url = realm->second + query;
    request.connect_timeout = std::chrono::milliseconds(5000);
    request.timeout = std::chrono::milliseconds(60'000);
    request.max_body = 1u << 20;
    if (lookup.credentials)
      request.headers.push_back("Authorization: Basic " +
                                base64_encode(lookup.credentials->username + ":" + lookup.credentials->password));
    http::Response r;
    try {
      r = http::send(request);
    } catch (const http::TransferError& e) {
      throw Error(ErrorKind::Backend, fmt::format("the token service {} of {} cannot be reached: {}", realm->second, base_, e.what()));
    }
    if (r.status == 401 || r.status == 403) {
      if (lookup.credentials)
        throw Error(ErrorKind::Config,
                    fmt::format("the token service {} of the registry {} refused the credentials for {} from {} "
                                "(HTTP {}): correct the user name or password of that entry (auths.\"{}\"), e.g. "
                                "with `docker login {}`",
                                realm->second, base_, authority_, lookup.described, r.status, authority_, authority_));
      throw Error(ErrorKind::Config,
                  fmt::format("the registry {} needs credentials: its token service {} refused an anonymous token "
                              "(HTTP {}), and clnrm has none for {} (looked in: {}); {}",
                              base_, realm->second, r.status, authority_, lookup.described,
                              how_to_give_credentials(authority_)));
    }
    const auto j = nlohmann::json::parse(r.body, nullptr, false);
    if (r.status == 200 && j.is_object()) token_ = j.value("token", j.value("access_token", ""));
    if (token_.empty())
      throw Error(ErrorKind::Backend, fmt::format("the token service {} of {} gave no token (HTTP {})", realm->second, base_, r.status));
    credentials_from_ = lookup.credentials ? lookup.described : "";
  }

  // Why clnrm does not ask `realm` for a token ("" when it may): plain http
  // only to loopback, and a registry on loopback keeps everything on this
  // machine (its realm is loopback too), so a test's local registry cannot
  // send the runner's credentials, or the runner, anywhere else.
  std::string realm_refusal(const std::string& realm) const {
    const auto url = http::parse_url(realm);
    if (!url || (url->scheme != "https" && url->scheme != "http")) return "it is not an http(s) URL";
    if (url->scheme == "http" && !is_loopback_host(url->host)) return "clnrm speaks plain http only to loopback hosts";
    if (is_loopback_authority(authority_) && !is_loopback_host(url->host))
      return "a registry on loopback may name only a token service on loopback (127.0.0.0/8, localhost, ::1), so "
             "credentials and tokens stay on this machine";
    return "";
  }

  std::string base_, authority_, repo_, auth_file_, token_, credentials_from_;
};

std::string fetch_manifest(Registry& registry, const NameReference& ref, const std::string& reference,
                           std::string& media_type, const std::string& what) {
  const http::Response r = registry.get("manifests/" + reference, {manifest_accept_header()}, nullptr);
  if ((r.status == 401 || r.status == 403) && !registry.credentials_from().empty())
    throw Error(ErrorKind::Config,
                fmt::format("the registry {} refused {} to the credentials for {} from {} (HTTP {}): the account may "
                            "not pull {} there, or the registry has no such image",
                            registry.base(), what, registry.authority(), registry.credentials_from(), r.status,
                            ref.repository));
  if (r.status == 404 || (r.status == 401 && reference == ref.tag))
    throw RegistryNotFound(ErrorKind::Config,
                           fmt::format("the registry {} has no {} (HTTP {})", registry.base(), ref.name, r.status));
  if (r.status != 200)
    throw Error(ErrorKind::Backend, fmt::format("the registry {} refused {}: HTTP {} {}", registry.base(), what, r.status,
                                                r.body.substr(0, 300)));
  const std::string actual = "sha256:" + sha256_hex(r.body);
  const std::string expected = reference.starts_with("sha256:") ? reference : r.header("docker-content-digest");
  if (!expected.empty() && expected != actual) throw Error(ErrorKind::Backend, digest_mismatch_message(what, expected, actual));
  media_type = r.header("content-type");
  if (const auto semi = media_type.find(';'); semi != std::string::npos) media_type.resize(semi);
  return r.body;
}

void fetch_blob(const Store& store, Registry& registry, const std::string& digest, const std::string& what) {
  if (store.has_blob(digest)) return;
  FileLock held = store.lock("blob-" + digest.substr(7));
  if (store.has_blob(digest)) return;  // fetched by another runner while we waited
  BlobWriter writer(store, what);
  std::string write_error;
  const http::BodySink sink = [&](std::string_view chunk) {
    try {
      writer.write(chunk);
      return true;
    } catch (const Error& e) {
      write_error = e.what();
      return false;
    }
  };
  const http::Response r = registry.get("blobs/" + digest, {}, &sink);
  if (!write_error.empty()) throw Error(ErrorKind::Io, write_error);
  if (r.status != 200 || r.outcome != http::Response::Outcome::Complete)
    throw Error(ErrorKind::Backend, fmt::format("the registry {} did not send {}: HTTP {} {}{}", registry.base(), what,
                                                r.status, r.body.substr(0, 300), r.error));
  writer.commit(digest);
}

}  // namespace

std::string registry_base_url(const NameReference& ref, const std::string& default_registry) {
  std::string host = ref.registry;
  if (host.empty()) host = default_registry.empty() ? "registry-1.docker.io" : default_registry;
  return fmt::format("{}://{}", is_loopback_authority(host) ? "http" : "https", host);
}

std::map<std::string, std::string> parse_bearer_challenge(std::string_view header) {
  std::map<std::string, std::string> out;
  if (header.size() < 7 || !(header.substr(0, 7) == "Bearer " || header.substr(0, 7) == "bearer ")) return out;
  std::string_view rest = header.substr(7);
  while (!rest.empty()) {
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == ',')) rest.remove_prefix(1);
    const auto eq = rest.find('=');
    if (eq == std::string_view::npos) break;
    const std::string key(rest.substr(0, eq));
    rest.remove_prefix(eq + 1);
    std::string value;
    if (!rest.empty() && rest.front() == '"') {
      rest.remove_prefix(1);
      const auto end = rest.find('"');
      value = std::string(rest.substr(0, end));
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    } else {
      const auto comma = rest.find(',');
      value = std::string(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma);
    }
    out[key] = value;
  }
  return out;
}

std::string pull_from_registry(const Store& store, const NameReference& ref, const std::string& base_url,
                               const std::string& auth_file) {
  const std::string authority = base_url.substr(base_url.find("://") + 3);
  Registry registry(base_url, authority, ref.repository, auth_file);
  const std::string reference = ref.digest.empty() ? ref.tag : ref.digest;
  const std::string what = fmt::format("image {} (registry {})", ref.name, base_url);
  std::string media_type;
  std::string body = fetch_manifest(registry, ref, reference, media_type, "the manifest of " + what);
  if (document_kind(body, media_type, what) == DocumentKind::Index) {
    const Descriptor chosen = select_platform(parse_index(body, "the index of " + what), "the index of " + what);
    body = fetch_manifest(registry, ref, chosen.digest, media_type, "the manifest of " + what);
  }
  const Manifest manifest = parse_manifest(body, "the manifest of " + what);
  fetch_blob(store, registry, manifest.config.digest, "the config of " + what);
  for (std::size_t i = 0; i < manifest.layers.size(); ++i)
    fetch_blob(store, registry, manifest.layers[i].digest,
               fmt::format("layer {} of {} ({})", i + 1, what, manifest.layers[i].digest));
  return store.put_blob(body, "", "the manifest of " + what);
}

}  // namespace clnrm::image
