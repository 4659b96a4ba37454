// The shared HTTP client (src/base/http_client.cpp) against a real server: a
// thread in this process answering on a unix socket, one canned answer per
// connection (as the Docker engine is reached).
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include "base/http_client.h"
#include "support/history_fixtures.h"

using namespace clnrm;
using clnrm::testing::TempDir;

namespace {

// Accepts connections on `path`; for each reads the request head (and a body
// of Content-Length bytes), records it, and writes `answer` (then closes,
// unless `hold` keeps the connection open without answering).
class UnixServer {
 public:
  UnixServer(std::string path, std::string answer, bool hold = false)
      : path_(std::move(path)), answer_(std::move(answer)), hold_(hold) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 4) != 0)
      throw std::runtime_error("cannot listen on " + path_);
    thread_ = std::thread([this] { serve(); });
  }
  ~UnixServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }
  std::string last_request() const { return request_; }

 private:
  void serve() {
    while (!stop_) {
      const int conn = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (conn < 0) return;
      std::string got;
      char buf[4096];
      std::size_t want = std::string::npos;
      while (want == std::string::npos || got.size() < want) {
        const ssize_t n = ::read(conn, buf, sizeof buf);
        if (n <= 0) break;
        got.append(buf, static_cast<std::size_t>(n));
        const auto end = got.find("\r\n\r\n");
        if (want == std::string::npos && end != std::string::npos) {
          std::size_t length = 0;
          const auto cl = got.find("Content-Length: ");
          if (cl != std::string::npos && cl < end) length = std::stoul(got.substr(cl + 16));
          want = end + 4 + length;
        }
      }
      request_ = got;
      if (hold_) {
        while (!stop_) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      } else {
        (void)!::write(conn, answer_.data(), answer_.size());
      }
      ::close(conn);
    }
  }

  std::string path_, answer_;
  bool hold_;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::string request_;
  std::thread thread_;
};

const std::string kOk =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Thing: a b \r\nContent-Length: 5\r\n"
    "Connection: close\r\n\r\nhello";

http::Request request_to(const std::string& socket) {
  http::Request r;
  r.url = "http://localhost/ping";
  r.unix_socket = socket;
  r.timeout = std::chrono::milliseconds(10'000);
  return r;
}

}  // namespace

TEST(HttpClient, GetOverAUnixSocketReturnsStatusHeadersAndBody) {
  TempDir dir;
  UnixServer server(dir.file("s"), kOk);
  const auto response = http::send(request_to(dir.file("s")));
  EXPECT_EQ(response.outcome, http::Response::Outcome::Complete);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "hello");
  EXPECT_EQ(response.header("x-THING"), "a b");
  EXPECT_EQ(response.header("absent"), "");
  EXPECT_TRUE(server.last_request().starts_with("GET /ping HTTP/1.1\r\n"));
}

TEST(HttpClient, PostSendsTheBodyAndHeadersWithoutExpectContinue) {
  TempDir dir;
  UnixServer server(dir.file("s"), kOk);
  auto request = request_to(dir.file("s"));
  request.method = "POST";
  const std::string body = "{\"a\":1}";
  request.body = body;
  request.headers.push_back("Content-Type: application/json");
  EXPECT_EQ(http::send(request).status, 200);
  const std::string got = server.last_request();
  EXPECT_TRUE(got.starts_with("POST /ping HTTP/1.1\r\n"));
  EXPECT_NE(got.find("Content-Type: application/json\r\n"), std::string::npos);
  EXPECT_EQ(got.find("Expect:"), std::string::npos);
  EXPECT_TRUE(got.ends_with("\r\n\r\n{\"a\":1}"));
}

TEST(HttpClient, AnEmptyPostSendsAnEmptyBody) {
  TempDir dir;
  UnixServer server(dir.file("s"), kOk);
  auto request = request_to(dir.file("s"));
  request.method = "POST";
  EXPECT_EQ(http::send(request).status, 200);
  EXPECT_NE(server.last_request().find("Content-Length: 0\r\n"), std::string::npos);
}

