#include <clnrm/determinism.h>
#include <clnrm/error.h>
#include <clnrm/sha256.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/temp_dir.h"

namespace {

clnrm::StepResult step(std::string name, std::string out, std::string err = {}, int code = 0) {
  clnrm::StepResult s;
  s.name = std::move(name);
  s.exec.exit_code = code;
  s.exec.stdout_data = std::move(out);
  s.exec.stderr_data = std::move(err);
  return s;
}

clnrm::TestResult test_with(std::vector<clnrm::StepResult> steps) {
  clnrm::TestResult t;
  t.name = "det";
  t.file = "tests/det.clnrm.toml";
  t.steps = std::move(steps);
  return t;
}

std::string value_of(const clnrm::EnvList& env, const std::string& key) {
  for (const auto& [k, v] : env) {
    if (k == key) return v;
  }
  return "<unset>";
}

}  // namespace

TEST(Normalize, CrlfTrailingWhitespaceAndTrailingBlankLines) {
  clnrm::OutputNormalizer n;
  EXPECT_EQ(n.normalize("a  \r\nb\t\r\n\r\n\n"), "a\nb\n");
  EXPECT_EQ(n.normalize("no newline   "), "no newline\n");
  EXPECT_EQ(n.normalize(""), "");
  EXPECT_EQ(n.normalize("\n\n  \n"), "");
  EXPECT_EQ(n.normalize("  leading kept\n"), "  leading kept\n");
  EXPECT_EQ(n.normalize("a\n\nb\n"), "a\n\nb\n");  // inner blank lines are content
}

TEST(Normalize, CrlfAndLfOutputsHashTheSame) {
  clnrm::OutputNormalizer n;
  EXPECT_EQ(clnrm::sha256_hex(n.normalize("x\r\ny\r\n")),
            clnrm::sha256_hex(n.normalize("x\ny \n")));
}

TEST(Normalize, UserMasksReplaceEveryMatch) {
  clnrm::OutputNormalizer n({R"(\d{4}-\d{2}-\d{2}T[\d:.]+Z)", "pid=[0-9]+"});
  EXPECT_EQ(n.normalize("at 2025-03-04T05:06:07.123Z pid=42 and pid=7\n"),
            "at <masked> <masked> and <masked>\n");
}

TEST(Normalize, BadMaskIsAConfigErrorNamingThePattern) {
  try {
    clnrm::OutputNormalizer n({"(unclosed"});
    FAIL() << "no error";
  } catch (const clnrm::Error& e) {
    EXPECT_EQ(e.kind(), clnrm::ErrorKind::Config);
    EXPECT_NE(std::string(e.what()).find("(unclosed"), std::string::npos);
  }
}

TEST(Digest, SameOutputSameDigestDifferentOutputDifferentDigest) {
  clnrm::OutputNormalizer n;
  auto a = clnrm::digest_test(test_with({step("one", "hello\n"), step("two", "x")}), n, 0);
  auto b = clnrm::digest_test(test_with({step("one", "hello  \r\n"), step("two", "x\n")}), n, 1);
  auto c = clnrm::digest_test(test_with({step("one", "hello\n"), step("two", "y")}), n, 2);
  ASSERT_EQ(a.steps.size(), 2u);
  EXPECT_EQ(a.steps[0].stdout_sha256, clnrm::sha256_hex("hello\n"));
  EXPECT_EQ(a.steps[0].stderr_sha256, clnrm::sha256_hex(""));
  EXPECT_EQ(a.sha256, b.sha256);
  EXPECT_NE(a.sha256, c.sha256);
  EXPECT_EQ(a.sha256.size(), 64u);
}

TEST(Digest, ExitCodeIsPartOfTheDigest) {
  clnrm::OutputNormalizer n;
  auto a = clnrm::digest_test(test_with({step("one", "x", "", 0)}), n);
  auto b = clnrm::digest_test(test_with({step("one", "x", "", 1)}), n);
  EXPECT_NE(a.sha256, b.sha256);
}

TEST(Compare, IdenticalRepeatsAreDeterministic) {
  clnrm::OutputNormalizer n;
  std::vector<clnrm::TestDigest> reps;
  for (int i = 0; i < 5; ++i)
    reps.push_back(clnrm::digest_test(test_with({step("a", "same\n"), step("b", "x")}), n, i));
  auto r = clnrm::compare_repeats(reps);
  EXPECT_TRUE(r.deterministic);
  EXPECT_EQ(r.repeats, 5);
  EXPECT_TRUE(r.differences.empty());
  EXPECT_EQ(r.test, "det");
}

