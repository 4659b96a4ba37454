#pragma once
// The fixture the docker backend's tests share: a backend in a session of
// the test's own (a fresh session id), and at the test's end its pods and
// the backend ended in order and then the check that the session left no
// container behind. A test of warm (reuse) containers, which outlive their
// session by design, opens a warm session instead: its own lock directory
// and test name, and at the end the containers of that test name removed.

#include <clnrm/docker.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>

#include "backend/docker/docker_client.h"
#include "integration/docker_support.h"

namespace clnrm::testing_docker {

// `Param`: the gtest parameter's type (TEST_P), void for TEST_F.
template <typename Param = void>
class DockerSessionTest : public std::conditional_t<std::is_void_v<Param>, ::testing::Test,
                                                    ::testing::TestWithParam<Param>> {
 protected:
  // Fails the test (with the setup hint) when there is no engine or image;
  // else connects client_, names session `<name>-<pid>-<n>` in the test's
  // options, lets `adjust` change them, and makes backend_ of them. A SetUp
  // with more to do after it calls it in ASSERT_NO_FATAL_FAILURE.
  void open_session(const std::string& name,
                    const std::function<void(DockerOptions&)>& adjust = nullptr) {
    ASSERT_TRUE(require_engine());
    client_ = connect_client();
    options_ = test_options();
    options_.session_id = unique(name);
    if (adjust) adjust(options_);
    backend_ = make_docker_backend(options_);
  }
  // open_session with a lock directory of the test's own and test_name_
  // `<name>-test-<pid>-<n>` for its pods (both keep parallel test processes'
  // warm containers apart).
  void open_warm_session(const std::string& name) {
    lock_dir_ = std::filesystem::temp_directory_path() / unique("clnrm-" + name + "-locks");
    test_name_ = unique(name + "-test");
    open_session(name, [this](DockerOptions& o) { o.lock_dir = lock_dir_; });
  }
  void TearDown() override {
    service_.reset();
    pod_.reset();
    backend_.reset();
    if (!lock_dir_.empty()) {
      if (client_)
        for (const auto& found : client_->container_list({"clnrm.test=" + test_name_}))
          client_->container_remove(found.value("Id", ""), true);
      std::filesystem::remove_all(lock_dir_);
    } else if (!options_.session_id.empty()) {
      expect_session_removed(options_.session_id);
    }
  }

  std::unique_ptr<docker::DockerClient> client_;
  DockerOptions options_;
  std::unique_ptr<Backend> backend_;
  std::unique_ptr<Pod> pod_;
  std::unique_ptr<ServiceInstance> service_;
  CancelToken never_;
  // Warm sessions only.
  std::filesystem::path lock_dir_;
  std::string test_name_;
};

}  // namespace clnrm::testing_docker
