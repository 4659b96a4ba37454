// What of the host a sandbox pod sees (src/backend/sandbox/root_view.h) and
// who it is there, attacked at every level: the allowlisted root, unix
// sockets of the host and of shared directories, /proc/sys and the other OCI
// masked paths, the host's devices, the keyrings, and above low the host's
// root identity. Every bait is the test's own and is removed afterwards; a
// write that would go through writes the value that is already there.
#include <clnrm/sandbox.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/keyctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "integration/sandbox_test_support.h"

namespace clnrm::testing {
namespace {

// A listening unix socket at `path`, mode 0777 (so file permissions alone
// would let anyone in), closed and unlinked by the destructor.
class BaitSocket {
 public:
  explicit BaitSocket(std::string path) : path_(std::move(path)) {
    ::unlink(path_.c_str());
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path_.c_str());
    ok_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::listen(fd_, 8) == 0 &&
          ::chmod(path_.c_str(), 0777) == 0;
  }
  ~BaitSocket() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  bool ok() const { return ok_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
  bool ok_ = false;
};

// A directory of the test's own, removed with everything in it.
class BaitDir {
 public:
  explicit BaitDir(const std::string& parent) : path_(parent + "/" + unique_marker("clnrm-view")) {
    std::filesystem::create_directories(path_ + "/nested/deeper");
    std::ofstream(path_ + "/fixture.txt") << "fixture\n";
  }
  ~BaitDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Python that connects to each path and prints CONNECTED <path> for each one
// that accepts; the step's own exit code is 0.
ProcessSpec connect_to(const std::vector<std::string>& paths) {
  std::string list;
  for (const auto& p : paths) list += "'" + p + "',";
  return command({"/usr/bin/python3", "-c",
                  "import socket\n"
                  "for p in [" +
                      list +
                      "]:\n"
                      "    s = socket.socket(socket.AF_UNIX)\n"
                      "    try:\n"
                      "        s.connect(p); print('CONNECTED', p)\n"
                      "    except OSError as e:\n"
                      "        pass\n"});
}

std::set<std::string> lines(const std::string& text) {
  std::set<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.insert(line);
  return out;
}

// A pod of a backend started now: a backend looks at the host once, when it
// starts, so bait made before this is in its view.
struct PodOfANewBackend {
  PodOfANewBackend(const std::string& name, SecurityLevel level) : backend(make_sandbox_backend()) {
    PodSpec spec;
    spec.test_name = name;
    spec.level = level;
    pod = backend->create_pod(spec);
  }
  std::unique_ptr<Backend> backend;
  std::unique_ptr<Pod> pod;  // destroyed before its backend
};

class SandboxHostView : public ::testing::TestWithParam<SecurityLevel> {};

TEST_P(SandboxHostView, TheRootHoldsOnlyTheAllowlist) {
  auto pod = make_test_pod("view-root", GetParam());
  const ExecResult r = run(*pod, shell("ls -A /"));
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  std::set<std::string> expected = {"dev", "proc", "run", "sys", "tmp", "var"};
  for (const char* dir : {"usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc", "opt"}) {
    if (std::filesystem::exists(std::filesystem::symlink_status(std::string("/") + dir)))
      expected.insert(dir);
  }
  EXPECT_EQ(lines(r.stdout_data), expected);
  for (const char* hidden : {"/home", "/root", "/var/lib", "/var/log", "/mnt", "/srv", "/boot"}) {
    EXPECT_NE(run(*pod, command({"test", "-e", hidden})).exit_code, 0) << hidden << " is visible";
  }
  // /var/run is the pod's /run, /run and /var/tmp are writable scratch, the
  // root itself is not.
  const ExecResult w = run(
      *pod, shell("echo a > /run/x && cat /var/run/x && echo b > /var/tmp/y && cat /var/tmp/y"));
  EXPECT_EQ(w.stdout_data, "a\nb\n") << w.stderr_data;
  EXPECT_NE(run(*pod, shell("mkdir /newdir")).exit_code, 0);
}

TEST_P(SandboxHostView, NoUnixSocketOfTheHostAccepts) {
  BaitSocket in_tmp("/tmp/" + unique_marker("bait") + ".sock");
  BaitSocket in_run("/run/" + unique_marker("bait") + ".sock");
  ASSERT_TRUE(in_tmp.ok() && in_run.ok());
  // A socket in /etc (an allowlisted directory) exists before the backend
  // that looks for them starts.
  BaitSocket in_etc("/etc/" + unique_marker("bait") + ".sock");
  ASSERT_TRUE(in_etc.ok());
  PodOfANewBackend fresh("view-sockets", GetParam());
  const ExecResult r =
      run(*fresh.pod, connect_to({in_tmp.path(), in_run.path(), in_etc.path(), "/var/run/docker.sock",
                            "/run/docker.sock", "/run/containerd/containerd.sock", "/dev/log"}));
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(r.stdout_data, "") << "a host unix socket accepted a step's connection";
  // The runner itself can connect: the bait is real.
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::snprintf(a.sun_path, sizeof a.sun_path, "%s", in_etc.path().c_str());
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ::close(fd);
}

TEST_P(SandboxHostView, ASharedDirectoryIsReadOnlyAndItsSocketsAreCovered) {
  BaitDir dir("/var/tmp");
  BaitSocket top(dir.path() + "/top.sock");
  BaitSocket deep(dir.path() + "/nested/deeper/deep.sock");
  ASSERT_TRUE(top.ok() && deep.ok());
  auto pod = make_test_pod("view-shared", GetParam(), {}, {dir.path()});
  EXPECT_EQ(run(*pod, command({"cat", dir.path() + "/fixture.txt"})).stdout_data, "fixture\n");
  EXPECT_NE(run(*pod, shell("echo x > " + dir.path() + "/new")).exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/new"));
  const ExecResult r = run(*pod, connect_to({top.path(), deep.path()}));
  EXPECT_EQ(r.stdout_data, "") << r.stderr_data;
}

TEST_P(SandboxHostView, ProcSysAndTheOtherOciPathsAreReadOnlyOrMasked) {
  auto pod = make_test_pod("view-proc", GetParam());
  // The same value back: nothing changes on the host even if it went through.
  const ExecResult w = run(
      *pod, shell("for f in kernel/core_pattern vm/overcommit_ratio fs/file-max; do "
                  "v=$(cat /proc/sys/$f) && printf '%s\\n' \"$v\" > /proc/sys/$f && echo WROTE $f; "
                  "done; : > /proc/sysrq-trigger && echo WROTE sysrq; exit 0"));
  EXPECT_EQ(w.stdout_data, "") << "a host sysctl was writable";
  EXPECT_NE(w.stderr_data.find("Read-only file system"), std::string::npos) << w.stderr_data;
  const ExecResult masked = run(*pod, shell("for f in /proc/kcore /proc/keys /proc/timer_list; do "
                                            "[ ! -e $f ] || wc -c < $f; done | sort -u; "
                                            " ls -A /proc/acpi 2>/dev/null | wc -l; "
                                            "ls -A /sys/firmware | wc -l"));
  EXPECT_EQ(masked.stdout_data, "0\n0\n0\n") << masked.stderr_data;
  // Masked directories after the first are binds of its empty tmpfs: just
  // as read-only.
  const ExecResult masked_write = run(
      *pod, shell("for d in /proc/acpi /proc/asound /proc/scsi /sys/firmware /sys/devices/virtual/powercap; do "
                  "[ ! -d $d ] || ! mkdir $d/x 2>/dev/null || echo WROTE $d; done"));
  EXPECT_EQ(masked_write.stdout_data, "") << masked_write.stderr_data;
  EXPECT_NE(run(*pod, shell("echo 1 > /sys/kernel/mm/ksm/run")).exit_code, 0);
}

TEST_P(SandboxHostView, DevIsMinimalAndPrivate) {
  auto pod = make_test_pod("view-dev", GetParam());
  const ExecResult r = run(*pod, shell("ls -A /dev"));
  EXPECT_EQ(lines(r.stdout_data),
            (std::set<std::string>{"fd", "full", "null", "ptmx", "pts", "random", "shm", "stderr",
                                   "stdin", "stdout", "tty", "urandom", "zero"}))
      << r.stdout_data;
  EXPECT_NE(run(*pod, shell("echo x > /dev/console")).exit_code, 0);
  EXPECT_NE(run(*pod, shell("touch /dev/new")).exit_code, 0);
  // The devices work, and a pty comes from the pod's own instance.
  const ExecResult ok = run(*pod, command({"/usr/bin/python3", "-c",
                                           "import os, pty\n"
                                           "open('/dev/null', 'w').write('x')\n"
                                           "assert len(open('/dev/urandom', 'rb').read(8)) == 8\n"
                                           "m, s = pty.openpty(); print(os.ttyname(s))\n"}));
  EXPECT_EQ(ok.stdout_data, "/dev/pts/0\n") << ok.stderr_data;
}

TEST_P(SandboxHostView, TheHostRootUsersKeyringIsOutOfReach) {
  const long key =
      ::syscall(SYS_add_key, "user", "clnrm-itest-bait", "secret", 6, KEY_SPEC_USER_KEYRING);
  ASSERT_GT(key, 0);
  auto pod = make_test_pod("view-keys", GetParam());
  const ExecResult r =
      run(*pod, command({"/usr/bin/python3", "-c",
                         "import ctypes, os\n"
                         "libc = ctypes.CDLL(None, use_errno=True)\n"
                         "for ring in (-4, -3, -5):\n"
                         "    r = libc.syscall(250, 10, ring, b'user', b'clnrm-itest-bait', 0)\n"
                         "    print(r, os.strerror(ctypes.get_errno()))\n"}));
  ::syscall(SYS_keyctl, KEYCTL_INVALIDATE, key);
  // keyctl is denied by the pod's seccomp filter at every level.
  EXPECT_EQ(r.stdout_data,
            "-1 Operation not permitted\n-1 Operation not permitted\n-1 Operation not permitted\n")
      << r.stderr_data;
}

TEST_P(SandboxHostView, TheHostsPasswordHashesAreCovered) {
  auto pod = make_test_pod("view-shadow", GetParam());
  const ExecResult r = run(*pod, shell("cat /etc/shadow /etc/gshadow 2>/dev/null | wc -c"));
  EXPECT_EQ(r.stdout_data, "0\n") << r.stderr_data;
}

TEST_P(SandboxHostView, AboveLowTheCleanroomsRootIsNotTheHostsRoot) {
  const bool low = GetParam() == SecurityLevel::Low;
  const std::string secret = "/etc/" + unique_marker("root-only");
  {
    std::ofstream(secret) << "root-only\n";
    ::chmod(secret.c_str(), 0600);
  }
  PodOfANewBackend fresh("view-identity", GetParam());
  Pod* pod = fresh.pod.get();
  const ExecResult map =
      run(*pod, shell("cat /proc/self/uid_map /proc/self/gid_map | tr -s ' ' | sed 's/^ //'"));
  const ExecResult read = run(*pod, command({"cat", secret}));
  const ExecResult owner =
      run(*pod, shell("stat -c %u /etc/passwd; touch /tmp/mine; stat -c %u:%g /tmp/mine; id -u"));
  ::unlink(secret.c_str());
  if (low) {
    EXPECT_EQ(map.stdout_data,
              "0 0 4294967295\n0 0 4294967295\n");  // host root: the documented trade-off
    EXPECT_EQ(read.exit_code, 0);
    return;
  }
  const std::uint32_t base = SandboxOptions{}.pod_id_base;
  const std::string range = fmt::format("0 {} {}\n", base, kPodIdCount);
  EXPECT_EQ(map.stdout_data, range + range);
  EXPECT_NE(read.exit_code, 0) << "a root-only host file was readable: " << read.stdout_data;
  EXPECT_NE(read.stderr_data.find("Permission denied"), std::string::npos) << read.stderr_data;
  // Host root's files belong to nobody in here; the pod's own to its root.
  EXPECT_EQ(owner.stdout_data, "65534\n0:0\n0\n") << owner.stderr_data;
}

INSTANTIATE_TEST_SUITE_P(Levels, SandboxHostView,
                         ::testing::Values(SecurityLevel::Low, SecurityLevel::Medium,
                                           SecurityLevel::High),
                         [](const auto& info) { return std::string(to_string(info.param)); });

}  // namespace
}  // namespace clnrm::testing
