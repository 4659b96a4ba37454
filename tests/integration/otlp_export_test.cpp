// Posts traces with libcurl to a real HTTP receiver listening on loopback in
// this process (a thread with a socket), which checks what arrived.
#include <arpa/inet.h>
#include <clnrm/error.h>
#include <clnrm/otlp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/otlp_schema.h"
#include "support/sample_run.h"

namespace {

struct ReceivedRequest {
  std::string method, target;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;
};

// A minimal HTTP/1.1 server: one request per connection, canned response.
class LoopbackReceiver {
 public:
  LoopbackReceiver(int status, std::string response_body)
      : status_(status), response_(std::move(response_body)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(fd_, 8) != 0) {
      throw std::runtime_error("cannot listen on 127.0.0.1");
    }
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~LoopbackReceiver() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  LoopbackReceiver(const LoopbackReceiver&) = delete;
  LoopbackReceiver& operator=(const LoopbackReceiver&) = delete;

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<ReceivedRequest> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int conn = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (conn < 0) continue;
      handle(conn);
      ::close(conn);
    }
  }

  void handle(int conn) {
    std::string data;
    char buf[65536];
    std::size_t header_end = std::string::npos;
    std::size_t content_length = 0;
    while (true) {
      pollfd p{conn, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) return;
      ssize_t n = ::read(conn, buf, sizeof buf);
      if (n <= 0) return;
      data.append(buf, static_cast<std::size_t>(n));
      if (header_end == std::string::npos) {
        header_end = data.find("\r\n\r\n");
        if (header_end == std::string::npos) continue;
        ReceivedRequest req;
        std::size_t line_end = data.find("\r\n");
        const std::string request_line = data.substr(0, line_end);
        req.method = request_line.substr(0, request_line.find(' '));
        req.target = request_line.substr(req.method.size() + 1,
                                         request_line.rfind(' ') - req.method.size() - 1);
        std::size_t pos = line_end + 2;
        while (pos < header_end) {
          std::size_t e = data.find("\r\n", pos);
          std::string line = data.substr(pos, e - pos);
          std::size_t colon = line.find(':');
          std::string name = line.substr(0, colon);
          for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          std::string value = line.substr(colon + 1);
          value.erase(0, value.find_first_not_of(' '));
          req.headers[name] = value;
          pos = e + 2;
        }
        content_length =
            req.headers.count("content-length") ? std::stoul(req.headers["content-length"]) : 0;
        std::lock_guard lock(mu_);
        requests_.push_back(std::move(req));
      }
      if (data.size() - header_end - 4 >= content_length) break;
    }
    {
      std::lock_guard lock(mu_);
      requests_.back().body = data.substr(header_end + 4, content_length);
    }
    const std::string reply = "HTTP/1.1 " + std::to_string(status_) +
                              " X\r\nContent-Type: application/json\r\n"
                              "Content-Length: " +
                              std::to_string(response_.size()) + "\r\nConnection: close\r\n\r\n" +
                              response_;
    std::size_t sent = 0;
    while (sent < reply.size()) {
      ssize_t n = ::write(conn, reply.data() + sent, reply.size() - sent);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  }

  int status_;
  std::string response_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<ReceivedRequest> requests_;
  std::thread thread_;
};

clnrm::OtlpPostOptions test_options() {
  clnrm::OtlpPostOptions o;
  o.loopback_only = true;  // the suite never sends anywhere but loopback
  o.timeout = std::chrono::milliseconds{5000};
  return o;
}

}  // namespace

