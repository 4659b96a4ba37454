// Registry token authentication through the real binary, against Debian's
// docker-registry configured with `auth: token` and a token service on
// loopback (scripts/registry-token-server.py) that signs JWTs with a key made
// for this test and hands them out only for HTTP Basic credentials
// (docs/images.md, "Registry credentials"). The runner's credentials come
// from CLNRM_REGISTRY_AUTH_FILE (docker's config.json form), never from the
// test file, and are never printed. Every run has the engine stopped:
// DOCKER_HOST names a unix socket nobody listens on, so the image can come
// only from the registry, on the sandbox backend.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/base64.h"
#include "e2e/run_process.h"
#include "support/loopback_registry.h"
#include "support/loopback_token_server.h"
#include "support/oci_layout_builder.h"
#include "support/tar_builder.h"

using namespace run_e2e;

namespace {

// 32 hex digits from the kernel: a password nobody wrote down.
std::string random_secret() {
  std::ifstream random("/dev/urandom", std::ios::binary);
  unsigned char bytes[16] = {};
  random.read(reinterpret_cast<char*>(bytes), sizeof bytes);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

// A unix socket file nobody listens on (bound, then closed): a stopped engine.
std::string dead_socket(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << path;
  ::close(fd);
  return path;
}

class RegistryAuth : public ::testing::Test {
 protected:
  void SetUp() override {
    // A busybox image whose /marker says "private", pushed with the pusher's credentials.
    clnrm::testing::TarBuilder(dir_.file("layer.tar"))
        .dir("bin")
        .file("bin/busybox", clnrm::testing::read_whole("/bin/busybox"), 0755)
        .file("marker", "private\n")
        .close();
    clnrm::testing::OciLayoutBuilder b(dir_.file("layout"));
    const auto img = b.image({dir_.file("layer.tar")}, {{"Env", {"PATH=/bin"}}});
    b.index({{img.manifest_digest, "latest", ""}});
    registry_.push("oci:" + dir_.file("layout") + ":latest", "clnrm-test/private:1",
                   "--dest-creds pusher:" + pusher_password_);
    clnrm::testing::write_whole(tests_.file("private.clnrm.toml"), R"([test.metadata]
name = "private"
[services.box]
plugin = "generic_container"
image = ")" + registry_.host() + R"(/clnrm-test/private:1"
args = ["/bin/busybox", "sleep", "300"]
[[steps]]
name = "marker"
service = "box"
command = ["/bin/busybox", "cat", "/marker"]
expected_output_regex = "^private\n$"
)");
    std::filesystem::create_directories(dir_.file("empty-docker-config"));
  }

  // An auth file holding `user:password` for `host` (docker's config.json form).
  std::string auth_file(const std::string& host, const std::string& user_password) {
    return dir_.write("auth-" + std::to_string(++auth_files_) + ".json",
                      R"({"auths": {")" + host + R"(": {"auth": ")" + clnrm::base64_encode(user_password) +
                          R"("}}})");
  }

  // clnrm run --pull missing on the test, the engine stopped, a cache of
  // this test's own, no docker config of the machine's; `env` adds to it.
  Outcome run(std::vector<std::string> env, const std::string& dir = "") {
    const std::vector<std::string> args = {"run",    "--backend", "sandbox", "--no-history",    "--no-config",
                                           "--pull", "missing",   "--format", "json",           "--verbose",
                                           dir.empty() ? tests_.path() : dir};
    env.push_back("DOCKER_HOST=unix://" + engine_socket_);
    env.push_back("CLNRM_IMAGE_CACHE=" + dir_.file("cache"));
    env.push_back("DOCKER_CONFIG=" + dir_.file("empty-docker-config"));
    Child c(args, out_.path(), env);
    return c.wait(std::chrono::seconds(120));
  }
  static nlohmann::json only_test(const Outcome& o) {
    const auto j = nlohmann::json::parse(o.out, nullptr, false);
    if (j.is_discarded() || !j.contains("tests") || j["tests"].size() != 1) return {};
    return j["tests"][0];
  }
  static std::string message_of(const Outcome& o) {
    const nlohmann::json t = only_test(o);
    return t.is_object() && t.contains("message") && t["message"].is_string() ? t["message"].get<std::string>() : "";
  }
  // Nothing the runner printed holds `secret`.
  static void expect_not_printed(const Outcome& o, const std::string& secret) {
    EXPECT_EQ(o.out.find(secret), std::string::npos) << "printed on stdout";
    EXPECT_EQ(o.err.find(secret), std::string::npos) << "printed on stderr";
    EXPECT_EQ(o.out.find(clnrm::base64_encode("reader:" + secret)), std::string::npos);
  }

  TempDir dir_, tests_, out_;
  const std::string pusher_password_ = random_secret();
  const std::string reader_password_ = random_secret();
  const std::string nopull_password_ = random_secret();
  clnrm::testing::LoopbackTokenServer tokens_{dir_.file("token"),
                                              {{"pusher", pusher_password_, "pull,push"},
                                               {"reader", reader_password_, "pull"},
                                               {"nopull", nopull_password_, "none"}}};
  clnrm::testing::LoopbackRegistry registry_{dir_.file("registry"), tokens_.auth()};
  const std::string engine_socket_ = dead_socket(dir_.file("engine.sock"));
  int auth_files_ = 0;
};

