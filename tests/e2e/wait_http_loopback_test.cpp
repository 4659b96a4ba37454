// wait_for.http and expect_http on loopback URLs, sandbox backend:
// `validate` and `run` apply the same URL rule (parse_loopback_http_url,
// src/base/loopback.cpp); on IPv6 ("http://[::1]:PORT/") the probe really
// waits for a server on ::1 and gives up when nothing listens; on a 127.0.0.0/8
// address other than 127.0.0.1 both checks connect to the address the URL
// names (src/wait/http_probe.cpp, src/assert/http_check.cpp, both through
// Pod::connect_tcp), so a server bound to 127.0.0.2 is found there and a URL
// naming 127.0.0.1 does not reach it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "e2e/run_process.h"

using namespace run_e2e;
using nlohmann::json;

namespace {

constexpr const char* kServerOnIpv6 = R"(
[test.metadata]
name = "ipv6_http_wait"
timeout = "60s"

[services.web]
plugin = "process"
args = ["/usr/bin/python3", "-m", "http.server", "--bind", "::1", "--directory", "/usr/share/doc", "8000"]
wait_for = { http = "http://[::1]:8000/", status = 200, timeout = "20s" }

[[steps]]
name = "fetch_over_ipv6"
command = ["curl", "-sS", "-g", "http://[::1]:8000/"]
expected_output_regex = "Directory listing for /"
)";

constexpr const char* kNothingListens = R"(
[test.metadata]
name = "ipv6_http_wait_never_ready"
timeout = "60s"

[services.idle]
plugin = "process"
args = ["sleep", "30"]
wait_for = { http = "http://[::1]:8001/", status = 200, timeout = "2s" }

[[steps]]
name = "never_runs"
command = ["true"]
)";

constexpr const char* kServerOn127002 = R"(
[test.metadata]
name = "http_on_127_0_0_2"
timeout = "60s"

[services.web]
plugin = "process"
args = ["/usr/bin/python3", "-m", "http.server", "--bind", "127.0.0.2", "--directory", "/usr/share/doc", "8000"]
wait_for = { http = "http://127.0.0.2:8000/", status = 200, timeout = "20s" }

[[steps]]
name = "fetch"
command = ["true"]
expect_http = { url = "http://127.0.0.2:8000/", body_regex = "Directory listing for /" }
)";

constexpr const char* kWaitOnTheWrongAddress = R"(
[test.metadata]
name = "http_wait_on_127_0_0_1"
timeout = "60s"

[services.web]
plugin = "process"
args = ["/usr/bin/python3", "-m", "http.server", "--bind", "127.0.0.2", "--directory", "/usr/share/doc", "8001"]
wait_for = { http = "http://127.0.0.1:8001/", status = 200, timeout = "3s" }

[[steps]]
name = "never_runs"
command = ["true"]
)";

// The file validates, and its one test passes on the sandbox.
void expect_validates_and_passes(const std::string& name, const char* text) {
  TempDir dir;
  const std::string file = dir.write(name, text);
  auto v = run_clnrm({"validate", file});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  auto r = run_clnrm({"run", "--backend", "sandbox", "--json", dir.file("r.json"), file});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const json t = json::parse(read_file(dir.file("r.json")))["tests"][0];
  EXPECT_EQ(t["status"], "passed") << t.dump(2);
}

}  // namespace

TEST(WaitHttpIpv6, ValidateAcceptsAndSandboxRunWaitsForServerOnIpv6Loopback) {
  expect_validates_and_passes("ipv6.clnrm.toml", kServerOnIpv6);
}

TEST(WaitHttpIpv6, ProbeOnIpv6LoopbackGivesUpWhenNothingListens) {
  TempDir dir;
  const std::string file = dir.write("never.clnrm.toml", kNothingListens);
  auto v = run_clnrm({"validate", file});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  auto r = run_clnrm({"run", "--backend", "sandbox", file});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("ERROR  ipv6_http_wait_never_ready"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[::1]:8001"), std::string::npos) << r.out;
}

TEST(WaitHttpIpv6, ValidateRejectsWhatRunWouldReject) {
  TempDir dir;
  const std::string file = dir.write("bad.clnrm.toml", R"(
[test.metadata]
name = "bad_url"

[services.web]
plugin = "process"
args = ["sleep", "30"]
wait_for = { http = "http://[::1]:notaport/" }

[[steps]]
name = "s"
command = ["true"]
)");
  auto v = run_clnrm({"validate", file});
  EXPECT_NE(v.exit_code, 0) << v.out << v.err;
  EXPECT_NE((v.out + v.err).find("wait_for.http"), std::string::npos) << v.out << v.err;
}

TEST(WaitHttpLoopbackAddress, AServerOn127002IsWaitedForAndCheckedThere) {
  expect_validates_and_passes("addr.clnrm.toml", kServerOn127002);
}

TEST(WaitHttpLoopbackAddress, A127001UrlDoesNotReachAServerOn127002) {
  TempDir dir;
  const std::string file = dir.write("wrong.clnrm.toml", kWaitOnTheWrongAddress);
  auto r = run_clnrm({"run", "--backend", "sandbox", file});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("nothing listens on 127.0.0.1:8001"), std::string::npos) << r.out << r.err;
}
