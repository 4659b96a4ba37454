#pragma once
// A docker pod with one busybox service, parameterised by security level,
// for the tests of steps inside a service (docker_service_agent_test.cpp,
// docker_beside_agent_test.cpp).

#include <clnrm/policy.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "backend/docker/docker_client.h"
#include "backend/docker/docker_service.h"
#include "integration/docker_processes.h"
#include "integration/docker_session_fixture.h"
#include "integration/docker_support.h"

namespace clnrm::testing_docker {

class DockerServiceFixture : public DockerSessionTest<SecurityLevel> {
 protected:
  void SetUp() override { open_session("svc-agent"); }
  // Starts service "svc" running `argv`; `with_steps`: a step names it.
  void start(std::vector<std::string> argv = {"sleep", "3999"}, bool with_steps = true) {
    PodSpec s = pod_spec("svc-agent");
    s.level = GetParam();
    if (with_steps) s.services_with_steps = {"svc"};
    pod_ = backend_->create_pod(s);
    ProcessSpec svc;
    svc.name = "svc";
    svc.argv = std::move(argv);
    service_ = pod_->start_service(svc);
  }
  docker::DockerService& service() { return dynamic_cast<docker::DockerService&>(*service_); }
  ExecResult step(const std::string& script, int timeout_ms = 30'000) {
    ProcessSpec p = cmd({"sh", "-c", script});
    p.timeout = Duration(timeout_ms);
    return service_->exec(p, never_);
  }
  void expect_service_alive() { testing_docker::expect_service_alive(*client_, *service_, "sleep 3999"); }
};

}  // namespace clnrm::testing_docker
