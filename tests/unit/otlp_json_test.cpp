#include <clnrm/error.h>
#include <clnrm/otlp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>

#include "support/otlp_schema.h"
#include "support/sample_run.h"
#include "support/temp_dir.h"

namespace {

using clnrm::testing::FlatSpan;

nlohmann::json parse(const std::string& text) { return nlohmann::json::parse(text); }

std::string attr_string(const FlatSpan& s, const std::string& key) {
  auto it = s.attributes.find(key);
  if (it == s.attributes.end()) return "<missing>";
  if (it->second.contains("stringValue")) return it->second["stringValue"];
  if (it->second.contains("intValue")) return it->second["intValue"];
  if (it->second.contains("boolValue"))
    return it->second["boolValue"].get<bool>() ? "true" : "false";
  return it->second.dump();
}

}  // namespace

TEST(OtlpSchema, CheckerRejectsWrongShapes) {
  clnrm::testing::OtlpSchemaChecker checker;
  const auto good = parse(
      R"({"resourceSpans":[{"resource":{"attributes":[]},"scopeSpans":[{"scope":{"name":"x"},"spans":[
    {"traceId":"0123456789abcdef0123456789abcdef","spanId":"0123456789abcdef","name":"a","kind":1,
     "startTimeUnixNano":"1","endTimeUnixNano":"2","status":{"code":1}}]}]}]})");
  EXPECT_TRUE(checker.check(good).empty());
  const std::vector<std::string> bad = {
      R"({"resource_spans":[]})",  // snake_case
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0123","spanId":"0123456789abcdef","name":"a","startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]})",
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0123456789abcdef0123456789abcdef","spanId":"0123456789abcdef","name":"a","startTimeUnixNano":1,"endTimeUnixNano":"2"}]}]}]})",
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0123456789abcdef0123456789abcdef","spanId":"0123456789abcdef","name":"a","startTimeUnixNano":"1","endTimeUnixNano":"2","status":{"code":"STATUS_CODE_OK"}}]}]}]})",
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0123456789abcdef0123456789abcdef","spanId":"0123456789abcdef","name":"a","startTimeUnixNano":"1","endTimeUnixNano":"2","attributes":[{"key":"k","value":{"intValue":5}}]}]}]}]})",
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"00000000000000000000000000000000","spanId":"0123456789abcdef","name":"a","startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]})",
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0123456789abcdef0123456789abcdef","spanId":"0123456789abcdef","name":"a","start_time_unix_nano":"1","endTimeUnixNano":"2"}]}]}]})",
  };
  for (const auto& b : bad) EXPECT_FALSE(checker.check(parse(b)).empty()) << b;
}

TEST(Otlp, SampleRunMatchesTheOtlpJsonMapping) {
  const auto run = clnrm::testing::make_sample_run(20);
  const auto j = parse(clnrm::trace_json(run));
  clnrm::testing::OtlpSchemaChecker checker;
  const auto errors = checker.check(j);
  for (std::size_t i = 0; i < std::min<std::size_t>(errors.size(), 20); ++i)
    ADD_FAILURE() << errors[i];
  const auto& resource_attrs = j["resourceSpans"][0]["resource"]["attributes"];
  EXPECT_EQ(resource_attrs[0]["key"], "service.name");
  EXPECT_EQ(resource_attrs[0]["value"]["stringValue"], "clnrm");
  EXPECT_EQ(j["resourceSpans"][0]["scopeSpans"][0]["scope"]["name"], "clnrm");
}

TEST(Otlp, SpanTreeRunTestServiceReadyStepAssertion) {
  const auto run = clnrm::testing::make_sample_run(3);
  const auto spans = clnrm::testing::flatten_spans(parse(clnrm::trace_json(run)));
  // 1 run + per test (1 test + 2 services * 2 + 3 steps + 2+1+2... assertions + 1 test assertion)
  std::size_t expected = 1;
  for (const auto& t : run.tests) {
    expected += 1 + 2 * t.services.size() + t.steps.size() + t.assertions.size();
    for (const auto& s : t.steps) expected += s.assertions.size();
  }
  ASSERT_EQ(spans.size(), expected);

  std::map<std::string, const FlatSpan*> by_id;
  std::set<std::string> trace_ids;
  for (const auto& s : spans) {
    EXPECT_TRUE(by_id.emplace(s.span_id, &s).second) << "duplicate span id " << s.span_id;
    trace_ids.insert(s.trace_id);
    EXPECT_LE(s.start, s.end) << s.name;
  }
  EXPECT_EQ(trace_ids.size(), 1u);
  const FlatSpan& root = spans.front();
  EXPECT_EQ(root.name, "clnrm.run");
  EXPECT_EQ(root.parent, "");
  for (const auto& s : spans) {
    if (&s == &root) continue;
    ASSERT_TRUE(by_id.count(s.parent)) << s.name << " has an unknown parent";
    const FlatSpan& p = *by_id[s.parent];
    // Children sit inside their parent's time window.
    EXPECT_GE(s.start, p.start) << s.name << " in " << p.name;
    EXPECT_LE(s.end, p.end) << s.name << " in " << p.name;
    const std::string kind = s.name.substr(0, s.name.find(' '));
    const std::string parent_kind = p.name.substr(0, p.name.find(' '));
    static const std::map<std::string, std::set<std::string>> kParents = {
        {"clnrm.test", {"clnrm.run"}},
        {"clnrm.service.start", {"clnrm.test"}},
        {"clnrm.service.ready", {"clnrm.service.start"}},
        {"clnrm.step", {"clnrm.test"}},
        {"clnrm.assertion", {"clnrm.step", "clnrm.test"}}};
    ASSERT_TRUE(kParents.count(kind)) << s.name;
    EXPECT_TRUE(kParents.at(kind).count(parent_kind)) << s.name << " under " << p.name;
  }
}

