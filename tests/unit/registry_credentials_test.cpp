// The runner's registry credentials (src/image/registry_credentials.cpp):
// docker's config.json form, which file applies, and messages that name the
// file but never a user name or password. The real token flow against a
// real registry: tests/e2e/run_registry_auth_test.cpp.
#include "image/registry_credentials.h"

#include <clnrm/error.h>
#include <gtest/gtest.h>

#include "support/scoped_env.h"
#include <stdlib.h>

#include <optional>
#include <string>

#include "base/base64.h"
#include "support/temp_dir.h"

namespace clnrm::image {
namespace {

std::string auth_json(const std::string& key, const std::string& user_password) {
  return R"({"auths": {")" + key + R"(": {"auth": ")" + base64_encode(user_password) + R"("}}})";
}

// The message of what `f` throws, "" when it does not.
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

using clnrm::testing::ScopedEnv;

TEST(RegistryCredentials, ReadsDockersConfigJsonForm) {
  auto c = credentials_in_auth_file(auth_json("127.0.0.1:5000", "alice:s3cr:et"), "127.0.0.1:5000", "f");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->username, "alice");
  EXPECT_EQ(c->password, "s3cr:et");  // only the first ':' splits
  // Another registry (another port) has none.
  EXPECT_FALSE(credentials_in_auth_file(auth_json("127.0.0.1:5000", "a:b"), "127.0.0.1:5001", "f"));
  // A key with a scheme and path; docker.io's names are one registry.
  c = credentials_in_auth_file(auth_json("https://index.docker.io/v1/", "bob:pw"), "registry-1.docker.io", "f");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->username, "bob");
  // username/password fields.
  c = credentials_in_auth_file(R"({"auths": {"localhost:5000": {"username": "u", "password": "p"}}})",
                               "localhost:5000", "f");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->password, "p");
  // An empty entry (a credential helper holds the secret), no auths at all.
  EXPECT_FALSE(credentials_in_auth_file(R"({"auths": {"localhost:5000": {}}, "credsStore": "pass"})",
                                        "localhost:5000", "f"));
  EXPECT_FALSE(credentials_in_auth_file("{}", "localhost:5000", "f"));
}

TEST(RegistryCredentials, MalformedFilesAreNamedWithoutTheirContent) {
  const std::string secret = "hunter2-do-not-print";
  for (const std::string& text : {"{\"auths\": " + secret, R"({"auths": {"h:1": {"auth": ")" + secret + R"("}}})",
                                  auth_json("h:1", secret), std::string("[\"") + secret + "\"]"}) {
    const std::string e = error_of([&] { credentials_in_auth_file(text, "h:1", "/p/auth.json"); });
    ASSERT_FALSE(e.empty()) << text;
    EXPECT_NE(e.find("the registry auth file /p/auth.json"), std::string::npos) << e;
    EXPECT_EQ(e.find(secret), std::string::npos) << e;
  }
}

TEST(RegistryCredentials, TheFileComesFromTheRunnersEnvironment) {
  testing::TempDir dir;
  const std::string named = dir.write("named.json", auth_json("127.0.0.1:5000", "named:pw"));
  dir.write("docker/config.json", auth_json("127.0.0.1:5000", "docker-config:pw"));
  dir.write("home/.docker/config.json", auth_json("127.0.0.1:5000", "home:pw"));
  ScopedEnv home("HOME", dir.file("home"));
  {
    ScopedEnv file("CLNRM_REGISTRY_AUTH_FILE", named);
    ScopedEnv docker("DOCKER_CONFIG", dir.file("docker"));
    // An explicit ImageOptions::registry_auth_file first, then CLNRM_REGISTRY_AUTH_FILE.
    EXPECT_EQ(find_registry_credentials("127.0.0.1:5000", dir.file("docker/config.json")).credentials->username,
              "docker-config");
    const CredentialLookup l = find_registry_credentials("127.0.0.1:5000", "");
    EXPECT_EQ(l.credentials->username, "named");
    EXPECT_EQ(l.described, named + " (from CLNRM_REGISTRY_AUTH_FILE)");
  }
  {
    ScopedEnv file("CLNRM_REGISTRY_AUTH_FILE", std::nullopt);
    ScopedEnv docker("DOCKER_CONFIG", dir.file("docker"));
    EXPECT_EQ(find_registry_credentials("127.0.0.1:5000", "").credentials->username, "docker-config");
  }
  {
    ScopedEnv file("CLNRM_REGISTRY_AUTH_FILE", std::nullopt);
    ScopedEnv docker("DOCKER_CONFIG", std::nullopt);
    EXPECT_EQ(find_registry_credentials("127.0.0.1:5000", "").credentials->username, "home");
    // A default file that does not exist: no credentials, and says where it looked.
    ScopedEnv nowhere("HOME", dir.file("nohome"));
    const CredentialLookup l = find_registry_credentials("127.0.0.1:5000", "");
    EXPECT_FALSE(l.credentials);
    EXPECT_NE(l.described.find(dir.file("nohome") + "/.docker/config.json does not exist"), std::string::npos)
        << l.described;
  }
  {
    // A named file that does not exist is an error naming it.
    ScopedEnv file("CLNRM_REGISTRY_AUTH_FILE", dir.file("missing.json"));
    const std::string e = error_of([] { find_registry_credentials("127.0.0.1:5000", ""); });
    EXPECT_NE(e.find("the registry auth file " + dir.file("missing.json") +
                     " (from CLNRM_REGISTRY_AUTH_FILE) cannot be read"),
              std::string::npos)
        << e;
  }
}

TEST(RegistryCredentials, HowToGiveThemNamesTheRegistryAndTheFiles) {
  const std::string h = how_to_give_credentials("127.0.0.1:5000");
  EXPECT_NE(h.find("CLNRM_REGISTRY_AUTH_FILE, else $DOCKER_CONFIG/config.json, else ~/.docker/config.json"),
            std::string::npos);
  EXPECT_NE(h.find("auths.\"127.0.0.1:5000\".auth"), std::string::npos) << h;
  EXPECT_NE(h.find("docker login 127.0.0.1:5000"), std::string::npos) << h;
}

}  // namespace
}  // namespace clnrm::image