TEST_F(RegistryAuth, PullsWithTheRunnersCredentialsAndNeverPrintsThem) {
  const std::string file = auth_file(registry_.host(), "reader:" + reader_password_);
  const std::size_t before = tokens_.requests().size();  // the push's
  const Outcome o = run({"CLNRM_REGISTRY_AUTH_FILE=" + file});
  EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_EQ(only_test(o)["status"], "passed") << o.out;
  expect_not_printed(o, reader_password_);
  // The token service saw the reader's Basic credentials and granted pull;
  // the token it issued went to the registry only, never back to it.
  const auto requests = tokens_.requests();
  ASSERT_GT(requests.size(), before);
  for (std::size_t i = before; i < requests.size(); ++i) {
    EXPECT_EQ(requests[i]["auth"], "basic") << requests[i].dump();
    EXPECT_EQ(requests[i]["account"], "reader") << requests[i].dump();
    EXPECT_EQ(requests[i]["access"][0]["actions"], nlohmann::json::array({"pull"})) << requests[i].dump();
  }
}

TEST_F(RegistryAuth, WrongCredentialsFailNamingTheRegistryAndWhatToDo) {
  const std::string wrong = random_secret();
  const std::string file = auth_file(registry_.host(), "reader:" + wrong);
  const Outcome o = run({"CLNRM_REGISTRY_AUTH_FILE=" + file});
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
  const std::string m = message_of(o);
  EXPECT_NE(m.find("the token service " + tokens_.realm() + " of the registry http://" + registry_.host() +
                   " refused the credentials for " + registry_.host() + " from " + file +
                   " (from CLNRM_REGISTRY_AUTH_FILE) (HTTP 401): correct the user name or password"),
            std::string::npos)
      << m;
  expect_not_printed(o, wrong);
  EXPECT_EQ(o.out.find("reader"), std::string::npos) << "the user name is not printed either";
  // A named auth file that does not exist is an error naming it.
  const Outcome missing = run({"CLNRM_REGISTRY_AUTH_FILE=" + dir_.file("nowhere.json")});
  EXPECT_EQ(missing.exit_code, 1) << missing.out << missing.err;
  EXPECT_NE(message_of(missing).find("the registry auth file " + dir_.file("nowhere.json") +
                                     " (from CLNRM_REGISTRY_AUTH_FILE) cannot be read"),
            std::string::npos)
      << missing.out;
}

TEST_F(RegistryAuth, MissingCredentialsFailSayingWhereToPutThem) {
  // No auth file at all (DOCKER_CONFIG names an empty directory) ...
  Outcome o = run({"CLNRM_REGISTRY_AUTH_FILE"});
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
  std::string m = message_of(o);
  EXPECT_NE(m.find("the registry http://" + registry_.host() + " needs credentials: its token service " +
                   tokens_.realm() + " refused an anonymous token (HTTP 401)"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find(dir_.file("empty-docker-config") + "/config.json does not exist"), std::string::npos) << m;
  EXPECT_NE(m.find("auths.\"" + registry_.host() + "\".auth"), std::string::npos) << m;
  // ... or one with credentials for another registry only: the same.
  o = run({"CLNRM_REGISTRY_AUTH_FILE=" + auth_file("127.0.0.1:1", "reader:" + reader_password_)});
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
  EXPECT_NE(message_of(o).find("refused an anonymous token"), std::string::npos) << o.out;
  expect_not_printed(o, reader_password_);
  for (const auto& r : tokens_.requests()) EXPECT_NE(r["account"], "reader") << r.dump();
}

TEST_F(RegistryAuth, AnAccountWithoutPullIsDenied) {
  const std::string file = auth_file(registry_.host(), "nopull:" + nopull_password_);
  const Outcome o = run({"CLNRM_REGISTRY_AUTH_FILE=" + file});
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
  const std::string m = message_of(o);
  EXPECT_NE(m.find("the registry http://" + registry_.host() + " refused the manifest of image " + registry_.host() +
                   "/clnrm-test/private:1"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("to the credentials for " + registry_.host() + " from " + file +
                   " (from CLNRM_REGISTRY_AUTH_FILE) (HTTP 401): the account may not pull clnrm-test/private there"),
            std::string::npos)
      << m;
  expect_not_printed(o, nopull_password_);
}

// The loopback rule holds for the token service a registry names: plain http
// only to loopback, and a registry on loopback may name only a token service
// on loopback. Refused before any request: the credentials go nowhere.
TEST_F(RegistryAuth, ATokenServiceOffLoopbackIsRefusedBeforeAnythingIsSent) {
  for (const std::string realm : {"http://token.invalid/token", "https://token.invalid/token"}) {
    TempDir registry_dir;
    clnrm::testing::LoopbackRegistry elsewhere(registry_dir.file("registry"), {realm, tokens_.auth().cert});
    TempDir tests;
    std::string text = clnrm::testing::read_whole(tests_.file("private.clnrm.toml"));
    text.replace(text.find(registry_.host()), registry_.host().size(), elsewhere.host());
    clnrm::testing::write_whole(tests.file("private.clnrm.toml"), text);
    const std::string file = auth_file(elsewhere.host(), "reader:" + reader_password_);
    const Outcome o = run({"CLNRM_REGISTRY_AUTH_FILE=" + file}, tests.path());
    EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
    const std::string m = message_of(o);
    EXPECT_NE(m.find("the registry http://" + elsewhere.host() + " names the token service " + realm + ": "),
              std::string::npos)
        << m;
    EXPECT_NE(m.find(realm.starts_with("http:")
                         ? "clnrm speaks plain http only to loopback hosts; nothing was sent there"
                         : "a registry on loopback may name only a token service on loopback"),
              std::string::npos)
        << m;
    expect_not_printed(o, reader_password_);
  }
}

}  // namespace