TEST(HttpClient, MaxBodyKeepsOnlyThatMuch) {
  TempDir dir;
  UnixServer server(dir.file("s"), kOk);
  auto request = request_to(dir.file("s"));
  request.max_body = 3;
  EXPECT_EQ(http::send(request).body, "hel");
}

TEST(HttpClient, ASinkGetsA2xxBodyAndCanStopTheTransfer) {
  TempDir dir;
  UnixServer server(dir.file("s"), kOk);
  std::string seen;
  const http::BodySink keep = [&](std::string_view chunk) {
    seen.append(chunk);
    return true;
  };
  const auto kept = http::send(request_to(dir.file("s")), &keep);
  EXPECT_EQ(seen, "hello");
  EXPECT_EQ(kept.body, "");
  const http::BodySink stop = [](std::string_view) { return false; };
  EXPECT_EQ(http::send(request_to(dir.file("s")), &stop).outcome, http::Response::Outcome::SinkStopped);
}

TEST(HttpClient, AnErrorBodyLandsInTheResponseEvenWithASink) {
  TempDir dir;
  UnixServer server(dir.file("s"),
                    "HTTP/1.1 404 Not Found\r\nContent-Length: 7\r\nConnection: close\r\n\r\nmissing");
  const http::BodySink sink = [](std::string_view) { return true; };
  const auto response = http::send(request_to(dir.file("s")), &sink);
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.body, "missing");
}

TEST(HttpClient, NobodyListeningThrowsATransferError) {
  TempDir dir;
  try {
    http::send(request_to(dir.file("nobody")));
    FAIL() << "no error";
  } catch (const http::TransferError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Io);
    EXPECT_FALSE(e.timed_out());
    EXPECT_FALSE(std::string(e.what()).empty());
  }
}

TEST(HttpClient, NoAnswerWithinTheTimeoutThrowsATimedOutTransferError) {
  TempDir dir;
  UnixServer server(dir.file("s"), "", /*hold=*/true);
  auto request = request_to(dir.file("s"));
  request.timeout = std::chrono::milliseconds(200);
  try {
    http::send(request);
    FAIL() << "no error";
  } catch (const http::TransferError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Timeout);
    EXPECT_TRUE(e.timed_out());
  }
}

TEST(HttpClient, ACancelledTokenStopsTheTransfer) {
  TempDir dir;
  UnixServer server(dir.file("s"), "", /*hold=*/true);
  CancelToken cancel;
  cancel.cancel();
  const auto response = http::send(request_to(dir.file("s")), nullptr, &cancel);
  EXPECT_EQ(response.outcome, http::Response::Outcome::Cancelled);
}

TEST(HttpClient, UrlsAreParsedAndNormalisedByOneParser) {
  const auto parts = http::parse_url("http://127.0.0.1:4318/v1/x");
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->scheme, "http");
  EXPECT_EQ(parts->host, "127.0.0.1");
  EXPECT_EQ(parts->path, "/v1/x");
  EXPECT_FALSE(http::parse_url("not a url"));
  EXPECT_EQ(http::normalised_url("http://127.0.0.1:4318", "/v1/traces"), "http://127.0.0.1:4318/v1/traces");
  EXPECT_EQ(http::normalised_url("http://127.0.0.1:4318/a"), "http://127.0.0.1:4318/a");
  EXPECT_EQ(http::normalised_url("not a url", "/x"), "not a url");
}

TEST(HttpClient, PercentEncodeKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(clnrm::http::percent_encode("repository:a/b:pull"), "repository%3Aa%2Fb%3Apull");
  EXPECT_EQ(clnrm::http::percent_encode("A-z_0.9~"), "A-z_0.9~");
  EXPECT_EQ(clnrm::http::percent_encode("a b&c=\xC3\xA9"), "a%20b%26c%3D%C3%A9");
}
