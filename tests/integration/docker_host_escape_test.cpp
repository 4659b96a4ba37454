// Host escapes of issue #13 on the docker backend, at every level: a step
// cannot (a) connect to a host unix socket (a bait socket this test owns in
// a mkdtemp directory, an abstract one in the host's network namespace, the
// engine's own socket), (b) write /proc/sys, (c) read the host root user's
// keyring, (d) open the host's console or ttys, (e) read the host's
// /etc/shadow. Each attempt must fail and leave the host as it was.
//
// busybox images have no keyctl and no unix-socket client, so the steps run
// clnrm-escape-probe (tests/support/escape_probe.c, a few KiB, no libc) from
// an image made here: clnrm-test/busybox plus /bin/clnrm-escape-probe
// (create, PUT archive, commit; named by the probe's content hash, so it is
// made once and shared by parallel test processes). It cannot be copied
// into a running step: at medium and high the only writable places are
// Docker's tmpfs mounts, which are noexec. The same binary run on the host
// is the control that shows each attempt would work there.
#include <clnrm/policy.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <linux/keyctl.h>
#include <string>

#include "backend/docker/tar_archive.h"
#include "integration/docker_session_fixture.h"
#include "integration/docker_support.h"

#ifndef CLNRM_ESCAPE_PROBE
#error "CLNRM_ESCAPE_PROBE (the clnrm_escape_probe target's path) must be defined"
#endif

namespace clnrm {
namespace {

using namespace testing_docker;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// clnrm-test/escape-probe:<hash of the probe>, made from clnrm-test/busybox
// when the engine does not have it yet.
std::string probe_image(docker::DockerClient& client, const std::string& probe) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (const char c : probe) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  const std::string tag = fmt::format("{:016x}", h);
  const std::string image = "clnrm-test/escape-probe:" + tag;
  if (client.image_inspect(image)) return image;
  const std::string id = client.container_create({{"Image", kBusybox}, {"Cmd", {"true"}}}, "");
  docker::TarArchive tar;
  tar.add_file("clnrm-escape-probe", probe, 0755);
  client.put_archive(id, "/bin", tar.finish());
  const auto r = client.request("POST", "/commit?container=" + id + "&repo=clnrm-test/escape-probe&tag=" + tag,
                                "{}", "application/json");
  client.container_remove(id, true);
  if (r.status != 201) throw std::runtime_error("commit of the probe image failed: " + r.body);
  return image;
}

// Runs the probe on the host (the control).
std::string host_probe(const std::string& args) {
  std::string out;
  FILE* p = ::popen((std::string(CLNRM_ESCAPE_PROBE) + " " + args + " 2>&1").c_str(), "r");
  if (p == nullptr) return out;
  char buf[512];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  ::pclose(p);
  return out;
}

// A listening unix socket in a fresh directory under /tmp, removed with it.
class BaitSocket {
 public:
  BaitSocket() {
    std::string dir = "/tmp/clnrm-bait-XXXXXX";
    if (::mkdtemp(dir.data()) == nullptr) return;
    dir_ = dir;
    path_ = dir_ + "/bait.sock";
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path_.copy(addr.sun_path, sizeof addr.sun_path - 1);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 8) != 0) close();
  }
  ~BaitSocket() {
    close();
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  BaitSocket(const BaitSocket&) = delete;
  BaitSocket& operator=(const BaitSocket&) = delete;
  bool ok() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }
  // Connections that arrived (accepted and closed).
  int drain() {
    int n = 0;
    for (int c; (c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC)) >= 0; ++n) ::close(c);
    return n;
  }

 private:
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  std::string dir_, path_;
  int fd_ = -1;
};

// A listening abstract unix socket ("\0name") in the host's network namespace.
class AbstractBait {
 public:
  explicit AbstractBait(std::string name) : name_(std::move(name)) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    name_.copy(addr.sun_path + 1, sizeof addr.sun_path - 2);
    const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name_.size());
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(fd_, 8) != 0) {
      if (fd_ >= 0) ::close(fd_);
      fd_ = -1;
    }
  }
  ~AbstractBait() {
    if (fd_ >= 0) ::close(fd_);
  }
  AbstractBait(const AbstractBait&) = delete;
  AbstractBait& operator=(const AbstractBait&) = delete;
  bool ok() const { return fd_ >= 0; }
  const std::string& name() const { return name_; }
  int drain() {
    int n = 0;
    for (int c; (c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC)) >= 0; ++n) ::close(c);
    return n;
  }

 private:
  std::string name_;
  int fd_ = -1;
};

