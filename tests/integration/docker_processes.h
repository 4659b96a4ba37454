#pragma once
// The processes of a container as the engine lists them, for the docker
// tests that check what a step left behind.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <clnrm/backend.h>

#include "backend/docker/docker_client.h"

namespace clnrm::testing_docker {

// Process lines ("PID STAT ARGS") of a container, from the engine
// (GET /containers/{id}/top), zombies left out (dead, only waiting to be
// reaped). None for a removed container.
inline std::vector<std::string> live_processes(docker::DockerClient& client, const std::string& id) {
  const auto r = client.request("GET", "/containers/" + id + "/top?ps_args=" + docker::url_encode("-o pid,stat,args"));
  std::vector<std::string> lines;
  if (r.status == 404) return lines;  // removed: nothing runs there
  if (r.status != 200) {
    ADD_FAILURE() << "GET /containers/" << id << "/top: " << r.status << " " << r.body;
    return lines;
  }
  const auto j = nlohmann::json::parse(r.body);
  for (const auto& p : j.value("Processes", nlohmann::json::array())) {
    std::string line;
    for (const auto& field : p) line += field.get<std::string>() + " ";
    if (p.size() >= 2 && p[1].get<std::string>().find('Z') != std::string::npos) continue;
    lines.push_back(line);
  }
  return lines;
}

// The service runs, and so does its process whose line contains `marker`
// (a step's cleanup must not kill it).
inline void expect_service_alive(docker::DockerClient& client, ServiceInstance& service, const std::string& marker) {
  EXPECT_TRUE(service.running());
  bool found = false;
  for (const auto& line : live_processes(client, service.id())) found |= line.find(marker) != std::string::npos;
  EXPECT_TRUE(found) << "the service's own process was killed";
}

// No live process of container `id` has `needle` in its line.
inline void expect_no_process(docker::DockerClient& client, const std::string& id, const std::string& needle) {
  for (const auto& line : live_processes(client, id)) EXPECT_EQ(line.find(needle), std::string::npos) << line;
}

}  // namespace clnrm::testing_docker
