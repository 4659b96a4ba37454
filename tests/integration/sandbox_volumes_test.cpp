// A test's volumes in a sandbox pod (PodSpec::volumes; src/backend/sandbox/
// root_view.cpp and mounts.cpp), at every level: bound at their container
// path, read-only unless writable, the unix sockets inside covered, a
// symbolic link swapped in after parsing refused, and nothing of it mounted
// on the host, during the pod's life or after.
#include <clnrm/error.h>
#include <clnrm/sandbox.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "integration/sandbox_test_support.h"

namespace clnrm::testing {
namespace {

namespace fs = std::filesystem;

// A directory of the test's own below /var/tmp, removed with everything in it.
class VolumeDir {
 public:
  VolumeDir() : path_("/var/tmp/" + unique_marker("clnrm-volume")) {
    fs::create_directories(path_ + "/fixtures/nested");
    std::ofstream(path_ + "/fixtures/input.txt") << "fixture\n";
    fs::create_directories(path_ + "/out");
    fs::permissions(path_ + "/out", fs::perms::all);  // 0777: writable for a pod's unprivileged root too
    std::ofstream(path_ + "/single.txt") << "single\n";
    fs::permissions(path_ + "/single.txt", fs::perms::all & ~(fs::perms::owner_exec | fs::perms::group_exec |
                                                              fs::perms::others_exec));  // 0666
  }
  ~VolumeDir() {
    if (socket_ >= 0) ::close(socket_);
    fs::remove_all(path_);
  }
  const std::string& path() const { return path_; }
  // A listening unix socket at `relative`, mode 0777.
  bool listen_at(const std::string& relative) {
    socket_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s/%s", path_.c_str(), relative.c_str());
    return ::bind(socket_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::listen(socket_, 4) == 0 &&
           ::chmod(a.sun_path, 0777) == 0;
  }

 private:
  std::string path_;
  int socket_ = -1;
};

std::unique_ptr<Pod> pod_with(const std::string& name, SecurityLevel level, std::vector<VolumeSpec> volumes) {
  PodSpec spec;
  spec.session_id = "itest";
  spec.test_name = name;
  spec.level = level;
  spec.volumes = std::move(volumes);
  return sandbox_backend().create_pod(spec);
}

bool mounted_on_host(const std::string& path) {
  return read_file_or_empty("/proc/self/mountinfo").find(path) != std::string::npos;
}

class SandboxVolumes : public ::testing::TestWithParam<SecurityLevel> {};

TEST_P(SandboxVolumes, AReadOnlyVolumeIsReadableAtItsPathNotWritableAndItsSocketsAreCovered) {
  VolumeDir dir;
  ASSERT_TRUE(dir.listen_at("fixtures/nested/app.sock"));
  auto pod = pod_with("volume-ro", GetParam(), {VolumeSpec{dir.path() + "/fixtures", "/fixtures", true, {}}});
  EXPECT_EQ(run(*pod, command({"cat", "/fixtures/input.txt"})).stdout_data, "fixture\n");
  const ExecResult write = run(*pod, shell("echo x > /fixtures/new.txt"));
  EXPECT_NE(write.exit_code, 0);
  EXPECT_NE(write.stderr_data.find("Read-only file system"), std::string::npos) << write.stderr_data;
  EXPECT_FALSE(fs::exists(dir.path() + "/fixtures/new.txt"));
  // Only the volume: not its host path, not its host neighbours.
  EXPECT_NE(run(*pod, command({"ls", dir.path()})).exit_code, 0);
  const ExecResult connect = run(
      *pod, command({"/usr/bin/python3", "-c",
                     "import socket\ns = socket.socket(socket.AF_UNIX)\n"
                     "try:\n    s.connect('/fixtures/nested/app.sock'); print('CONNECTED')\n"
                     "except OSError as e:\n    print('refused', e.errno)\n"}));
  EXPECT_EQ(connect.stdout_data.find("CONNECTED"), std::string::npos) << "a host socket inside a volume accepted";
  EXPECT_FALSE(mounted_on_host(dir.path())) << "the pod's mounts are its own";
  pod->destroy();
  EXPECT_FALSE(mounted_on_host(dir.path()));
}

TEST_P(SandboxVolumes, AWritableVolumeWritesThroughAsThePodsIdentity) {
  VolumeDir dir;
  auto pod = pod_with("volume-rw", GetParam(),
                      {VolumeSpec{dir.path() + "/out", "/tmp/work/out", false, {}},
                       VolumeSpec{dir.path() + "/single.txt", "/opt-data/single.txt", false, {}}});
  const ExecResult w = run(*pod, shell("echo written > /tmp/work/out/w.txt && cat /opt-data/single.txt && "
                                       "echo appended >> /opt-data/single.txt && stat -c %u /tmp/work/out/w.txt"));
  ASSERT_EQ(w.exit_code, 0) << w.stderr_data;
  EXPECT_EQ(read_file_or_empty(dir.path() + "/out/w.txt"), "written\n");
  EXPECT_EQ(read_file_or_empty(dir.path() + "/single.txt"), "single\nappended\n");
  struct stat st {};
  ASSERT_EQ(::stat((dir.path() + "/out/w.txt").c_str(), &st), 0);
  // Low: host root. Above: the pod's root is an unprivileged host id, and
  // what it writes is that id's (never host root's: no setuid-root file can
  // come out of a pod).
  if (GetParam() == SecurityLevel::Low) {
    EXPECT_EQ(st.st_uid, 0u);
  } else {
    EXPECT_EQ(st.st_uid, SandboxOptions{}.pod_id_base);
  }
  // nosuid: a set-uid file written there gains nothing inside the pod either.
  const ExecResult mount = run(*pod, shell("grep ' /tmp/work/out ' /proc/self/mountinfo"));
  EXPECT_NE(mount.stdout_data.find("nosuid"), std::string::npos) << mount.stdout_data;
  EXPECT_NE(mount.stdout_data.find("nodev"), std::string::npos) << mount.stdout_data;
}

TEST_P(SandboxVolumes, ASymbolicLinkSwappedInAfterParsingIsNotFollowed) {
  VolumeDir dir;
  fs::create_directory_symlink(dir.path() + "/fixtures", dir.path() + "/link");
  // The last component is checked by the runner; a link further up only
  // when pod init opens the path (openat2 RESOLVE_NO_SYMLINKS).
  try {
    pod_with("volume-link", GetParam(), {VolumeSpec{dir.path() + "/link/nested", "/data", true, {}}});
    FAIL() << "a volume reached through a symbolic link was bound";
  } catch (const Error& e) {
    EXPECT_NE(e.describe().find("symbolic links"), std::string::npos) << e.describe();
  }
  EXPECT_THROW(pod_with("volume-link2", GetParam(), {VolumeSpec{dir.path() + "/link", "/data", true, {}}}), Error);
}

INSTANTIATE_TEST_SUITE_P(Levels, SandboxVolumes,
                         ::testing::Values(SecurityLevel::Low, SecurityLevel::Medium, SecurityLevel::High),
                         [](const auto& info) { return std::string(to_string(info.param)); });

}  // namespace
}  // namespace clnrm::testing