TEST(Compare, ReportsStepStreamAndFirstDifferingLine) {
  clnrm::OutputNormalizer n;
  std::vector<clnrm::TestDigest> reps;
  reps.push_back(clnrm::digest_test(
      test_with({step("setup", "ok\n"), step("rand", "l1\nl2\n12345\nl4\n")}), n, 0));
  reps.push_back(clnrm::digest_test(
      test_with({step("setup", "ok\n"), step("rand", "l1\nl2\n12345\nl4\n")}), n, 1));
  reps.push_back(clnrm::digest_test(
      test_with({step("setup", "ok\n"), step("rand", "l1\nl2\n999\nl4\n")}), n, 2));
  auto r = clnrm::compare_repeats(reps);
  EXPECT_FALSE(r.deterministic);
  ASSERT_EQ(r.differences.size(), 1u);
  const auto& d = r.differences[0];
  EXPECT_EQ(d.step, "rand");
  EXPECT_EQ(d.step_index, 1u);
  EXPECT_EQ(d.stream, "stdout");
  EXPECT_EQ(d.line, 3u);
  EXPECT_EQ(d.text_a, "12345");
  EXPECT_EQ(d.text_b, "999");
  EXPECT_EQ(d.repeat_a, 0);
  EXPECT_EQ(d.repeat_b, 2);
  EXPECT_EQ(d.describe(),
            "step 'rand': stdout differs at line 3: repeat 1 has \"12345\", repeat 3 has \"999\"");
}

TEST(Compare, ExtraLineAndStderrAndExitCode) {
  clnrm::OutputNormalizer n;
  std::vector<clnrm::TestDigest> reps;
  reps.push_back(clnrm::digest_test(test_with({step("s", "a\n", "warn\n", 0)}), n, 0));
  reps.push_back(clnrm::digest_test(test_with({step("s", "a\nb\n", "warn2\n", 3)}), n, 1));
  auto r = clnrm::compare_repeats(reps);
  ASSERT_EQ(r.differences.size(), 3u);
  EXPECT_EQ(r.differences[0].stream, "exit_code");
  EXPECT_EQ(r.differences[0].text_a, "0");
  EXPECT_EQ(r.differences[0].text_b, "3");
  EXPECT_EQ(r.differences[1].stream, "stdout");
  EXPECT_EQ(r.differences[1].line, 2u);
  EXPECT_TRUE(r.differences[1].a_ended);
  EXPECT_FALSE(r.differences[1].b_ended);
  EXPECT_EQ(r.differences[1].text_b, "b");
  EXPECT_EQ(r.differences[2].stream, "stderr");
  EXPECT_EQ(r.differences[2].line, 1u);
}

TEST(Compare, DifferentNumberOfStepsIsReported) {
  clnrm::OutputNormalizer n;
  std::vector<clnrm::TestDigest> reps;
  reps.push_back(clnrm::digest_test(test_with({step("a", "x"), step("b", "y")}), n, 0));
  reps.push_back(clnrm::digest_test(test_with({step("a", "x")}), n, 1));
  auto r = clnrm::compare_repeats(reps);
  ASSERT_EQ(r.differences.size(), 1u);
  EXPECT_EQ(r.differences[0].stream, "steps");
  EXPECT_FALSE(r.deterministic);
}

TEST(DigestJson, ShapeAndFileRoundTrip) {
  clnrm::OutputNormalizer n;
  std::vector<clnrm::TestDigest> reps = {clnrm::digest_test(test_with({step("a", "1\n")}), n, 0),
                                         clnrm::digest_test(test_with({step("a", "2\n")}), n, 1)};
  auto report = clnrm::compare_repeats(reps);
  const clnrm::testing::TempDir dir("clnrm-digest");
  const std::string path = dir.file("digests.json");
  clnrm::write_digest_file(path, reps, {report});
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str());
  EXPECT_EQ(j["format"], "clnrm-digests/1");
  ASSERT_EQ(j["tests"].size(), 2u);
  EXPECT_EQ(j["tests"][0]["steps"][0]["stdout_sha256"], clnrm::sha256_hex("1\n"));
  EXPECT_EQ(j["tests"][1]["repeat"], 1);
  ASSERT_EQ(j["determinism"].size(), 1u);
  EXPECT_EQ(j["determinism"][0]["deterministic"], false);
  EXPECT_EQ(j["determinism"][0]["differences"][0]["line"], 1);
  EXPECT_EQ(j["determinism"][0]["differences"][0]["text_a"], "1");
  EXPECT_EQ(j["determinism"][0]["differences"][0]["text_b"], "2");
}

TEST(DigestJson, WritingIntoAMissingDirectoryNamesThePath) {
  clnrm::OutputNormalizer n;
  try {
    clnrm::write_digest_file("/nonexistent-dir-clnrm/d.json", {}, {});
    FAIL() << "no error";
  } catch (const clnrm::Error& e) {
    EXPECT_EQ(e.kind(), clnrm::ErrorKind::Io);
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir-clnrm/d.json"), std::string::npos);
  }
}

