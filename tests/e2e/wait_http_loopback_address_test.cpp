// wait_for.http and expect_http on a loopback address other than 127.0.0.1
// (sandbox backend): both connect to the address the URL names, so a server
// bound to 127.0.0.2 is found there, and a URL naming 127.0.0.1 does not
// reach it (src/wait/http_probe.cpp, src/assert/http_check.cpp, both through
// Pod::connect_tcp).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "e2e/run_process.h"

using namespace run_e2e;
using nlohmann::json;

namespace {

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

}  // namespace

TEST(WaitHttpLoopbackAddress, AServerOn127002IsWaitedForAndCheckedThere) {
  TempDir dir;
  const std::string file = dir.write("addr.clnrm.toml", kServerOn127002);
  auto v = run_clnrm({"validate", file});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  auto r = run_clnrm({"run", "--backend", "sandbox", "--json", dir.file("r.json"), file});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const json t = json::parse(read_file(dir.file("r.json")))["tests"][0];
  EXPECT_EQ(t["status"], "passed") << t.dump(2);
}

TEST(WaitHttpLoopbackAddress, A127001UrlDoesNotReachAServerOn127002) {
  TempDir dir;
  const std::string file = dir.write("wrong.clnrm.toml", kWaitOnTheWrongAddress);
  auto r = run_clnrm({"run", "--backend", "sandbox", file});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("nothing listens on 127.0.0.1:8001"), std::string::npos) << r.out << r.err;
}
