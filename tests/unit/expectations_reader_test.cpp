// src/spec/expectations_reader.cpp: expect_file, expect_json, expect_http and
// expected_output_file as the parser reads them, and the values it refuses.
#include <clnrm/parser.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

using namespace clnrm;

namespace {

ParseResult parse_step(const std::string& keys) {
  return parse_test_text("[test]\nname = \"t\"\n\n[[steps]]\nname = \"s\"\ncommand = [\"true\"]\n" + keys,
                         "t.clnrm.toml");
}

std::string errors(const ParseResult& r) {
  std::string out;
  for (const Diagnostic& d : r.diagnostics) out += d.format() + "\n";
  return out;
}

TEST(ExpectationsReader, ReadsEveryKindAsTableOrArray) {
  const ParseResult r = parse_step(R"(expect_json = [{ path = "/a", equals = 1 }, { path = "", equals = { b = [true, "x"] } }]
expected_output_file = "golden/out.txt"
[[steps.expect_file]]
path = "/tmp//x/"
mode = "0640"
content_regex = "ok"
[[steps.expect_file]]
path = "/tmp/gone"
exists = false
[[steps.expect_http]]
url = "http://localhost:8080/h?x=1"
method = "POST"
body = "{}"
request_headers = { Accept = "application/json" }
status = 201
headers = { "Content-Type" = "json" }
json = { path = "/id", equals = 7 }
timeout = "2s"
)");
  ASSERT_TRUE(r.ok()) << errors(r);
  const StepSpec& s = r.spec->steps.at(0);
  ASSERT_EQ(s.expect_file.size(), 2u);
  EXPECT_EQ(s.expect_file[0].path, "/tmp/x");
  EXPECT_EQ(s.expect_file[0].mode, 0640u);
  EXPECT_TRUE(s.expect_file[0].exists);
  EXPECT_FALSE(s.expect_file[1].exists);
  ASSERT_EQ(s.expect_json.size(), 2u);
  EXPECT_EQ(s.expect_json[0].pointer, "/a");
  EXPECT_EQ(nlohmann::json::parse(s.expect_json[1].expected_json),
            nlohmann::json::parse(R"({"b":[true,"x"]})"));
  ASSERT_EQ(s.expect_http.size(), 1u);
  const HttpCheck& h = s.expect_http[0];
  EXPECT_EQ(h.port, 8080);
  EXPECT_EQ(h.method, "POST");
  EXPECT_EQ(h.status, 201);
  EXPECT_EQ(h.request_headers, std::vector<std::string>{"Accept: application/json"});
  ASSERT_EQ(h.headers.size(), 1u);
  EXPECT_EQ(h.headers[0].first, "Content-Type");
  ASSERT_EQ(h.json.size(), 1u);
  EXPECT_EQ(h.timeout, std::chrono::seconds(2));
  ASSERT_TRUE(s.expected_output_file);
  EXPECT_EQ(s.expected_output_file->relative, "golden/out.txt");
  EXPECT_FALSE(s.expected_output_file->dir.empty());
}

TEST(ExpectationsReader, DefaultsAreAGetExpecting200) {
  const ParseResult r = parse_step("expect_http = { url = \"http://127.0.0.1:9/\" }\n");
  ASSERT_TRUE(r.ok()) << errors(r);
  EXPECT_EQ(r.spec->steps[0].expect_http[0].method, "GET");
  EXPECT_EQ(r.spec->steps[0].expect_http[0].status, 200);
}

// The request goes to the address the URL names (as wait_for.http's does),
// not to 127.0.0.1 whatever the URL says.
TEST(ExpectationsReader, AnyIpv4LoopbackAddressIsKeptForTheConnection) {
  const ParseResult r = parse_step("expect_http = { url = \"http://127.0.0.2:8080/\" }\n");
  ASSERT_TRUE(r.ok()) << errors(r);
  EXPECT_EQ(r.spec->steps[0].expect_http[0].address.to_string(), "127.0.0.2");
  EXPECT_EQ(r.spec->steps[0].expect_http[0].port, 8080);
  const ParseResult local = parse_step("expect_http = { url = \"http://localhost/\" }\n");
  ASSERT_TRUE(local.ok()) << errors(local);
  EXPECT_EQ(local.spec->steps[0].expect_http[0].address.to_string(), "127.0.0.1");
}

TEST(ExpectationsReader, OnlyTheCleanroomsLoopbackMayBeRequested) {
  for (const std::string url :
       {"http://10.0.0.1/", "http://example.com/", "http://[::1]:80/", "http://128.0.0.1/",
        "http://0.0.0.0:80/", "http://127.0.0.1@10.0.0.1/", "https://127.0.0.1/", "ftp://localhost/",
        "http://localhost:0/", "http://localhost:70000/"}) {
    const ParseResult r = parse_step("expect_http = { url = \"" + url + "\" }\n");
    EXPECT_FALSE(r.ok()) << url;
    EXPECT_NE(errors(r).find("t.clnrm.toml:7:23: error: expect_http url \"" + url + "\""), std::string::npos)
        << errors(r);
  }
}

TEST(ExpectationsReader, BadValuesAreErrorsAtTheirPosition) {
  const ParseResult r = parse_step(R"(expected_output_file = "/etc/passwd"
expect_json = { path = "a/b", equals = 1 }
expect_file = [{ path = "rel" }, { path = "/x", exists = false, mode = "0644" }, { path = "/y", mode = "rw" }]
expect_http = { url = "http://127.0.0.1/", method = "get", status = 99, body_regex = "(" }
)");
  EXPECT_FALSE(r.ok());
  const std::string e = errors(r);
  EXPECT_NE(e.find("t.clnrm.toml:7:24: error: expected_output_file \"/etc/passwd\""), std::string::npos) << e;
  EXPECT_NE(e.find("t.clnrm.toml:8:24: error: expect_json path \"a/b\" is not a JSON pointer"), std::string::npos) << e;
  EXPECT_NE(e.find("t.clnrm.toml:9:25: error: expect_file path \"rel\" must be absolute"), std::string::npos) << e;
  EXPECT_NE(e.find("error: 'mode' checks a file that exists"), std::string::npos) << e;
  EXPECT_NE(e.find("error: 'mode' = \"rw\" must be octal"), std::string::npos) << e;
  EXPECT_NE(e.find("error: 'method' = \"get\" must be an upper-case HTTP method"), std::string::npos) << e;
  EXPECT_NE(e.find("'status'"), std::string::npos) << e;
  EXPECT_NE(e.find("body_regex"), std::string::npos) << e;
}

TEST(ExpectationsReader, UnknownKeysAndMissingOnesAreNamed) {
  const ParseResult r = parse_step(R"(expect_file = { pth = "/x" }
expect_json = { path = "/a" }
)");
  const std::string e = errors(r);
  EXPECT_NE(e.find("unknown key 'pth' in expect_file (did you mean 'path'?)"), std::string::npos) << e;
  EXPECT_NE(e.find("expect_file needs a 'path'"), std::string::npos) << e;
  EXPECT_NE(e.find("expect_json needs 'equals'"), std::string::npos) << e;
}

}  // namespace
