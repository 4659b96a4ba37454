// The Engine API client against the real engine (scripts/start-docker.sh).
#include <gtest/gtest.h>

#include "backend/docker/api_version.h"
#include "backend/docker/stream_demuxer.h"
#include "backend/docker/tar_archive.h"
#include "integration/docker_support.h"

namespace clnrm {
namespace {

using namespace testing_docker;

TEST(DockerEngine, PingAndVersionNegotiation) {
  ASSERT_TRUE(require_engine());
  auto c = connect_client();
  const auto& info = c->info();
  EXPECT_GE(info.api, docker::kClientMinApi);
  EXPECT_LE(info.api, docker::kClientMaxApi);
  EXPECT_LE(info.api, info.server_max);
  EXPECT_GE(info.api, info.server_min);
  EXPECT_FALSE(info.version.empty());
  EXPECT_TRUE(c->ping(std::chrono::seconds(2)));
  // The negotiated prefix is what the engine accepts.
  auto r = c->request("GET", "/info");
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST(DockerEngine, CreateExecRemoveWithBusybox) {
  ASSERT_TRUE(require_engine());
  auto c = connect_client();
  nlohmann::json body = {{"Image", kBusybox},
                         {"Cmd", {"sleep", "300"}},
                         {"Labels", {{"clnrm.session", unique("engine-test")}, {"clnrm.pid", std::to_string(::getpid())}}},
                         {"HostConfig", {{"NetworkMode", "none"}}}};
  const std::string id = c->container_create(body, "");
  struct Remove {
    docker::DockerClient* c;
    std::string id;
    ~Remove() { c->container_remove(id, true); }
  } guard{c.get(), id};
  c->container_start(id);
  auto state = c->container_inspect(id);
  ASSERT_TRUE(state);
  EXPECT_TRUE((*state)["State"].value("Running", false));
  EXPECT_EQ((*state)["HostConfig"].value("NetworkMode", ""), "none");

  nlohmann::json exec = {{"AttachStdout", true}, {"AttachStderr", true}, {"Cmd", {"sh", "-c", "echo out; echo err >&2; exit 7"}}};
  const std::string exec_id = c->exec_create(id, exec);
  auto out = c->exec_start(exec_id, 1 << 20, std::chrono::milliseconds(0), nullptr);
  EXPECT_EQ(out.out, "out\n");
  EXPECT_EQ(out.err, "err\n");
  ASSERT_TRUE(out.exit_code);
  EXPECT_EQ(*out.exit_code, 7);

  c->container_remove(id, true);
  EXPECT_FALSE(c->container_inspect(id));
}

TEST(DockerEngine, PutArchiveCopiesFilesIn) {
  ASSERT_TRUE(require_engine());
  auto c = connect_client();
  nlohmann::json body = {{"Image", kBusybox}, {"Cmd", {"sleep", "300"}}, {"HostConfig", {{"NetworkMode", "none"}}}};
  const std::string id = c->container_create(body, "");
  struct Remove {
    docker::DockerClient* c;
    std::string id;
    ~Remove() { c->container_remove(id, true); }
  } guard{c.get(), id};
  c->container_start(id);
  docker::TarArchive tar;
  tar.add_file("conf/app.txt", "hello archive\n");
  c->put_archive(id, "/tmp", tar.finish());
  const std::string exec_id = c->exec_create(id, {{"AttachStdout", true}, {"Cmd", {"cat", "/tmp/conf/app.txt"}}});
  auto out = c->exec_start(exec_id, 1 << 20, std::chrono::milliseconds(0), nullptr);
  EXPECT_EQ(out.out, "hello archive\n");
  // An engine error body surfaces in the exception.
  try {
    c->put_archive(id, "/no/such/dir", tar.finish());
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/no/such/dir"), std::string::npos) << e.what();
  }
}

TEST(DockerEngine, LogsAreDemultiplexed) {
  ASSERT_TRUE(require_engine());
  auto c = connect_client();
  nlohmann::json body = {{"Image", kBusybox},
                         {"Cmd", {"sh", "-c", "echo one; echo two >&2"}},
                         {"HostConfig", {{"NetworkMode", "none"}}}};
  const std::string id = c->container_create(body, "");
  struct Remove {
    docker::DockerClient* c;
    std::string id;
    ~Remove() { c->container_remove(id, true); }
  } guard{c.get(), id};
  c->container_start(id);
  EXPECT_EQ(c->container_wait(id), 0);
  const std::string logs = c->container_logs(id, 0);
  EXPECT_NE(logs.find("one\n"), std::string::npos) << logs;
  EXPECT_NE(logs.find("two\n"), std::string::npos) << logs;
}

TEST(DockerEngine, ListByLabel) {
  ASSERT_TRUE(require_engine());
  auto c = connect_client();
  const std::string tag = unique("list");
  nlohmann::json body = {{"Image", kBusybox}, {"Cmd", {"true"}}, {"Labels", {{"clnrm.test", tag}}},
                         {"HostConfig", {{"NetworkMode", "none"}}}};
  const std::string id = c->container_create(body, "");
  struct Remove {
    docker::DockerClient* c;
    std::string id;
    ~Remove() { c->container_remove(id, true); }
  } guard{c.get(), id};
  auto found = c->container_list({"clnrm.test=" + tag});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].value("Id", ""), id);
  EXPECT_TRUE(c->container_list({"clnrm.test=" + tag + "-none"}).empty());
}

}  // namespace
}  // namespace clnrm
