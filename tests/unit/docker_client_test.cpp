// DockerClient against a recording transport (failure injection and the
// Podman/Docker differences); the real engine is covered by
// tests/integration/docker_*_test.cpp.
#include "backend/docker/docker_client.h"

#include <clnrm/error.h>
#include <gtest/gtest.h>

#include <deque>

namespace clnrm::docker {
namespace {

class RecordingTransport final : public Transport {
 public:
  std::deque<HttpResponse> replies;
  std::vector<HttpRequest> seen;
  Endpoint ep = [] {
    Endpoint e;
    e.unix_socket = "/fake.sock";
    e.base_url = "http://localhost";
    return e;
  }();
  HttpResponse send(const HttpRequest& r, const BodySink* sink, const CancelToken*) override {
    seen.push_back(r);
    if (replies.empty()) throw Error(ErrorKind::Io, "no reply scripted for " + r.path);
    HttpResponse resp = replies.front();
    replies.pop_front();
    if (sink && resp.status < 300) {
      (*sink)(resp.body);
      resp.body.clear();
    }
    return resp;
  }
  const Endpoint& endpoint() const override { return ep; }
};

HttpResponse reply(long status, std::string body, std::map<std::string, std::string> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

struct Fixture {
  RecordingTransport* t;
  DockerClient client;
  explicit Fixture(std::map<std::string, std::string> ping_headers, std::string version_body)
      : t(new RecordingTransport), client(std::unique_ptr<Transport>(t)) {
    t->replies.push_back(reply(200, "OK", ping_headers));
    t->replies.push_back(reply(200, version_body));
    client.connect();
  }
};

const char* kPodmanVersion = R"({"Version":"4.3.1","ApiVersion":"1.41","MinAPIVersion":"1.24",
  "Components":[{"Name":"Podman Engine","Version":"4.3.1"}]})";

TEST(DockerClient, PathsCarryTheNegotiatedVersion) {
  Fixture f({{"api-version", "1.43"}}, R"({"Version":"24.0","ApiVersion":"1.43","MinAPIVersion":"1.12"})");
  EXPECT_EQ(f.t->seen[0].path, "/_ping");
  EXPECT_EQ(f.t->seen[1].path, "/version");
  f.t->replies.push_back(reply(201, R"({"Id":"abc123"})"));
  EXPECT_EQ(f.client.container_create({{"Image", "x"}}, "n1"), "abc123");
  EXPECT_EQ(f.t->seen.back().path, "/v1.43/containers/create?name=n1");
  EXPECT_EQ(f.t->seen.back().method, "POST");
  EXPECT_EQ(f.t->seen.back().content_type, "application/json");
}

TEST(DockerClient, PodmanHeadersAreRecognised) {
  Fixture f({{"api-version", "1.41"}, {"libpod-api-version", "4.3.1"}}, kPodmanVersion);
  EXPECT_TRUE(f.client.info().podman);
  f.t->replies.push_back(reply(200, "[]"));
  f.client.container_list({"clnrm.session"});
  EXPECT_EQ(f.t->seen.back().path.rfind("/v1.41/containers/json?all=1&filters=", 0), 0u) << f.t->seen.back().path;
}

TEST(DockerClient, EngineErrorMessagesSurface) {
  Fixture f({{"api-version", "1.41"}}, R"({"Version":"20.10","ApiVersion":"1.41"})");
  f.t->replies.push_back(reply(409, R"({"message":"Conflict. The container name \"/x\" is already in use"})"));
  try {
    f.client.container_create({{"Image", "x"}}, "x");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Backend);
    EXPECT_NE(std::string(e.what()).find("already in use"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("409"), std::string::npos) << e.what();
    EXPECT_EQ(e.context(), "unix:///fake.sock");
  }
}

TEST(DockerClient, PodmanCauseIsUsedWhenMessageIsMissing) {
  EXPECT_EQ(engine_message(R"({"cause":"no such container","response":404})"), "no such container");
  EXPECT_EQ(engine_message("plain text\n"), "plain text");
}

TEST(DockerClient, RemoveOfAMissingContainerIsNotAnError) {
  Fixture f({{"api-version", "1.41"}}, R"({"Version":"20.10","ApiVersion":"1.41"})");
  f.t->replies.push_back(reply(404, R"({"message":"No such container: x"})"));
  EXPECT_NO_THROW(f.client.container_remove("x"));
  EXPECT_EQ(f.t->seen.back().method, "DELETE");
  EXPECT_EQ(f.t->seen.back().path, "/v1.41/containers/x?force=1&v=1");
}

TEST(DockerClient, PullErrorInA200StreamNamesTheImageAndRemedies) {
  Fixture f({{"api-version", "1.41"}}, R"({"Version":"20.10","ApiVersion":"1.41"})");
  f.t->replies.push_back(reply(200, "{\"status\":\"Pulling\"}\n{\"error\":\"dial tcp: lookup registry-1.docker.io\"}\n"));
  try {
    f.client.image_pull("alpine:3.19");
    FAIL();
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("alpine:3.19"), std::string::npos) << m;
    EXPECT_NE(m.find("--image-map"), std::string::npos) << m;
    EXPECT_NE(m.find("make-test-images.sh"), std::string::npos) << m;
  }
  EXPECT_EQ(f.t->seen.back().path, "/v1.41/images/create?fromImage=alpine&tag=3.19");
}

TEST(DockerClient, ExecStartDemuxesAndReadsTheExitCode) {
  Fixture f({{"api-version", "1.41"}}, R"({"Version":"20.10","ApiVersion":"1.41"})");
  std::string stream = std::string("\x01\0\0\0\0\0\0\x03out", 11) + std::string("\x02\0\0\0\0\0\0\x03" "err", 11);
  f.t->replies.push_back(reply(200, stream));
  f.t->replies.push_back(reply(200, R"({"Running":false,"ExitCode":3,"Pid":77})"));
  auto out = f.client.exec_start("e1", 1024, std::chrono::milliseconds(0), nullptr);
  EXPECT_EQ(out.out, "out");
  EXPECT_EQ(out.err, "err");
  ASSERT_TRUE(out.exit_code);
  EXPECT_EQ(*out.exit_code, 3);
}

TEST(DockerClient, UnreachableEngineIsAnIoError) {
  auto* t = new RecordingTransport;
  DockerClient c{std::unique_ptr<Transport>(t)};
  EXPECT_THROW(c.connect(), Error);
  EXPECT_FALSE(c.ping(std::chrono::milliseconds(10)));
}

}  // namespace
}  // namespace clnrm::docker
