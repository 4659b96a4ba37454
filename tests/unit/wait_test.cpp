#include <arpa/inet.h>
#include <clnrm/error.h>
#include <clnrm/wait.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "backend/netns_connect.h"

#include "unit/fake_backend.h"
#include "unit/spec_builders.h"

using namespace clnrm;

namespace {

// A pod whose network is the host's loopback: connect_tcp really connects,
// with the connector the real pods use (src/backend/netns_connect.h).
class LoopbackPod final : public Pod {
 public:
  explicit LoopbackPod(fake::Journal& j) : j_(j) {}
  const std::string& id() const override { return id_; }
  ExecResult exec(const ProcessSpec& p, const CancelToken& c) override {
    return fake::run_script(p, c, j_);
  }
  std::unique_ptr<ServiceInstance> start_service(const ProcessSpec&) override { return nullptr; }
  std::optional<int> connect_tcp(LoopbackIpv4 address, std::uint16_t port) override {
    return connect_tcp_in(-1, address, port, std::chrono::milliseconds(1000));
  }
  void destroy() override {}

 private:
  std::string id_ = "loopback";
  fake::Journal& j_;
};

// A listening socket on an ephemeral loopback port; answers HTTP with
// `status` for every request when serve_http() runs.
class Listener {
 public:
  Listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~Listener() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    if (server_.joinable()) server_.join();
    ::close(fd_);
  }
  std::uint16_t port() const { return port_; }
  void serve_http(std::atomic<int>& status) {
    server_ = std::thread([this, &status] {
      while (!stop_) {
        const int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        char buf[1024];
        [[maybe_unused]] ssize_t n = ::recv(c, buf, sizeof buf, 0);
        const std::string reply =
            "HTTP/1.0 " + std::to_string(status.load()) + " X\r\nContent-Length: 0\r\n\r\n";
        [[maybe_unused]] ssize_t w = ::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
        ::close(c);
      }
    });
  }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread server_;
};

std::uint16_t unused_port() {
  Listener l;
  return l.port();  // closed again when l dies: nothing listens there now
}

ServiceSpec waiting(WaitFor::Kind kind, int timeout_ms = 2'000) {
  ServiceSpec s = build::service("svc", {"run"});
  s.wait_for.kind = kind;
  s.wait_for.timeout = Duration(timeout_ms);
  s.wait_for.interval = Duration(5);
  return s;
}

}  // namespace

TEST(Wait, HttpStatusLine) {
  EXPECT_EQ(*parse_http_status("HTTP/1.0 200 OK\r\n"), 200);
  EXPECT_EQ(*parse_http_status("  HTTP/1.1 503 Service Unavailable\n"), 503);
  EXPECT_EQ(parse_http_status("garbage").error(), "no HTTP status line");
  EXPECT_FALSE(parse_http_status("HTTP/1.1 2").ok());
}

TEST(Wait, CountsNonOverlappingMatches) {
  const Pattern p = build::pattern("ready");
  EXPECT_EQ(count_matches(p, "ready\nnot\nready\nready", 10), 3);
  EXPECT_EQ(count_matches(p, "ready ready ready", 2), 2);
  EXPECT_EQ(count_matches(build::pattern("x*"), "abc", 10), 3)
      << "empty matches advance (and the loop ends)";
  EXPECT_EQ(count_matches(p, "", 1), 0);
}

TEST(Wait, NothingToWaitForReturnsAtOnce) {
  fake::Journal j;
  LoopbackPod pod(j);
  wait_until_ready(pod, nullptr, build::service("s", {"x"}), CancelToken{});
  EXPECT_TRUE(j.execs.empty());
}

TEST(Wait, PortBecomesReadyWhenSomethingListens) {
  fake::Journal j;
  LoopbackPod pod(j);
  Listener l;
  ServiceSpec s = waiting(WaitFor::Kind::Port);
  s.wait_for.port = l.port();
  wait_until_ready(pod, nullptr, s, CancelToken{});
}