TEST(FreezeClock, ParsesRfc3339WithZonesAndTheSpaceForm) {
  EXPECT_EQ(clnrm::parse_freeze_clock("2025-01-01T00:00:00Z"), 1735689600);
  EXPECT_EQ(clnrm::parse_freeze_clock("2025-01-01T02:00:00+02:00"), 1735689600);
  EXPECT_EQ(clnrm::parse_freeze_clock("2024-12-31T19:00:00-05:00"), 1735689600);
  EXPECT_EQ(clnrm::parse_freeze_clock("2025-01-01 00:00:00Z"), 1735689600);
  EXPECT_EQ(clnrm::parse_freeze_clock("2025-01-01T00:00:00.250Z"), 1735689600);
  EXPECT_EQ(clnrm::faketime_start_at(1735689600), "@2025-01-01 00:00:00");
  EXPECT_EQ(clnrm::faketime_start_at(951782400), "@2000-02-29 00:00:00");
}

TEST(FreezeClock, RejectsGarbageWithTheKeyName) {
  for (const char* bad :
       {"yesterday", "2025-13-01T00:00:00Z", "2025-01-01", "2025-01-01T00:00:00+25:00",
        // Where the run's parser used to accept what `clnrm validate` rejects
        // (one rule now, src/base/rfc3339.cpp): no zone, an offset without
        // its colon, a day its month does not have.
        "2025-01-01 00:00:00", "2025-01-01T02:00:00+0200", "2025-02-30T00:00:00Z"}) {
    try {
      clnrm::parse_freeze_clock(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const clnrm::Error& e) {
      EXPECT_EQ(e.kind(), clnrm::ErrorKind::Config);
      EXPECT_EQ(e.context(), "[determinism] freeze_clock");
    }
  }
}

TEST(DeterminismEnv, FixedLocaleZoneAndSeed) {
  clnrm::DeterminismSpec spec;
  spec.seed = 42;
  auto env = clnrm::determinism_environment(spec);
  EXPECT_EQ(value_of(env, "CLNRM_SEED"), "42");
  EXPECT_EQ(value_of(env, "PYTHONHASHSEED"), "42");
  EXPECT_EQ(value_of(env, "TZ"), "UTC");
  EXPECT_EQ(value_of(env, "LC_ALL"), "C.UTF-8");
  EXPECT_EQ(value_of(env, "LD_PRELOAD"), "<unset>");
  EXPECT_TRUE(std::is_sorted(env.begin(), env.end()));
}

TEST(DeterminismEnv, CliSeedOverridesTheFile) {
  clnrm::DeterminismSpec spec;
  spec.seed = 42;
  clnrm::DeterminismEnvOptions opts;
  opts.cli_seed = 7;
  EXPECT_EQ(value_of(clnrm::determinism_environment(spec, opts), "CLNRM_SEED"), "7");
  EXPECT_EQ(value_of(clnrm::determinism_environment(clnrm::DeterminismSpec{}), "CLNRM_SEED"),
            "<unset>");
}

TEST(DeterminismEnv, FreezeClockWithMissingLibfaketimeIsAClearError) {
  clnrm::DeterminismSpec spec;
  spec.freeze_clock = "2025-01-01T00:00:00Z";
  clnrm::DeterminismEnvOptions opts;
  opts.libfaketime_path = "/nonexistent/libfaketime.so.1";
  try {
    clnrm::determinism_environment(spec, opts);
    FAIL() << "no error";
  } catch (const clnrm::Error& e) {
    EXPECT_EQ(e.kind(), clnrm::ErrorKind::NotSupported);
    const std::string msg = e.what();
    EXPECT_NE(msg.find("libfaketime"), std::string::npos);
    EXPECT_NE(msg.find("/nonexistent/libfaketime.so.1"), std::string::npos);
    EXPECT_NE(msg.find("apt-get install faketime"), std::string::npos);
  }
}

TEST(DeterminismCollector, GroupsRepeatsPerTestInAnyArrivalOrder) {
  clnrm::DeterminismCollector collector(clnrm::OutputNormalizer({"id=[0-9]+"}));
  auto stable = test_with({step("a", "same id=1\n")});
  auto stable2 = test_with({step("a", "same id=2\n")});  // masked: still the same
  auto flaky = test_with({step("roll", "4\n")});
  flaky.name = "dice";
  auto flaky2 = flaky;
  flaky2.steps[0].exec.stdout_data = "6\n";
  // Parallel lanes finish out of order.
  collector.add(flaky2, 1);
  collector.add(stable2, 1);
  collector.add(stable, 0);
  collector.add(flaky, 0);
  const auto reports = collector.reports();
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0].test, "dice");
  EXPECT_FALSE(reports[0].deterministic);
  ASSERT_EQ(reports[0].differences.size(), 1u);
  EXPECT_EQ(reports[0].differences[0].text_a, "4");  // repeat 0 is the reference
  EXPECT_EQ(reports[0].differences[0].text_b, "6");
  EXPECT_EQ(reports[1].test, "det");
  EXPECT_TRUE(reports[1].deterministic);
  EXPECT_FALSE(collector.all_deterministic());
  const auto digests = collector.digests();
  ASSERT_EQ(digests.size(), 4u);
  EXPECT_EQ(digests[0].repeat, 0);
  EXPECT_EQ(digests[1].repeat, 1);
}
