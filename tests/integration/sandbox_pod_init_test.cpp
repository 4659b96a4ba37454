// Pod inits and their parent threads (src/backend/sandbox/pod_init_launcher.cpp): a
// root runner's pod init shares the runner's memory and borrows the
// thread-local storage of a parent thread of its own, which clones no other
// pod init until this one is gone. Many pods at once each get one; parents
// are reused afterwards; pod inits write none of the runner's memory but
// their own.
#include "integration/sandbox_test_support.h"

#include <clnrm/sandbox.h>

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace clnrm {
namespace {

using testing::proc_entries;
using testing::run;
using testing::shell;

std::size_t thread_count() { return proc_entries("/proc/self/task"); }

// A backend of its own without standby pods: a spare made in the background
// would add its own threads and descriptors to the counts.
std::unique_ptr<Backend> backend_without_standby() {
  SandboxOptions options;
  options.standby_pods = 0;
  return make_sandbox_backend(options);
}

PodSpec pod_spec(const std::string& name, bool sequential) {
  PodSpec spec;
  spec.session_id = "itest";
  spec.test_name = name;
  spec.sequential_steps = sequential;
  return spec;
}

// The thread count once it stops changing (within two seconds).
std::size_t stable_thread_count() {
  std::size_t last = thread_count();
  for (int i = 0; i < 40; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const std::size_t now = thread_count();
    if (now == last) return now;
    last = now;
  }
  return last;
}

// The thread count once the joined worker threads have left /proc/self/task
// (a joined thread may linger there for a moment): at most `expected` within
// two seconds, or what it is then.
std::size_t settled_thread_count(std::size_t expected) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  std::size_t n = thread_count();
  while (n > expected && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    n = thread_count();
  }
  return n;
}

// Parent threads on their way back to the pool when the next pod is asked for.
constexpr std::size_t kReturning = 2;

// `pods` pods made, used and destroyed at the same time, each from a thread
// of its own; returns what each step printed.
std::vector<std::string> pods_at_once(Backend& backend, int pods, bool sequential) {
  std::vector<std::future<std::string>> done;
  for (int i = 0; i < pods; ++i) {
    done.push_back(std::async(std::launch::async, [&backend, i, sequential] {
      auto pod = backend.create_pod(pod_spec("many-" + std::to_string(i), sequential));
      // Pod init is PID 1 of its own namespace; the step sees only its pod.
      const auto r = run(*pod, shell("echo " + std::to_string(i) + " $(ls /proc | grep -cE '^[0-9]+$')"));
      pod->destroy();
      return r.exit_code == 0 ? r.stdout_data : "exit " + std::to_string(r.exit_code) + ": " + r.stderr_data;
    }));
  }
  std::vector<std::string> out;
  for (auto& f : done) out.push_back(f.get());
  return out;
}

// Each step ran and saw only its own pod: pod init, (nested: the step's
// init,) the shell, its $(...) subshell, ls and grep -- not the processes of
// seven other pods.
void expect_each_pod_alone(const std::vector<std::string>& out) {
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::string prefix = std::to_string(i) + " ";
    ASSERT_EQ(out[i].rfind(prefix, 0), 0u) << out[i];
    const int processes = std::stoi(out[i].substr(prefix.size()));
    EXPECT_GE(processes, 4) << out[i];
    EXPECT_LE(processes, 6) << "pod " << i << " sees other pods' processes: " << out[i];
  }
}

TEST(SandboxPodInit, ManyPodsAtOnceEachWorkAndParentThreadsAreReused) {
  auto backend = backend_without_standby();
  for (const bool sequential : {false, true}) {
    expect_each_pod_alone(pods_at_once(*backend, 8, sequential));
  }
  // Every parent thread is idle again once its pod init is gone: more rounds
  // of as many pods at once reuse them. (A parent goes back to the pool a
  // moment after its pod init exits, so a pod asked for in that moment may
  // get a new one: a few more at most, never one per pod.)
  const std::size_t threads = stable_thread_count();
  for (int round = 0; round < 3; ++round) {
    expect_each_pod_alone(pods_at_once(*backend, 8, true));
    EXPECT_LE(settled_thread_count(threads), threads + kReturning)
        << "round " << round << " made parent threads it did not reuse";
  }
}

TEST(SandboxPodInit, PodsOneAfterAnotherNeedOneParentThread) {
  auto backend = backend_without_standby();
  const PodSpec spec = pod_spec("serial", true);
  backend->create_pod(spec)->destroy();  // warm up lazily made state
  const std::size_t threads = stable_thread_count();
  for (int i = 0; i < 20; ++i) {
    auto pod = backend->create_pod(spec);
    const auto r = run(*pod, shell("echo $$"));
    EXPECT_EQ(r.stdout_data, "2\n") << "pod init is PID 1, the step PID 2";
    pod->destroy();
  }
  EXPECT_LE(settled_thread_count(threads), threads + kReturning) << "20 pods, one at a time, made new parent threads";
}

// The keeper pipe (whose EOF tells pod inits the runner is gone) lives only
// while pods do: pods come and go without leaving a descriptor behind.
TEST(SandboxPodInit, NoDescriptorOutlivesThePods) {
  auto backend = backend_without_standby();
  const PodSpec spec = pod_spec("fds", false);
  const std::size_t before = proc_entries("/proc/self/fd");
  for (int i = 0; i < 3; ++i) {
    auto a = backend->create_pod(spec);
    auto b = backend->create_pod(spec);
    EXPECT_EQ(run(*a, shell("echo a")).stdout_data, "a\n");
    a.reset();  // destroys; b still holds the pipe
    EXPECT_EQ(run(*b, shell("echo b")).stdout_data, "b\n");
  }
  EXPECT_EQ(proc_entries("/proc/self/fd"), before);
}

}  // namespace
}  // namespace clnrm
