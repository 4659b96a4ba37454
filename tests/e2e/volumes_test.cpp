// Project files in a cleanroom, with the real binary on both backends:
// `volumes` (relative to the test file, read-only by default, writable when
// asked), `mount_test_dir`, host paths a test file may not name (refused with
// file:line:col), and `ports` as the readiness default. Data:
// tests/e2e/data/volumes/.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "e2e/run_process.h"

using namespace run_e2e;

namespace {

namespace fs = std::filesystem;

const std::string kData = "tests/e2e/data/volumes/";

// Nothing of a run stays mounted on the host: the pod's binds live in its
// own mount namespace (sandbox) or the engine's containers, both gone.
bool mounted_on_host(const std::string& path) {
  return read_file("/proc/self/mountinfo").find(path) != std::string::npos;
}

// What is left of `test` once the run's teardown process (which `clnrm run`
// does not wait for, docs/docker-backend.md) is done: polled up to 60 s.
std::string containers_of_test(const std::string& test) {
  TempDir dir;
  const std::string out = dir.file("ps");
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    [[maybe_unused]] int rc =
        std::system(("docker ps -aq --filter label=clnrm.test=" + test + " > " + out + " 2>&1").c_str());
    const std::string left = read_file(out);
    if (left.empty() || std::chrono::steady_clock::now() > until) return left;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void expect_passes(const std::vector<std::string>& args, const std::vector<std::string>& tests) {
  const Outcome r = run_clnrm(args);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const std::string& t : tests) EXPECT_NE(r.out.find("PASS   " + t), std::string::npos) << t << "\n" << r.out;
}

// A test file written into a fresh directory (0755, so a pod's unprivileged
// root may enter it) below a temp dir.
class TestTree {
 public:
  TestTree() : dir_(tmp_.path() + "/tests") {
    fs::create_directories(dir_ + "/fixtures");
    fs::permissions(dir_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec);
    std::ofstream(dir_ + "/fixtures/greeting.txt") << "hello\n";
    fs::create_directories(tmp_.path() + "/outside");
    std::ofstream(tmp_.path() + "/outside/secret.txt") << "secret\n";
  }
  const std::string& dir() const { return dir_; }
  const std::string& root() const { return tmp_.path(); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ + "/" + name) << text;
    return dir_ + "/" + name;
  }

 private:
  TempDir tmp_;
  std::string dir_;
};

TEST(Volumes, ARelativeVolumeIsReadableEverywhereInTheSandboxPodAndReadOnlyByDefault) {
  expect_passes({"run", kData + "sandbox_read.clnrm.toml"}, {"volume_read_sandbox"});
  EXPECT_FALSE(fs::exists(source_path(kData + "fixtures/new.txt")));
  EXPECT_FALSE(mounted_on_host(source_path(kData + "fixtures")));
}

TEST(Volumes, ARelativeVolumeIsReadableInTheServiceAndStepContainersOnDocker) {
  expect_passes({"run", "--backend", "docker", kData + "docker_read.clnrm.toml"}, {"volume_read_docker"});
  EXPECT_FALSE(fs::exists(source_path(kData + "fixtures/new.txt")));
  EXPECT_EQ(containers_of_test("volume_read_docker"), "") << "containers left behind";
}

TEST(Volumes, MountTestDirShowsTheTestsDirectoryReadOnlyOnBothBackends) {
  expect_passes({"run", kData + "test_dir.clnrm.toml"}, {"mount_test_dir"});
  expect_passes({"run", "--backend", "docker", kData + "test_dir.clnrm.toml"}, {"mount_test_dir"});
  EXPECT_FALSE(fs::exists(source_path(kData + "new.txt")));
  EXPECT_FALSE(mounted_on_host(source_path("tests/e2e/data/volumes")));
  EXPECT_EQ(containers_of_test("mount_test_dir"), "");
}

// read_only = false writes through to the host as the pod's identity: at low
// (sandbox) host root; above low an unprivileged host id on the sandbox, and
// on an engine that remaps user namespaces, so the directory must let it in
// (here 0777). Never host root above low.
class WritableVolume : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