TEST(OtlpExport, PostsAnExportTraceServiceRequestToARealReceiver) {
  LoopbackReceiver receiver(200, "{}");
  const auto run = clnrm::testing::make_sample_run(50);
  clnrm::post_otlp(receiver.endpoint(), run, test_options());
  const auto reqs = receiver.requests();
  ASSERT_EQ(reqs.size(), 1u);
  const auto& r = reqs[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/v1/traces");
  EXPECT_EQ(r.headers.at("content-type"), "application/json");
  const auto body = nlohmann::json::parse(r.body);
  clnrm::testing::OtlpSchemaChecker checker;
  const auto errors = checker.check(body);
  EXPECT_TRUE(errors.empty()) << (errors.empty() ? "" : errors.front());
  const auto spans = clnrm::testing::flatten_spans(body);
  std::size_t tests = 0, steps = 0, ready = 0;
  for (const auto& s : spans) {
    tests += s.name.rfind("clnrm.test ", 0) == 0;
    steps += s.name.rfind("clnrm.step ", 0) == 0;
    ready += s.name.rfind("clnrm.service.ready ", 0) == 0;
  }
  EXPECT_EQ(tests, 50u);
  EXPECT_EQ(steps, 150u);
  EXPECT_EQ(ready, 100u);
}

TEST(OtlpExport, ACustomPathAndExtraHeadersAreKept) {
  LoopbackReceiver receiver(200, "");
  auto options = test_options();
  options.headers = {"Authorization: Bearer t0ken"};
  clnrm::post_otlp_json(receiver.endpoint() + "/otlp/v1/traces",
                        clnrm::trace_json(clnrm::RunResult{}), options);
  ASSERT_EQ(receiver.requests().size(), 1u);
  EXPECT_EQ(receiver.requests()[0].target, "/otlp/v1/traces");
  EXPECT_EQ(receiver.requests()[0].headers.at("authorization"), "Bearer t0ken");
}

TEST(OtlpExport, HttpErrorNamesTheEndpointAndStatus) {
  LoopbackReceiver receiver(400, R"({"code":3,"message":"bad span"})");
  try {
    clnrm::post_otlp(receiver.endpoint(), clnrm::testing::make_sample_run(1), test_options());
    FAIL() << "no error";
  } catch (const clnrm::Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(receiver.endpoint() + "/v1/traces"), std::string::npos) << msg;
    EXPECT_NE(msg.find("HTTP 400"), std::string::npos) << msg;
    EXPECT_NE(msg.find("bad span"), std::string::npos) << msg;
  }
}

TEST(OtlpExport, PartialSuccessWithRejectedSpansIsAnError) {
  LoopbackReceiver receiver(200,
                            R"({"partialSuccess":{"rejectedSpans":"3","errorMessage":"too old"}})");
  try {
    clnrm::post_otlp(receiver.endpoint(), clnrm::testing::make_sample_run(1), test_options());
    FAIL() << "no error";
  } catch (const clnrm::Error& e) {
    EXPECT_NE(std::string(e.what()).find("rejected 3 spans: too old"), std::string::npos)
        << e.what();
  }
}

TEST(OtlpExport, NothingListeningIsAClearErrorNamingTheEndpoint) {
  // Bind a port, then close it: nothing listens there afterwards.
  std::string endpoint;
  {
    LoopbackReceiver probe(200, "");
    endpoint = probe.endpoint();
  }
  try {
    clnrm::post_otlp(endpoint, clnrm::RunResult{}, test_options());
    FAIL() << "no error";
  } catch (const clnrm::Error& e) {
    EXPECT_EQ(e.kind(), clnrm::ErrorKind::Io);
    EXPECT_NE(std::string(e.what()).find("cannot send traces to OTLP endpoint " + endpoint +
                                         "/v1/traces"),
              std::string::npos)
        << e.what();
  }
}

TEST(OtlpExport, LoopbackOnlyRefusesOtherHostsBeforeConnecting) {
  for (const char* host :
       {"http://192.0.2.1:4318", "http://example.invalid:4318", "http://128.0.0.1:4318"}) {
    try {
      clnrm::post_otlp(host, clnrm::RunResult{}, test_options());
      ADD_FAILURE() << "sent to " << host;
    } catch (const clnrm::Error& e) {
      EXPECT_EQ(e.kind(), clnrm::ErrorKind::Usage) << host;
      EXPECT_NE(std::string(e.what()).find("refusing"), std::string::npos) << e.what();
    }
  }
}