TEST(Wait, PortZeroWaitsForEveryListedPortInOrder) {
  // The `ports` default (services_reader.cpp): ready only when all accept.
  fake::Journal j;
  LoopbackPod pod(j);
  Listener open;
  ServiceSpec s = waiting(WaitFor::Kind::Port, 150);
  s.ports = {open.port(), unused_port()};
  try {
    wait_until_ready(pod, nullptr, s, CancelToken{});
    FAIL() << "the second port never listens";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Timeout);
    EXPECT_NE(e.describe().find(fmt::format("port {}, {} (from 'ports')", s.ports[0], s.ports[1])),
              std::string::npos)
        << e.describe();
  }
  Listener second;
  s.ports = {open.port(), second.port()};
  wait_until_ready(pod, nullptr, s, CancelToken{});
}

TEST(Wait, PortTimeoutSaysWhatItWaitedFor) {
  fake::Journal j;
  LoopbackPod pod(j);
  ServiceSpec s = waiting(WaitFor::Kind::Port, 120);
  s.wait_for.port = unused_port();
  fake::Service svc("svc", j, "line1\nlast words\n", std::nullopt);
  try {
    wait_until_ready(pod, &svc, s, CancelToken{});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Timeout);
    const std::string m = e.describe();
    EXPECT_NE(m.find("service 'svc'"), std::string::npos) << m;
    EXPECT_NE(m.find("port " + std::to_string(s.wait_for.port)), std::string::npos) << m;
    EXPECT_NE(m.find("nothing listens"), std::string::npos) << m;
    EXPECT_NE(m.find("last words"), std::string::npos) << m;
    EXPECT_NE(m.find("still running"), std::string::npos) << m;
  }
}

TEST(Wait, PortFallsBackToAnExecProbeWhenTheBackendCannotConnect) {
  fake::Journal j;
  fake::Pod pod("p", j);  // connect_tcp -> nullopt
  ServiceSpec s = waiting(WaitFor::Kind::Port);
  s.wait_for.port = 6379;
  wait_until_ready(pod, nullptr, s, CancelToken{});
  ASSERT_EQ(j.execs.size(), 1u);
  EXPECT_EQ(j.execs[0].argv, port_probe_command(6379));
  EXPECT_NE(j.execs[0].argv.back().find(":18EB "), std::string::npos)
      << "6379 in hex, as /proc/net/tcp writes it";
}

TEST(Wait, HttpWaitsForTheExpectedStatus) {
  fake::Journal j;
  LoopbackPod pod(j);
  Listener l;
  std::atomic<int> status{503};
  l.serve_http(status);
  ServiceSpec s = waiting(WaitFor::Kind::Http);
  s.wait_for.http_url = "http://127.0.0.1:" + std::to_string(l.port()) + "/health";
  std::jthread flip([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(60));
    status = 200;
  });
  wait_until_ready(pod, nullptr, s, CancelToken{});
  EXPECT_EQ(status.load(), 200);
}

TEST(Wait, HttpTimeoutReportsTheLastStatus) {
  fake::Journal j;
  LoopbackPod pod(j);
  Listener l;
  std::atomic<int> status{500};
  l.serve_http(status);
  ServiceSpec s = waiting(WaitFor::Kind::Http, 100);
  s.wait_for.http_url = "http://127.0.0.1:" + std::to_string(l.port()) + "/";
  try {
    wait_until_ready(pod, nullptr, s, CancelToken{});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(e.describe().find("HTTP 500 (want 200)"), std::string::npos) << e.describe();
  }
}