// A "user" key in the host root user's keyring (@u: the one a container's
// root would share without a user namespace), invalidated on destruction.
class HostKey {
 public:
  HostKey(const std::string& description, const std::string& payload) {
    id_ = ::syscall(SYS_add_key, "user", description.c_str(), payload.data(), payload.size(),
                    KEY_SPEC_USER_KEYRING);
  }
  ~HostKey() {
    if (id_ >= 0) ::syscall(SYS_keyctl, KEYCTL_INVALIDATE, id_);
  }
  HostKey(const HostKey&) = delete;
  HostKey& operator=(const HostKey&) = delete;
  bool ok() const { return id_ >= 0; }

 private:
  long id_ = -1;
};

class DockerHostEscape : public DockerSessionTest<SecurityLevel> {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(open_session("hostesc"));
    probe_ = read_file(CLNRM_ESCAPE_PROBE);
    ASSERT_FALSE(probe_.empty()) << CLNRM_ESCAPE_PROBE << " missing: build the clnrm_escape_probe target";
    std::string image;
    try {
      image = probe_image(*client_, probe_);
    } catch (const std::exception& e) {
      FAIL() << e.what();
    }
    PodSpec s = pod_spec("hostesc", image);
    s.level = GetParam();
    pod_ = backend_->create_pod(s);
  }
  ExecResult sh(const std::string& script) {
    ProcessSpec spec = cmd({"sh", "-c", script});
    spec.timeout = Duration(30'000);
    return pod_->exec(spec, never_);
  }
  std::string probe_;
};

TEST_P(DockerHostEscape, CannotConnectToAHostUnixSocket) {
  BaitSocket bait;
  ASSERT_TRUE(bait.ok());
  AbstractBait abstract(unique("clnrm-bait"));
  ASSERT_TRUE(abstract.ok());
  // Control: from the host both answer.
  ASSERT_EQ(host_probe("connect " + bait.path()), "ESCAPED connected\n");
  ASSERT_EQ(host_probe("abstract " + abstract.name()), "ESCAPED connected\n");
  ASSERT_EQ(bait.drain(), 1);
  ASSERT_EQ(abstract.drain(), 1);

  const std::string engine_socket = connect_client()->endpoint().unix_socket;
  std::string script = "cd /tmp; ";
  for (const std::string& path : {bait.path(), engine_socket, std::string("/var/run/docker.sock"),
                                  std::string("/run/docker.sock"), std::string("/run/containerd/containerd.sock")}) {
    script += "test -e " + path + " && echo VISIBLE " + path + "; clnrm-escape-probe connect " + path + "; ";
  }
  script += "clnrm-escape-probe abstract " + abstract.name() + "; echo done";
  const ExecResult r = sh(script);
  EXPECT_NE(r.stdout_data.find("done"), std::string::npos) << r.stdout_data << r.stderr_data;
  EXPECT_EQ(r.stdout_data.find("ESCAPED"), std::string::npos) << r.stdout_data;
  EXPECT_EQ(r.stdout_data.find("VISIBLE"), std::string::npos) << r.stdout_data;
  EXPECT_EQ(bait.drain(), 0) << "a connection from the step reached the host's socket";
  EXPECT_EQ(abstract.drain(), 0) << "a connection from the step reached the host's abstract socket";
}

TEST_P(DockerHostEscape, CannotWriteProcSys) {
  // A sysctl that no namespace covers; the step writes back the value it
  // reads, so even a write that got through would change nothing.
  const std::string knob = "/proc/sys/kernel/printk_ratelimit";
  const std::string before = read_file(knob);
  ASSERT_FALSE(before.empty());
  const ExecResult r = sh("v=$(cat " + knob + ") && echo \"read $v\" && { echo \"$v\" > " + knob +
                          " && echo ESCAPED-write; sysctl -w kernel.printk_ratelimit=\"$v\" >/dev/null && "
                          "echo ESCAPED-sysctl; true; }");
  EXPECT_NE(r.stdout_data.find("read "), std::string::npos) << r.stderr_data;
  EXPECT_EQ(r.stdout_data.find("ESCAPED"), std::string::npos) << r.stdout_data;
  EXPECT_NE(r.stderr_data.find("Read-only file system"), std::string::npos) << r.stderr_data;
  EXPECT_EQ(read_file(knob), before);
}