TEST(Otlp, AttributesStatusesAndTimes) {
  const auto run = clnrm::testing::make_sample_run(5);
  const auto spans = clnrm::testing::flatten_spans(parse(clnrm::trace_json(run)));
  const FlatSpan* test0 = nullptr;
  const FlatSpan* failed_step = nullptr;
  const FlatSpan* svc = nullptr;
  for (const auto& s : spans) {
    if (s.name == "clnrm.test quote\"back\\slash\nnewline") test0 = &s;
    if (s.name == "clnrm.step check" && s.status == 2) failed_step = &s;  // only test_4 fails
    if (s.name == "clnrm.service.start svc0" && !svc) svc = &s;
  }
  ASSERT_NE(test0, nullptr);
  EXPECT_EQ(attr_string(*test0, "clnrm.test.file"), "tests/suite_0.clnrm.toml");
  EXPECT_EQ(attr_string(*test0, "clnrm.backend"), "sandbox");
  EXPECT_EQ(attr_string(*test0, "clnrm.security_level"), "high");
  EXPECT_EQ(test0->status, 1);
  const auto t0_start = static_cast<unsigned long long>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(run.tests[0].started.time_since_epoch())
          .count());
  EXPECT_EQ(test0->start, t0_start);
  EXPECT_EQ(test0->end, t0_start + static_cast<unsigned long long>(run.tests[0].duration.count()));

  ASSERT_NE(failed_step, nullptr);
  EXPECT_EQ(failed_step->status, 2);
  EXPECT_EQ(attr_string(*failed_step, "clnrm.step.exit_code"), "1");
  EXPECT_EQ(attr_string(*failed_step, "clnrm.step.command"), "sh -c 'echo \"hi\" && exit 0'");
  EXPECT_EQ(attr_string(*failed_step, "clnrm.status"), "failed");

  ASSERT_NE(svc, nullptr);
  EXPECT_EQ(attr_string(*svc, "clnrm.image"), "clnrm-test/redis");
  EXPECT_EQ(attr_string(*svc, "clnrm.service.reused"), "false");
  EXPECT_EQ(spans.front().status, 2);  // one test failed -> the run span is an error
}

TEST(Otlp, IdsAreRandomPerExport) {
  const auto run = clnrm::testing::make_sample_run(1);
  const auto a = clnrm::testing::flatten_spans(parse(clnrm::trace_json(run)));
  const auto b = clnrm::testing::flatten_spans(parse(clnrm::trace_json(run)));
  EXPECT_NE(a.front().trace_id, b.front().trace_id);
  EXPECT_NE(a.front().span_id, b.front().span_id);
  clnrm::SpanIdGenerator g1(7), g2(7);
  EXPECT_EQ(g1.trace_id(), g2.trace_id());
  EXPECT_EQ(clnrm::span_id_hex(g1.span_id()).size(), 16u);
  EXPECT_EQ(clnrm::span_id_hex(0xabcull), "0000000000000abc");
  EXPECT_EQ((clnrm::TraceId{1, 0xffull}.hex()), "000000000000000100000000000000ff");
}

TEST(Otlp, InvalidUtf8AndControlCharactersStillParse) {
  auto run = clnrm::testing::make_sample_run(1);
  run.tests[0].steps[0].message = std::string("bad \xff\xfe bytes \x01 and \xe2\x82 cut");
  run.tests[0].steps[0].status = clnrm::Status::Failed;
  const auto j = parse(clnrm::trace_json(run));  // throws on invalid UTF-8
  clnrm::testing::OtlpSchemaChecker checker;
  EXPECT_TRUE(checker.check(j).empty());
}

TEST(Otlp, MissingStartTimesAreLaidOutInsideTheParent) {
  auto run = clnrm::testing::make_sample_run(2);
  for (auto& t : run.tests) {
    for (auto& s : t.services) s.started = {};
    for (auto& s : t.steps) s.started = {};
  }
  const auto spans = clnrm::testing::flatten_spans(parse(clnrm::trace_json(run)));
  std::map<std::string, const FlatSpan*> by_id;
  for (const auto& s : spans) by_id[s.span_id] = &s;
  for (const auto& s : spans) {
    if (s.parent.empty()) continue;
    EXPECT_GE(s.start, by_id[s.parent]->start) << s.name;
  }
}

TEST(Otlp, TraceFileIsWrittenAndEmptyRunIsValid) {
  const clnrm::testing::TempDir dir("clnrm-trace");
  const std::string path = dir.file("trace.json");
  clnrm::write_trace_file(path, clnrm::RunResult{});
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  const auto j = parse(ss.str());
  clnrm::testing::OtlpSchemaChecker checker;
  EXPECT_TRUE(checker.check(j).empty());
  EXPECT_EQ(j["resourceSpans"][0]["scopeSpans"][0]["spans"].size(), 1u);  // the run span
}

TEST(Otlp, TracesUrl) {
  EXPECT_EQ(*clnrm::otlp_traces_url("http://127.0.0.1:4318"), "http://127.0.0.1:4318/v1/traces");
  EXPECT_EQ(*clnrm::otlp_traces_url("http://127.0.0.1:4318/"), "http://127.0.0.1:4318/v1/traces");
  EXPECT_EQ(*clnrm::otlp_traces_url("http://localhost:4318/custom/traces"),
            "http://localhost:4318/custom/traces");
  EXPECT_NE(clnrm::otlp_traces_url("not a url").error().find("OTLP endpoint \"not a url\" is not"), std::string::npos)
      << clnrm::otlp_traces_url("not a url").error();
  EXPECT_FALSE(clnrm::otlp_traces_url("ftp://127.0.0.1/").ok());
}
