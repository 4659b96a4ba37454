#pragma once
// Shared helpers of the docker integration tests. They run against the real
// engine started by scripts/start-docker.sh with the images of
// scripts/make-test-images.sh; when either is missing the tests FAIL (never
// skip) with a message saying what to run.

#include <clnrm/docker.h>
#include <clnrm/error.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "backend/docker/docker_client.h"
#include "backend/docker/endpoint.h"

namespace clnrm::testing_docker {

inline const char* kBusybox = "clnrm-test/busybox";
inline const char* kRedis = "clnrm-test/redis";

inline std::string setup_hint() {
  return "the docker integration tests need a running engine and the test images: run "
         "scripts/start-docker.sh && scripts/make-test-images.sh (as root) first";
}

inline DockerOptions test_options() {
  DockerOptions o;
  o.pull_missing = false;  // never reach for a registry from tests (docs/docker-backend.md: tests run offline)
  o.reap_on_start = false;
  o.standby = false;  // tests count their containers; the standby test turns it on
  return o;
}

inline std::unique_ptr<docker::DockerClient> connect_client() {
  auto c = std::make_unique<docker::DockerClient>(
      docker::make_curl_transport(docker::resolve_endpoint_from_environment()));
  c->connect();
  return c;
}

// Fails the current test (with the setup hint) when there is no engine or
// an image is missing; returns false then.
inline bool require_engine() {
  try {
    auto c = connect_client();
    for (const char* image : {kBusybox, kRedis}) {
      if (!c->image_inspect(image)) {
        ADD_FAILURE() << "image " << image << " is missing: " << setup_hint();
        return false;
      }
    }
    return true;
  } catch (const Error& e) {
    ADD_FAILURE() << e.describe() << "\n" << setup_hint();
    return false;
  }
}

// A name unique to this test process, for test names/labels.
inline std::string unique(const std::string& base) {
  static int n = 0;
  return base + "-" + std::to_string(::getpid()) + "-" + std::to_string(n++);
}

inline PodSpec pod_spec(const std::string& test, const std::string& image = kBusybox) {
  PodSpec s;
  s.test_name = unique(test);
  s.image = image;
  return s;
}

inline ProcessSpec cmd(std::vector<std::string> argv, std::string image = {}) {
  ProcessSpec p;
  p.name = "step";
  p.argv = std::move(argv);
  p.image = std::move(image);
  return p;
}

// Polls `probe` inside the pod until it exits 0 (readiness by exec), ~10 s.
inline bool wait_ready(Pod& pod, const ProcessSpec& probe) {
  CancelToken never;
  for (int i = 0; i < 100; ++i) {
    if (pod.exec(probe, never).exit_code == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// Containers carrying label `key=value` (any state).
inline std::size_t count_with_label(const std::string& key, const std::string& value) {
  return connect_client()->container_list({key + "=" + value}).size();
}

// At a test's end: the backend removed every container of `session` (the
// check), and whatever it left is removed now so one failure does not leak
// into the next test.
// The ids of the engine execs a container lists (running or ended, not yet
// removed by the engine).
inline std::vector<std::string> container_exec_ids(docker::DockerClient& client, const std::string& container) {
  std::vector<std::string> ids;
  const auto j = client.container_inspect(container);
  if (!j) return ids;
  if (const auto it = j->find("ExecIDs"); it != j->end() && it->is_array())
    for (const auto& id : *it) ids.push_back(id.get<std::string>());
  return ids;
}

inline void expect_session_removed(const std::string& session) {
  const std::unique_ptr<docker::DockerClient> client = connect_client();
  const auto left = client->container_list({"clnrm.session=" + session});
  EXPECT_EQ(left.size(), 0u) << "containers left behind by session " << session;
  for (const auto& c : left) client->container_remove(c.value("Id", ""), true);
}

}  // namespace clnrm::testing_docker