TEST_P(DockerHostEscape, CannotReadTheHostRootUsersKeyring) {
  const std::string description = unique("clnrm-bait-key");
  const std::string payload = "clnrm-secret-" + description;
  HostKey key(description, payload);
  ASSERT_TRUE(key.ok()) << "add_key on the host failed";
  // Control: on the host the probe finds and reads it.
  const std::string control = host_probe("keyctl " + description);
  ASSERT_NE(control.find("ESCAPED"), std::string::npos) << control;
  ASSERT_NE(control.find(payload), std::string::npos) << control;

  const ExecResult r = sh("clnrm-escape-probe keyctl " + description + "; echo done");
  EXPECT_NE(r.stdout_data.find("done"), std::string::npos) << r.stdout_data << r.stderr_data;
  EXPECT_EQ(r.stdout_data.find("ESCAPED"), std::string::npos) << r.stdout_data;
  EXPECT_EQ(r.stdout_data.find(payload), std::string::npos) << r.stdout_data;
  // EPERM: the syscall itself is denied (engine profile; also clnrm's list at high).
  EXPECT_NE(r.stdout_data.find("denied errno=1\n"), std::string::npos) << r.stdout_data << r.stderr_data;
}

TEST_P(DockerHostEscape, CannotOpenTheHostConsoleOrTtys) {
  // Opened for writing, nothing written: even an open that got through
  // would leave the host's terminals as they were. Only character devices
  // count (a missing /dev/console would be created as a plain file in the
  // container's own /dev by `>`): the container's /dev has no console and
  // no tty0..N, its /dev/tty has no controlling terminal behind it (ENXIO).
  // Made with mknod (console 5:1, tty0 4:0, tty1 4:1, ttyS0 4:64) where the
  // level lets a step write: docker's device cgroup allows c 5:1, so only
  // the missing CAP_MKNOD stops that one (container_spec.cpp), the others
  // the device cgroup. `true`, not `:`: a failed redirection of a special
  // builtin would end the shell.
  const ExecResult r = sh(
      "for d in /dev/console /dev/tty /dev/tty0 /dev/tty1 /dev/ttyS0; do "
      "if [ -c $d ]; then true 2>/dev/null >> $d && echo OPENED $d; fi; done; "
      "for n in 'c 5 1' 'c 4 0' 'c 4 1' 'c 4 64'; do "
      "for dir in /tmp /dev /; do rm -f $dir/clnrm-dev; mknod $dir/clnrm-dev $n 2>/dev/null && "
      "{ true 2>/dev/null >> $dir/clnrm-dev && echo OPENED $n by mknod in $dir; rm -f $dir/clnrm-dev; }; done; done; "
      "echo done");
  EXPECT_EQ(r.stdout_data, "done\n") << r.stderr_data;
}

TEST_P(DockerHostEscape, CannotReadTheHostsShadowFile) {
  const std::string shadow = read_file("/etc/shadow");
  ASSERT_FALSE(shadow.empty());
  const std::string machine_id = read_file("/etc/machine-id");
  const ExecResult r = sh(
      "cat /etc/shadow /proc/1/root/etc/shadow /etc/machine-id 2>/dev/null; "
      "find / -xdev \\( -name shadow -o -name machine-id \\) 2>/dev/null; echo done");
  EXPECT_NE(r.stdout_data.find("done"), std::string::npos) << r.stderr_data;
  // The image has neither file: the container has no host file at all.
  EXPECT_EQ(r.stdout_data, "done\n") << r.stdout_data;
  EXPECT_EQ(r.stdout_data.find(shadow.substr(0, shadow.find('\n'))), std::string::npos);
  if (!machine_id.empty()) {
    EXPECT_EQ(r.stdout_data.find(machine_id), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(Levels, DockerHostEscape,
                         ::testing::Values(SecurityLevel::Low, SecurityLevel::Medium, SecurityLevel::High),
                         [](const auto& info) { return std::string(to_string(info.param)); });

}  // namespace
}  // namespace clnrm
