// Crash safety: containers of a SIGKILLed owner are removed by the reaper
// (at backend start) and by `clnrm cleanup`; those of live owners are kept.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "integration/docker_support.h"

namespace clnrm {
namespace {

using namespace testing_docker;

// Forks a child that creates a pod with a service and a step container under
// `session`, reports readiness through a pipe and then hangs until killed.
pid_t spawn_owner(const std::string& session) {
  int fds[2];
  if (::pipe(fds) != 0) return -1;
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    try {
      DockerOptions o = test_options();
      o.session_id = session;
      auto backend = make_docker_backend(o);
      auto pod = backend->create_pod(pod_spec("crash"));
      ProcessSpec svc;
      svc.name = "s";
      svc.argv = {"sleep", "600"};
      auto service = pod->start_service(svc);
      CancelToken never;
      pod->exec(cmd({"true"}), never);
      (void)!::write(fds[1], "R", 1);
      for (;;) ::pause();
    } catch (...) {
      _exit(3);
    }
  }
  ::close(fds[1]);
  char c = 0;
  const bool ready = ::read(fds[0], &c, 1) == 1 && c == 'R';
  ::close(fds[0]);
  if (!ready) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return -1;
  }
  return pid;
}

void kill_and_wait(pid_t pid) {
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
}

std::string run_cli(const std::string& args, int* rc) {
  std::string out;
  FILE* p = ::popen((std::string(CLNRM_BINARY) + " " + args + " 2>&1").c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = ::pclose(p);
  *rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

TEST(DockerReaper, RemovesContainersOfADeadOwnerAndKeepsLiveOnes) {
  ASSERT_TRUE(require_engine());
  const std::string dead_session = unique("reap-dead");
  const std::string live_session = unique("reap-live");
  pid_t owner = spawn_owner(dead_session);
  ASSERT_GT(owner, 0) << "child could not create its containers";
  ASSERT_EQ(count_with_label("clnrm.session", dead_session), 2u);

  // A pod of this (live) process must survive the reaper.
  DockerOptions o = test_options();
  o.session_id = live_session;
  auto backend = make_docker_backend(o);
  auto live_pod = backend->create_pod(pod_spec("live"));
  CancelToken never;
  live_pod->exec(cmd({"true"}), never);

  kill_and_wait(owner);
  EXPECT_EQ(count_with_label("clnrm.session", dead_session), 2u) << "SIGKILL leaves them (nothing ran a destructor)";

  // A new backend reaps on start, off its caller's path: its remover takes
  // them, and waiting for the teardown waits for them too.
  DockerOptions reaping = test_options();
  reaping.reap_on_start = true;
  auto next = make_docker_backend(reaping);
  docker_wait_teardown(*next);
  EXPECT_EQ(count_with_label("clnrm.session", dead_session), 0u);
  EXPECT_EQ(count_with_label("clnrm.session", live_session), 1u) << "the pod of a live owner is kept";
  live_pod->destroy();
  docker_wait_teardown(*backend);
  EXPECT_EQ(count_with_label("clnrm.session", live_session), 0u);
}

TEST(DockerReaper, CleanupCommandRemovesWhatAKilledRunnerLeft) {
  ASSERT_TRUE(require_engine());
  const std::string session = unique("reap-cli");
  pid_t owner = spawn_owner(session);
  ASSERT_GT(owner, 0);
  kill_and_wait(owner);
  ASSERT_EQ(count_with_label("clnrm.session", session), 2u);
  int rc = -1;
  const std::string out = run_cli("cleanup", &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("removed"), std::string::npos) << out;
  // Under ctest -j2 another test's backend reaps dead runners on start too:
  // a container it is still removing (listed, "removal in progress") was
  // the one cleanup's own remove found busy. Give that removal its time.
  std::size_t left = count_with_label("clnrm.session", session);
  for (int i = 0; i < 100 && left != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    left = count_with_label("clnrm.session", session);
  }
  EXPECT_EQ(left, 0u) << out;
}

TEST(DockerReaper, PidReuseDoesNotKeepOrphansAlive) {
  ASSERT_TRUE(require_engine());
  // A container labelled with a live pid (ours) but another start time is an
  // orphan: the pid was reused by a different process.
  auto c = connect_client();
  const std::string session = unique("reap-pidreuse");
  nlohmann::json body = {{"Image", kBusybox},
                         {"Cmd", {"true"}},
                         {"Labels",
                          {{"clnrm.session", session},
                           {"clnrm.pid", std::to_string(::getpid())},
                           {"clnrm.pid-start", "1"},
                           {"clnrm.host", [] {
                              char h[256] = {0};
                              ::gethostname(h, sizeof h - 1);
                              return std::string(h);
                            }()}}},
                         {"HostConfig", {{"NetworkMode", "none"}}}};
  c->container_create(body, "");
  ASSERT_EQ(count_with_label("clnrm.session", session), 1u);
  auto report = reap_docker_orphans(test_options(), false);
  EXPECT_EQ(count_with_label("clnrm.session", session), 0u);
  EXPECT_GE(report.removed, 1);
}

}  // namespace
}  // namespace clnrm
