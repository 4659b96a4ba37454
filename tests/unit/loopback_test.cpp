// The one loopback rule (src/base/loopback.cpp): hosts, host:port and the
// http:// URLs of wait_for.http, checked alike by `validate` and `run`.
#include <clnrm/loopback.h>

#include <gtest/gtest.h>

namespace clnrm {
namespace {

TEST(Loopback, HostsIn127Slash8LocalhostAndIpv6) {
  for (const char* host : {"localhost", "127.0.0.1", "127.1.2.3", "127.255.255.255", "::1", "[::1]"})
    EXPECT_TRUE(is_loopback_host(host)) << host;
  for (const char* host : {"", "10.0.0.1", "127.0.0", "127.0.0.256", "127.0.0.1.5", "127..0.1",
                           "127.evil.example", "localhost.example.com", "::2", "[::1", "::1]",
                           "127.0.0.1:80", "0.0.0.0"})
    EXPECT_FALSE(is_loopback_host(host)) << host;
}

TEST(Loopback, AuthorityStripsThePort) {
  EXPECT_TRUE(is_loopback_authority("localhost:5000"));
  EXPECT_TRUE(is_loopback_authority("127.0.0.1:5000"));
  EXPECT_TRUE(is_loopback_authority("127.0.0.1"));
  EXPECT_TRUE(is_loopback_authority("[::1]:5000"));
  EXPECT_TRUE(is_loopback_authority("[::1]"));
  EXPECT_FALSE(is_loopback_authority("[::1:5000"));
  EXPECT_FALSE(is_loopback_authority("registry.example.com"));
  EXPECT_FALSE(is_loopback_authority("localhost.example.com:5000"));
  EXPECT_FALSE(is_loopback_authority("10.0.0.1:5000"));
}

TEST(Loopback, HttpUrlIpv4AndLocalhost) {
  auto t = parse_loopback_http_url("http://127.0.0.1:8080/health?x=1");
  ASSERT_TRUE(t) << t.error();
  EXPECT_EQ(t->host, "127.0.0.1");
  EXPECT_EQ(t->port, 8080);
  EXPECT_EQ(t->path, "/health?x=1");
  EXPECT_FALSE(t->ipv6());
  EXPECT_EQ(t->authority(), "127.0.0.1:8080");
  auto d = parse_loopback_http_url("http://localhost");
  ASSERT_TRUE(d) << d.error();
  EXPECT_EQ(d->port, 80);
  EXPECT_EQ(d->path, "/");
}

TEST(Loopback, HttpUrlIpv6Brackets) {
  auto t = parse_loopback_http_url("http://[::1]:8080/ready");
  ASSERT_TRUE(t) << t.error();
  EXPECT_EQ(t->host, "::1");
  EXPECT_EQ(t->port, 8080);
  EXPECT_EQ(t->path, "/ready");
  EXPECT_TRUE(t->ipv6());
  EXPECT_EQ(t->authority(), "[::1]:8080");
  auto d = parse_loopback_http_url("http://[::1]");
  ASSERT_TRUE(d) << d.error();
  EXPECT_EQ(d->port, 80);
  EXPECT_EQ(d->path, "/");
  EXPECT_FALSE(parse_loopback_http_url("http://[::1/"));
  EXPECT_FALSE(parse_loopback_http_url("http://[::1]x/"));
  EXPECT_FALSE(parse_loopback_http_url("http://[::2]:80/"));
  EXPECT_FALSE(parse_loopback_http_url("http://::1:80/"));
}

TEST(Loopback, HttpUrlRejectsRemoteSchemesAndBadPorts) {
  const auto remote = parse_loopback_http_url("http://10.0.0.1:80/");
  ASSERT_FALSE(remote);
  EXPECT_NE(remote.error().find("127.0.0.1"), std::string::npos) << remote.error();
  EXPECT_FALSE(parse_loopback_http_url("https://127.0.0.1/"));
  EXPECT_FALSE(parse_loopback_http_url("http://127.0.0.1:99999/"));
  EXPECT_FALSE(parse_loopback_http_url("http://127.0.0.1:0/"));
  EXPECT_FALSE(parse_loopback_http_url("http://127.0.0.1:/"));
  EXPECT_FALSE(parse_loopback_http_url("http://127.0.0.1:80x/"));
  EXPECT_FALSE(parse_loopback_http_url("http://127.evil.example/"));
}

// "http://127.0.0.1@evil.example/" is a request to evil.example.
TEST(LoopbackHttpUrl, UserInformationIsRefusedNamingIt) {
  const auto t = parse_loopback_http_url("http://127.0.0.1@evil.example/");
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().find("carries user information"), std::string::npos) << t.error();
  EXPECT_FALSE(parse_loopback_http_url("http://u:p@localhost:80/"));
}

// The address a probe connects to: the one the URL names, localhost as 127.0.0.1.
TEST(LoopbackIpv4, TheAddressTheHostNames) {
  EXPECT_EQ(loopback_ipv4("127.0.0.2")->host_order, 0x7f000002u);
  EXPECT_EQ(loopback_ipv4("127.1.2.3")->to_string(), "127.1.2.3");
  EXPECT_EQ(loopback_ipv4("localhost")->to_string(), "127.0.0.1");
  EXPECT_EQ(LoopbackIpv4{}.to_string(), "127.0.0.1");
  EXPECT_FALSE(loopback_ipv4("::1"));
  EXPECT_FALSE(loopback_ipv4("128.0.0.1"));
  EXPECT_FALSE(loopback_ipv4("127.0.0.256"));
  EXPECT_EQ(parse_loopback_http_url("http://127.0.0.9:81/")->ipv4()->to_string(), "127.0.0.9");
  EXPECT_FALSE(parse_loopback_http_url("http://[::1]:81/")->ipv4());
}

}  // namespace
}  // namespace clnrm