TEST(Wait, LogNeedsTheNthOccurrence) {
  fake::Journal j;
  LoopbackPod pod(j);
  ServiceSpec s = waiting(WaitFor::Kind::Log, 80);
  s.wait_for.log = build::pattern("Ready to accept");
  s.wait_for.log_occurrences = 2;
  fake::Service once("svc", j, "Ready to accept connections\n", std::nullopt);
  EXPECT_THROW(wait_until_ready(pod, &once, s, CancelToken{}), Error);
  fake::Service twice("svc", j, "Ready to accept\nrestart\nReady to accept\n", std::nullopt);
  wait_until_ready(pod, &twice, s, CancelToken{});
}

TEST(Wait, ExecProbeRunsInsideTheService) {
  fake::Journal j;
  LoopbackPod pod(j);
  ServiceSpec s = waiting(WaitFor::Kind::Exec, 100);
  s.wait_for.exec = {"exit", "1"};
  fake::Service svc("svc", j, "", std::nullopt);
  try {
    wait_until_ready(pod, &svc, s, CancelToken{});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(e.describe().find("[exit 1] exited 1"), std::string::npos) << e.describe();
  }
  s.wait_for.exec = {"exit", "0"};
  wait_until_ready(pod, &svc, s, CancelToken{});
}

TEST(Wait, HealthCheckCommandIsUsedWhenNoWaitForIsGiven) {
  fake::Journal j;
  LoopbackPod pod(j);
  ServiceSpec s = build::service("svc", {"x"});
  s.health_check = HealthCheckSpec{};
  s.health_check->cmd = {"echo", "ok"};
  fake::Service svc("svc", j, "", std::nullopt);
  wait_until_ready(pod, &svc, s, CancelToken{});
  ASSERT_EQ(j.execs.size(), 1u);
  EXPECT_EQ(j.execs[0].argv[0], "echo");
}

TEST(Wait, ServiceThatExitsFailsEarlyWithExitCodeAndLogs) {
  fake::Journal j;
  LoopbackPod pod(j);
  ServiceSpec s = waiting(WaitFor::Kind::Log, 30'000);
  s.wait_for.log = build::pattern("never");
  fake::Service dead("svc", j, "boot\nfatal: bad flag --x\n", 2);
  const auto t0 = std::chrono::steady_clock::now();
  try {
    wait_until_ready(pod, &dead, s, CancelToken{});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Backend);
    EXPECT_NE(e.describe().find("exited with code 2"), std::string::npos) << e.describe();
    EXPECT_NE(e.describe().find("fatal: bad flag --x"), std::string::npos) << e.describe();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10))
      << "did not wait for the timeout";
}

TEST(Wait, CancelStopsWaiting) {
  fake::Journal j;
  LoopbackPod pod(j);
  ServiceSpec s = waiting(WaitFor::Kind::Port, 30'000);
  s.wait_for.port = unused_port();
  CancelToken cancel;
  std::jthread c([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    cancel.cancel();
  });
  try {
    wait_until_ready(pod, nullptr, s, cancel);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Cancelled);
  }
}

TEST(Wait, TestDeadlineCutsTheWaitShort) {
  fake::Journal j;
  LoopbackPod pod(j);
  ServiceSpec s = waiting(WaitFor::Kind::Port, 30'000);
  s.wait_for.port = unused_port();
  try {
    wait_until_ready(pod, nullptr, s, CancelToken{},
                     std::chrono::steady_clock::now() + std::chrono::milliseconds(50));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Timeout);
    EXPECT_NE(e.describe().find("the test's timeout"), std::string::npos) << e.describe();
  }
}

TEST(Wait, DescribeWait) {
  ServiceSpec s = build::service("s", {"x"});
  EXPECT_EQ(describe_wait(s), "nothing");
  s.wait_for.kind = WaitFor::Kind::Port;
  s.wait_for.port = 5432;
  EXPECT_EQ(describe_wait(s), "port 5432");
  s.wait_for.kind = WaitFor::Kind::Exec;
  s.wait_for.exec = {"pg_isready", "-q"};
  EXPECT_EQ(describe_wait(s), "exec [pg_isready -q]");
}