TEST_P(WritableVolume, WritesReachTheHostAsThePodsIdentity) {
  const auto& [backend, level] = GetParam();
  TestTree tree;
  fs::create_directories(tree.dir() + "/out");
  fs::permissions(tree.dir() + "/out", fs::perms::all);
  const std::string file = tree.write("rw.clnrm.toml", R"([test.metadata]
name = "volume_rw"
[services.app]
)" + std::string(backend == "docker" ? "image = \"clnrm-test/busybox\"" : "plugin = \"process\"") + R"(
args = ["sleep", "600"]
volumes = [{ host_path = "out", container_path = "/out", read_only = false }]
[[steps]]
name = "write"
service = "app"
command = ["sh", "-c", "echo written > /out/result.txt"]
[policy]
security_level = ")" + level + "\"\n");
  std::vector<std::string> args = {"run", file};
  if (backend == "docker") args = {"run", "--backend", "docker", file};
  const Outcome r = run_clnrm(args);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(read_file(tree.dir() + "/out/result.txt"), "written\n");
  struct stat st {};
  ASSERT_EQ(::stat((tree.dir() + "/out/result.txt").c_str(), &st), 0);
  if (level == "low" && backend == "sandbox") {
    EXPECT_EQ(st.st_uid, 0u);
  } else if (level != "low") {
    EXPECT_NE(st.st_uid, 0u) << "a pod above low wrote a file as host root";
  }
  EXPECT_FALSE(mounted_on_host(tree.dir()));
}

INSTANTIATE_TEST_SUITE_P(Backends, WritableVolume,
                         ::testing::Values(std::pair{"sandbox", "low"}, std::pair{"sandbox", "medium"},
                                           std::pair{"docker", "medium"}),
                         [](const auto& info) { return info.param.first + "_" + info.param.second; });

TEST(Volumes, HostPathsOutsideTheTestsDirectoryAreRefusedWithTheirPosition) {
  TestTree tree;
  fs::create_directory_symlink(tree.root() + "/outside", tree.dir() + "/escape");
  struct Case {
    std::string host_path;
    std::string why;
  };
  for (const Case& c : {Case{"../outside", "has a '..' component"}, Case{"escape", "leads outside the test file's"},
                        Case{"escape/secret.txt", "leads outside the test file's"},
                        Case{"/var/run/docker.sock", "is absolute"}, Case{"/etc", "is absolute"},
                        Case{"/", "is absolute"}}) {
    const std::string file = tree.write("bad.clnrm.toml", R"([test.metadata]
name = "bad_volume"
[services.app]
plugin = "process"
args = ["sleep", "600"]
volumes = [{ host_path = ")" + c.host_path + R"(", container_path = "/data" }]
[[steps]]
name = "s"
command = ["true"]
)");
    for (const std::string backend : {"sandbox", "docker"}) {
      const Outcome r = run_clnrm({"run", "--backend", backend, file});
      EXPECT_NE(r.exit_code, 0) << c.host_path;
      const std::string all = r.out + r.err;
      EXPECT_NE(all.find(file + ":6:26: error: volume host_path"), std::string::npos) << c.host_path << "\n" << all;
      EXPECT_NE(all.find(c.why), std::string::npos) << c.host_path << "\n" << all;
      EXPECT_EQ(all.find("PASS"), std::string::npos) << "nothing runs";
    }
  }
}

TEST(Ports, StepsStartOnlyOnceTheListedPortAcceptsOnTheSandbox) {
  expect_passes({"run", kData + "ports_sandbox.clnrm.toml"}, {"ports_readiness_sandbox"});
}

TEST(Ports, StepsStartOnlyOnceTheListedPortListensOnDocker) {
  expect_passes({"run", "--backend", "docker", kData + "ports_docker.clnrm.toml"}, {"ports_readiness_docker"});
  EXPECT_EQ(containers_of_test("ports_readiness_docker"), "");
}

TEST(Ports, AServiceThatNeverOpensItsPortIsNotReadyAndSaysWhichPort) {
  TestTree tree;
  const std::string valid = tree.write("never.clnrm.toml", R"([test.metadata]
name = "port_never_opens"
timeout = "3s"
[services.quiet]
plugin = "process"
args = ["sleep", "600"]
ports = [7413]
[[steps]]
name = "s"
command = ["true"]
)");
  const Outcome r = run_clnrm({"run", valid});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("port 7413 (from 'ports')"), std::string::npos) << r.out;
}

}  // namespace
