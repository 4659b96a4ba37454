#include <clnrm/parser.h>
#include <gtest/gtest.h>

#include <string>

namespace clnrm {
namespace {

ParseResult parse(std::string_view text) { return parse_test_text(text, "t.clnrm.toml"); }

// All diagnostics, one formatted line each, for assertion messages.
std::string all(const ParseResult& r) {
  std::string out;
  for (const auto& d : r.diagnostics) out += d.format() + "\n";
  return out;
}

// The only error of a parse that must fail with exactly one error.
std::string only_error(std::string_view text) {
  ParseResult r = parse(text);
  EXPECT_FALSE(r.ok());
  std::string found;
  int errors = 0;
  for (const auto& d : r.diagnostics)
    if (d.severity == Diagnostic::Severity::Error) {
      ++errors;
      found = d.format();
    }
  EXPECT_EQ(errors, 1) << all(r);
  return found;
}

constexpr std::string_view kMinimal = R"(
[test.metadata]
name = "minimal"

[[steps]]
name = "hello"
command = ["echo", "hi"]
)";

TEST(ParserTest, MinimalUpstreamV04File) {
  ParseResult r = parse(kMinimal);
  ASSERT_TRUE(r.ok()) << all(r);
  EXPECT_EQ(r.spec->name, "minimal");
  EXPECT_EQ(r.spec->file, "t.clnrm.toml");
  ASSERT_EQ(r.spec->steps.size(), 1u);
  EXPECT_EQ(r.spec->steps[0].name, "hello");
  EXPECT_EQ(r.spec->steps[0].command, (std::vector<std::string>{"echo", "hi"}));
  EXPECT_EQ(r.spec->steps[0].expected_exit_code, 0);
  EXPECT_EQ(r.spec->steps[0].pos.line, 5u);
  EXPECT_EQ(r.spec->policy.level, SecurityLevel::Medium);
  EXPECT_TRUE(r.diagnostics.empty());
}

TEST(ParserTest, TestTableWithDirectKeys) {
  ParseResult r = parse(R"(
[test]
name = "direct"
description = "d"
timeout = "90s"
tags = ["a", "b"]
[[steps]]
name = "s"
command = "echo hi | tr a-z A-Z"
)");
  ASSERT_TRUE(r.ok()) << all(r);
  EXPECT_EQ(r.spec->name, "direct");
  EXPECT_EQ(r.spec->description, "d");
  EXPECT_EQ(r.spec->timeout, Duration(90'000));
  EXPECT_EQ(r.spec->tags, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(r.spec->steps[0].command,
            (std::vector<std::string>{"sh", "-c", "echo hi | tr a-z A-Z"}));
}

TEST(ParserTest, MetaTableWinsOverTestMetadata) {
  ParseResult r = parse(R"(
[meta]
name = "from_meta"
version = "1.0"
description = "meta desc"
[test.metadata]
name = "from_test"
[[steps]]
name = "s"
command = ["true"]
)");
  ASSERT_TRUE(r.ok()) << all(r);
  EXPECT_EQ(r.spec->name, "from_meta");
  EXPECT_EQ(r.spec->description, "meta desc");
}

TEST(ParserTest, ServicesAndServiceSpellingsWithTypeAlias) {
  ParseResult r = parse(R"(
[test.metadata]
name = "svc"
[services.db]
type = "generic_container"
image = "clnrm-test/redis"
args = ["redis-server", "--port", "6379"]
env = { MODE = "test", LEVEL = 3 }
ports = [6379]
wait_for = { port = 6379, timeout = "10s", interval = "20ms" }
reuse = true
[service.worker]
plugin = "process"
command = "sleep 100"
depends_on = ["db"]
workdir = "/tmp"
wait_for = { log = "ready", occurrences = 2 }
[[steps]]
name = "ping"
service = "db"
command = ["redis-cli", "ping"]
expected_output_regex = "PONG"
)");
  ASSERT_TRUE(r.ok()) << all(r);
  ASSERT_EQ(r.spec->services.size(), 2u);
  const ServiceSpec& db = r.spec->services[0];
  EXPECT_EQ(db.name, "db");
  EXPECT_EQ(db.plugin, "generic_container");
  EXPECT_EQ(db.image, "clnrm-test/redis");
  EXPECT_EQ(db.args.size(), 3u);
  EXPECT_EQ(db.env, (EnvList{{"LEVEL", "3"}, {"MODE", "test"}}));
  EXPECT_EQ(db.ports, (std::vector<std::uint16_t>{6379}));
  EXPECT_EQ(db.wait_for.kind, WaitFor::Kind::Port);
  EXPECT_EQ(db.wait_for.port, 6379);
  EXPECT_EQ(db.wait_for.timeout, Duration(10'000));
  EXPECT_EQ(db.wait_for.interval, Duration(20));
  EXPECT_TRUE(db.reuse);
  const ServiceSpec& worker = r.spec->services[1];
  EXPECT_EQ(worker.plugin, "process");
  EXPECT_EQ(worker.args, (std::vector<std::string>{"sh", "-c", "sleep 100"}));
  EXPECT_EQ(worker.depends_on, (std::vector<std::string>{"db"}));
  EXPECT_EQ(worker.wait_for.kind, WaitFor::Kind::Log);
  EXPECT_EQ(worker.wait_for.log_occurrences, 2);
  EXPECT_TRUE(worker.wait_for.log->search("now ready"));
  EXPECT_TRUE(r.spec->steps[0].expected_output_regex->search("+PONG"));
  EXPECT_TRUE(r.spec->uses_images());
}

TEST(ParserTest, ServicesKeepDeclarationOrderNotAlphabetical) {
  ParseResult r = parse(R"(
[test.metadata]
name = "order"
[services.zeta]
image = "z"
[services.alpha]
image = "a"
[[steps]]
name = "s"
command = ["true"]
)");
  ASSERT_TRUE(r.ok()) << all(r);
  EXPECT_EQ(r.spec->services[0].name, "zeta");
  EXPECT_EQ(r.spec->services[1].name, "alpha");
}

TEST(ParserTest, WaitForExecHttpAndHealthCheck) {
  ParseResult r = parse(R"(
[test.metadata]
name = "waits"
[services.a]
plugin = "process"
args = ["x"]
wait_for = { exec = ["test", "-f", "/tmp/ready"] }
[services.b]
plugin = "process"
args = ["x"]
wait_for = { http = "http://127.0.0.1:8080/health", status = 204 }
[services.c]
plugin = "process"
args = ["x"]
wait_for = { http = 9000 }
[services.d]
plugin = "process"
args = ["x"]
health_check = { cmd = ["true"], interval = 2, timeout = "500ms", retries = 4 }
[[steps]]
name = "s"
command = ["true"]
)");
  ASSERT_TRUE(r.ok()) << all(r);
  EXPECT_EQ(r.spec->services[0].wait_for.kind, WaitFor::Kind::Exec);
  EXPECT_EQ(r.spec->services[0].wait_for.exec.size(), 3u);
  EXPECT_EQ(r.spec->services[1].wait_for.kind, WaitFor::Kind::Http);
  EXPECT_EQ(r.spec->services[1].wait_for.http_url, "http://127.0.0.1:8080/health");
  EXPECT_EQ(r.spec->services[1].wait_for.http_status, 204);
  EXPECT_EQ(r.spec->services[2].wait_for.http_url, "http://127.0.0.1:9000/");
  const ServiceSpec& d = r.spec->services[3];
  ASSERT_TRUE(d.health_check.has_value());
  EXPECT_EQ(d.health_check->interval, Duration(2'000));  // integer = seconds, as upstream
  EXPECT_EQ(d.health_check->timeout, Duration(500));
  EXPECT_EQ(d.health_check->retries, 4);
  EXPECT_EQ(d.wait_for.kind, WaitFor::Kind::HealthCheck);
}

TEST(ParserTest, EveryStepKey) {
  ParseResult r = parse(R"(
[test.metadata]
name = "steps"
[[steps]]
name = "full"
command = ["sh", "-c", "echo out; echo err >&2; exit 3"]
expected_output_regex = "out"
expected_output_regex_not = "panic"
expected_stderr_regex = "err"
expected_stderr_regex_not = "fatal"
expected_exit_code = 3
env = { A = "1" }
workdir = "/tmp"
timeout = "5s"
continue_on_failure = true
stdin = "input"
max_duration = "250ms"
)");
  ASSERT_TRUE(r.ok()) << all(r);
  const StepSpec& s = r.spec->steps[0];
  EXPECT_EQ(s.expected_exit_code, 3);
  EXPECT_EQ(s.expected_output_regex_not->source, "panic");
  EXPECT_EQ(s.expected_stderr_regex->source, "err");
  EXPECT_EQ(s.expected_stderr_regex_not->source, "fatal");
  EXPECT_EQ(s.env, (EnvList{{"A", "1"}}));
  EXPECT_EQ(s.workdir, "/tmp");
  EXPECT_EQ(s.timeout, Duration(5'000));
  EXPECT_TRUE(s.continue_on_failure);
  EXPECT_EQ(s.stdin_data, "input");
  EXPECT_EQ(s.max_duration, Duration(250));
}

TEST(ParserTest, ScenarioWithStepsAndRunForms) {
  ParseResult r = parse(R"(
[test.metadata]
name = "scen"
[services.alpine]
type = "generic_container"
image = "alpine:latest"
[[scenario]]
name = "parallel"
concurrent = true
timeout_ms = 1500
service = "alpine"
steps = [
  { name = "a", command = ["echo", "a"] },
  { name = "b", command = ["echo", "b"], service = "alpine" },
]
[[scenario]]
name = "simple_echo"
service = "alpine"
run = "echo 'Testing clnrm'"
timeout = "3s"
)");
  ASSERT_TRUE(r.ok()) << all(r);
  ASSERT_EQ(r.spec->scenarios.size(), 2u);
  const ScenarioSpec& p = r.spec->scenarios[0];
  EXPECT_TRUE(p.concurrent);
  EXPECT_EQ(p.timeout, Duration(1'500));
  ASSERT_EQ(p.steps.size(), 2u);
  EXPECT_EQ(p.steps[0].service, "alpine");  // inherited from the scenario
  const ScenarioSpec& run = r.spec->scenarios[1];
  ASSERT_EQ(run.steps.size(), 1u);
  EXPECT_EQ(run.steps[0].name, "simple_echo");
  EXPECT_EQ(run.steps[0].command, (std::vector<std::string>{"sh", "-c", "echo 'Testing clnrm'"}));
  EXPECT_EQ(run.steps[0].service, "alpine");
  EXPECT_EQ(run.timeout, Duration(3'000));
}

TEST(ParserTest, SettingsSections) {
  ParseResult r = parse(R"(
[test.metadata]
name = "settings"
[[steps]]
name = "s"
command = ["true"]
[assertions]
execution_should_be_hermetic = true
container_should_have_executed_commands = 1
all_steps_should_pass = true
max_duration_ms = 5000
[policy]
security_level = "low"
host_network = true
[limits]
memory_mb = 256
cpu_millicores = 500
pids = 64
[determinism]
seed = 42
freeze_clock = "2025-01-01T00:00:00Z"
[report]
json = "out/r.json"
junit = "out/r.xml"
digest = "out/r.sha256"
)");
  ASSERT_TRUE(r.ok()) << all(r);
  const TestSpec& s = *r.spec;
  EXPECT_EQ(s.assertions.execution_should_be_hermetic, true);
  EXPECT_EQ(s.assertions.container_should_have_executed_commands, 1);
  EXPECT_EQ(s.assertions.max_duration_ms, 5000);
  EXPECT_EQ(s.policy.level, SecurityLevel::Low);
  EXPECT_TRUE(s.policy.host_network);
  EXPECT_EQ(s.limits.memory_mb, 256u);
  EXPECT_EQ(s.limits.cpu_millicores, 500u);
  EXPECT_EQ(s.limits.pids, 64u);
  EXPECT_EQ(s.determinism.seed, 42u);
  EXPECT_EQ(s.determinism.freeze_clock, "2025-01-01T00:00:00Z");
  EXPECT_EQ(s.report.json, "out/r.json");
  EXPECT_EQ(s.report.junit, "out/r.xml");
  EXPECT_EQ(s.report.digest, "out/r.sha256");
}

TEST(ParserTest, UpstreamSecurityLevelSpellingsAndPolicyLimits) {
  for (auto [text, level] :
       {std::pair{"standard", SecurityLevel::Medium}, std::pair{"maximum", SecurityLevel::High},
        std::pair{"HIGH", SecurityLevel::High}, std::pair{"locked", SecurityLevel::High}}) {
    ParseResult r =
        parse(std::string(kMinimal) + "[policy]\nsecurity_level = \"" + text +
              "\"\nmax_memory_mb = 128\nmax_cpu_usage = 0.5\nmax_execution_time = 30\n");
    ASSERT_TRUE(r.ok()) << text << all(r);
    EXPECT_EQ(r.spec->policy.level, level) << text;
    EXPECT_EQ(r.spec->limits.memory_mb, 128u);
    EXPECT_EQ(r.spec->limits.cpu_millicores, 500u);
    EXPECT_EQ(r.spec->timeout, Duration(30'000));
  }
}

TEST(ParserTest, VarsSubstituteBothSpellings) {
  ParseResult r = parse(R"(
[vars]
svc = "clnrm"
n = 3
[meta]
name = "{{ vars.svc }}_test"
version = "1"
[[steps]]
name = "s"
command = ["echo", "{{svc}}-{{ n }}"]
)");
  ASSERT_TRUE(r.ok()) << all(r);
  EXPECT_EQ(r.spec->name, "clnrm_test");
  EXPECT_EQ(r.spec->steps[0].command[1], "clnrm-3");
  EXPECT_EQ(r.spec->vars.at("n"), "3");
}

TEST(ParserTest, TemplateOutsideStringsIsRenderedFirst) {
  ParseResult r = parse(R"([vars]
t = 2500
[test.metadata]
name = "bare"
[[scenario]]
name = "s"
timeout_ms = {{ vars.t }}
steps = [{ name = "a", command = ["true"] }]
)");
  ASSERT_TRUE(r.ok()) << all(r);
  EXPECT_EQ(r.spec->scenarios[0].timeout, Duration(2'500));
}

TEST(ParserTest, UnknownVariableIsErrorAtTheString) {
  EXPECT_EQ(only_error(R"([vars]
svc = "x"
[test.metadata]
name = "{{ vars.svx }}"
[[steps]]
name = "s"
command = ["true"]
)"),
            "t.clnrm.toml:4:8: error: unknown variable 'svx' (did you mean 'svc'?)");
}

TEST(ParserTest, TableAndArrayVarsAreNamedByKeyAndIndex) {
  ParseResult r = parse(R"([vars]
hosts = ["a", "b"]
[vars.db]
host = "127.0.0.1"
port = 5432
[test.metadata]
name = "t"
[[steps]]
name = "s"
command = ["echo", "{{ vars.db.host }}:{{ db.port }}", "{{ vars.hosts[1] }}", "{{ hosts.0 }}"]
)");
  ASSERT_TRUE(r.ok()) << all(r);
  EXPECT_EQ(r.spec->steps[0].command[1], "127.0.0.1:5432");
  EXPECT_EQ(r.spec->steps[0].command[2], "b");
  EXPECT_EQ(r.spec->steps[0].command[3], "a");
}

TEST(ParserTest, AWholeTableVarIsAnErrorNamingItsKeys) {
  EXPECT_EQ(only_error(R"([vars.db]
host = "h"
port = 1
[test.metadata]
name = "{{ vars.db }}"
[[steps]]
name = "s"
command = ["true"]
)"),
            "t.clnrm.toml:5:8: error: variable 'db' is a table or array; name one of its values: "
            "db.host, db.port");
}

TEST(ParserTest, CliVarsBeatFileVarsBeatProjectVars) {
  const std::string text = R"([vars]
a = "file"
b = "file"
[test.metadata]
name = "t"
[[steps]]
name = "s"
command = ["echo", "{{ a }}", "{{ b }}", "{{ c }}"]
)";
  ParseOptions options;
  options.project_vars = {{"a", "project"}, {"b", "project"}, {"c", "project"}};
  options.cli_vars = {{"b", "cli"}};
  ParseResult r = parse_test_text(text, "t.clnrm.toml", options);
  ASSERT_TRUE(r.ok()) << all(r);
  EXPECT_EQ(r.spec->steps[0].command, (std::vector<std::string>{"echo", "file", "cli", "project"}));
}

TEST(ParserTest, EnvironmentIsReadOnlyWhenTheRunnerAllowsTheName) {
  const std::string text = R"([test.metadata]
name = "t"
[[steps]]
name = "s"
command = ["echo", "{{ env.TOKEN }}"]
)";
  ParseResult refused = parse_test_text(text, "t.clnrm.toml", {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.diagnostics.at(0).format(),
            "t.clnrm.toml:5:20: error: {{ env.TOKEN }} reads the runner's environment, which a test "
            "file may not do unless the runner allows that variable: clnrm run --allow-env TOKEN");
  ParseOptions options;
  options.allowed_env = {{"TOKEN", "s3cret"}};
  ParseResult allowed = parse_test_text(text, "t.clnrm.toml", options);
  ASSERT_TRUE(allowed.ok()) << all(allowed);
  EXPECT_EQ(allowed.spec->steps[0].command[1], "s3cret");
  options.allowed_env = {{"TOKEN", std::nullopt}};
  ParseResult unset = parse_test_text(text, "t.clnrm.toml", options);
  ASSERT_FALSE(unset.ok());
  EXPECT_NE(unset.diagnostics.at(0).message.find("allowed (--allow-env) but not set"), std::string::npos);
}

TEST(ParserTest, UnknownKeySuggestsClosest) {
  EXPECT_EQ(only_error(R"([test.metadata]
name = "x"
[[steps]]
name = "s"
comand = ["true"]
command = ["true"]
)"),
            "t.clnrm.toml:5:1: error: unknown key 'comand' in [[steps]] (did you mean 'command'?)");
}

TEST(ParserTest, UnknownTopLevelSectionSuggests) {
  EXPECT_EQ(
      only_error(std::string(kMinimal) + "[servces.db]\nimage = \"x\"\n"),
      "t.clnrm.toml:8:2: error: unknown key 'servces' in the test file (did you mean 'services'?)");
}

TEST(ParserTest, UpstreamOnlySectionsWarnButParse) {
  ParseResult r = parse(std::string(kMinimal) + R"(
[otel]
exporter = "stdout"
[[expect.span]]
name = "clnrm.run"
[matrix]
os = ["a"]
[otel_validation]
enabled = true
[otel_headers]
x = "y"
)");
  ASSERT_TRUE(r.ok()) << all(r);
  ASSERT_EQ(r.spec->warnings.size(), 5u) << all(r);
  EXPECT_EQ(r.spec->warnings[0].format(),
            "t.clnrm.toml:9:2: warning: key 'otel' in the test file is an upstream clnrm feature "
            "that clnrm does not "
            "implement yet; it is ignored");
  EXPECT_NE(r.spec->warnings[1].message.find("'expect'"), std::string::npos);
}

TEST(ParserTest, UpstreamOnlyServiceKeysWarn) {
  ParseResult r = parse(R"([test.metadata]
name = "x"
[services.database]
type = "generic_container"
image = "surrealdb/surrealdb:latest"
username = "root"
wait_for_span = "ready"
[[steps]]
name = "s"
command = ["true"]
)");
  ASSERT_TRUE(r.ok()) << all(r);
  ASSERT_EQ(r.spec->warnings.size(), 2u) << all(r);
  EXPECT_NE(r.spec->warnings[0].message.find("'username'"), std::string::npos);
  EXPECT_NE(r.spec->warnings[1].message.find("'wait_for_span'"), std::string::npos);
}

// validate must not pass a file that run then fails: a service no plugin can
// start is an error at parse time, in the words the run would use.
TEST(ParserTest, UpstreamPluginIsAnErrorEvenUnderUpstream) {
  const std::string text =
      std::string(kMinimal) + "[services.database]\ntype = \"surrealdb\"\nimage = \"s\"\n";
  EXPECT_EQ(only_error(text),
            "t.clnrm.toml:9:8: error: service 'database': plugin 'surrealdb' is an upstream clnrm "
            "plugin that clnrm does not implement: no service can be started with it (clnrm has "
            "process and generic_container; `clnrm plugins` lists them)");
  ParseOptions upstream;
  upstream.upstream = true;
  EXPECT_FALSE(parse_test_text(text, "t.clnrm.toml", upstream).ok());
}

TEST(ParserTest, PluginRequirementsAreCheckedAtParseTime) {
  EXPECT_EQ(only_error(std::string(kMinimal) + "[services.kv]\nplugin = \"process\"\n"),
            "t.clnrm.toml:8:11: error: service 'kv': plugin 'process' needs `args` (the program "
            "and its arguments)");
  EXPECT_EQ(only_error(std::string(kMinimal) + "[services.web]\ntype = \"generic\"\n"),
            "t.clnrm.toml:8:11: error: service 'web': plugin 'generic_container' needs `image` (or "
            "`rootfs` on the sandbox backend)");
  // "docker" is an alias the registry has always resolved: the parser accepts it too.
  ParseResult r =
      parse(std::string(kMinimal) + "[services.web]\nplugin = \"docker\"\nimage = \"i\"\n");
  EXPECT_TRUE(r.ok()) << all(r);
  EXPECT_TRUE(r.diagnostics.empty()) << all(r);
}

// Keys upstream's parser ignores (it ignores every key it does not know):
// errors by default, warnings naming key and position under --upstream.
TEST(ParserTest, UpstreamOptionTurnsUnknownKeysIntoWarnings) {
  const std::string text = R"([test]
name = "x"
timeout_seconds = 30
[services.db]
plugin = "process"
args = ["x"]
environment = { A = "1" }
[[steps]]
name = "s"
command = ["true"]
retry_on_failure = true
)";
  ParseResult strict = parse(text);
  EXPECT_FALSE(strict.ok());
  std::size_t errors = 0;
  for (const Diagnostic& d : strict.diagnostics)
    errors += d.severity == Diagnostic::Severity::Error;
  EXPECT_EQ(errors, 3u) << all(strict);

  ParseOptions upstream;
  upstream.upstream = true;
  ParseResult lenient = parse_test_text(text, "t.clnrm.toml", upstream);
  ASSERT_TRUE(lenient.ok()) << all(lenient);
  ASSERT_EQ(lenient.spec->warnings.size(), 3u) << all(lenient);
  EXPECT_EQ(lenient.spec->warnings[0].format(),
            "t.clnrm.toml:3:1: warning: unknown key 'timeout_seconds' in [test] (valid keys: "
            "metadata, name, description, timeout, tags, version, author, mount_test_dir, image); it is ignored "
            "(--upstream: upstream clnrm ignores keys it does not know)");
  EXPECT_EQ(lenient.spec->warnings[1].format(),
            "t.clnrm.toml:7:1: warning: unknown key 'environment' in [services.db] (did you mean "
            "'env'?); it is ignored (--upstream: upstream clnrm ignores keys it does not know)");
  EXPECT_NE(lenient.spec->warnings[2].format().find(
                "t.clnrm.toml:11:1: warning: unknown key 'retry_on_failure' in [[steps]]"),
            std::string::npos)
      << all(lenient);
  // What --upstream does not relax: a wrong type stays an error.
  EXPECT_FALSE(
      parse_test_text(text + "expected_exit_code = \"0\"\n", "t.clnrm.toml", upstream).ok());
}

// Callers act on DiagnosticKind, never on the message text (`clnrm run`
// suggests --upstream only for unknown keys): every unknown key has the kind,
// as an error and under --upstream as a warning; other diagnostics do not.
TEST(ParserTest, UnknownKeysHaveTheirKind) {
  const std::string text = R"([test.metadata]
name = "x"
[[steps]]
name = "s"
comand = ["true"]
command = ["true"]
[assertions]
all_steps_should_pas = true
container_should_have_span = true
[otel]
exporter = "stdout"
)";
  auto kinds = [](const ParseResult& r) {
    std::vector<std::pair<std::string, DiagnosticKind>> out;
    for (const Diagnostic& d : r.diagnostics) out.emplace_back(d.format(), d.kind);
    return out;
  };
  const ParseResult strict = parse(text);
  ASSERT_EQ(strict.diagnostics.size(), 4u) << all(strict);
  for (const auto& [text_of, kind] : kinds(strict)) {
    const bool unknown_key = text_of.find("error: unknown key '") != std::string::npos;
    EXPECT_EQ(kind, unknown_key ? DiagnosticKind::UnknownKey : DiagnosticKind::Other) << text_of;
  }
  EXPECT_EQ(strict.diagnostics[0].kind, DiagnosticKind::UnknownKey);  // 'comand' in [[steps]]
  EXPECT_EQ(strict.diagnostics[1].kind, DiagnosticKind::UnknownKey);  // near miss in [assertions]

  ParseOptions upstream;
  upstream.upstream = true;
  const ParseResult lenient = parse_test_text(text, "t.clnrm.toml", upstream);
  ASSERT_TRUE(lenient.ok()) << all(lenient);
  std::size_t unknown = 0;
  for (const Diagnostic& d : lenient.diagnostics) {
    EXPECT_EQ(d.severity, Diagnostic::Severity::Warning) << d.format();
    unknown += d.kind == DiagnosticKind::UnknownKey;
  }
  EXPECT_EQ(unknown, 2u) << all(lenient);

  // A wrong type is no unknown key.
  const ParseResult wrong = parse(std::string(kMinimal) + "[policy]\nsecurity_level = 3\n");
  ASSERT_FALSE(wrong.diagnostics.empty());
  for (const Diagnostic& d : wrong.diagnostics) EXPECT_EQ(d.kind, DiagnosticKind::Other) << d.format();
}

TEST(ParserTest, MalformedTomlHasPosition) {
  const std::string e = only_error("[test.metadata]\nname = \"x\nfoo = 1\n");
  EXPECT_EQ(e.rfind("t.clnrm.toml:2:", 0), 0u) << e;
  EXPECT_NE(e.find("invalid TOML"), std::string::npos) << e;
}

TEST(ParserTest, WrongTypeNamesKeyAndTypes) {
  EXPECT_EQ(only_error(R"([test.metadata]
name = "x"
[[steps]]
name = "s"
command = ["true"]
continue_on_failure = "yes"
)"),
            "t.clnrm.toml:6:23: error: 'continue_on_failure' must be a boolean (true or false), "
            "not a string");
}

TEST(ParserTest, EmptyCommand) {
  EXPECT_EQ(only_error("[test.metadata]\nname = \"x\"\n[[steps]]\nname = \"s\"\ncommand = []\n"),
            "t.clnrm.toml:5:11: error: 'command' is empty (give the program and its arguments, "
            "e.g. [\"echo\", \"hi\"])");
}

TEST(ParserTest, BadRegexCarriesRe2Reason) {
  const std::string e = only_error(
      "[test.metadata]\nname = \"x\"\n[[steps]]\nname = \"s\"\ncommand = "
      "[\"true\"]\nexpected_output_regex = \"(a\"\n");
  EXPECT_EQ(e.rfind("t.clnrm.toml:6:25: error: 'expected_output_regex': invalid regular expression "
                    "\"(a\": missing )",
                    0),
            0u)
      << e;
}

// A parse that only checks (ParseOptions::keep_patterns = false, validate)
// compiles each regex, so a bad one is still an error, and keeps none.
TEST(ParserTest, PatternsAreKeptUnlessTheParseOnlyChecks) {
  const std::string text = std::string(kMinimal) +
                           "expected_output_regex = \"^h.$\"\nexpected_stderr_regex_not = \"oops\"\n";
  ParseResult kept = parse(text);
  ASSERT_TRUE(kept.ok()) << all(kept);
  const StepSpec& run = kept.spec->steps[0];
  ASSERT_TRUE(run.expected_output_regex && run.expected_output_regex->re);
  EXPECT_TRUE(run.expected_output_regex->search("hi"));
  ASSERT_TRUE(run.expected_stderr_regex_not && run.expected_stderr_regex_not->re);

  ParseOptions check;
  check.keep_patterns = false;
  ParseResult checked = parse_test_text(text, "t.clnrm.toml", check);
  ASSERT_TRUE(checked.ok()) << all(checked);
  const StepSpec& step = checked.spec->steps[0];
  ASSERT_TRUE(step.expected_output_regex && step.expected_stderr_regex_not);
  EXPECT_EQ(step.expected_output_regex->source, "^h.$");
  EXPECT_EQ(step.expected_output_regex->re, nullptr);
  EXPECT_EQ(step.expected_stderr_regex_not->re, nullptr);

  ParseResult bad = parse_test_text(std::string(kMinimal) + "expected_output_regex = \"(a\"\n",
                                    "t.clnrm.toml", check);
  ASSERT_EQ(bad.diagnostics.size(), 1u) << all(bad);
  EXPECT_EQ(bad.diagnostics[0].format().rfind("t.clnrm.toml:8:25: error: 'expected_output_regex': "
                                              "invalid regular expression \"(a\": missing )",
                                              0),
            0u)
      << all(bad);
}

TEST(ParserTest, DuplicateStepNames) {
  EXPECT_EQ(only_error(R"([test.metadata]
name = "x"
[[steps]]
name = "same"
command = ["true"]
[[steps]]
name = "same"
command = ["true"]
)"),
            "t.clnrm.toml:7:8: error: duplicate step name 'same' (first defined at line 3)");
}

// Names are unique per list: within [[steps]], within one scenario's steps;
// a scenario may reuse a name of [[steps]] or of another scenario.
TEST(ParserTest, DuplicateStepNamesAreCheckedPerList) {
  EXPECT_EQ(only_error(R"([test.metadata]
name = "x"
[[steps]]
name = "a"
command = ["true"]
[[scenario]]
name = "one"
steps = [{ name = "a", command = ["true"] }, { name = "b", command = ["true"] }]
[[scenario]]
name = "two"
steps = [
  { name = "b", command = ["true"] },
  { name = "b", command = ["true"] },
]
)"),
            "t.clnrm.toml:13:12: error: duplicate step name 'b' (first defined at line 12)");
}

TEST(ParserTest, StepNamingMissingService) {
  EXPECT_EQ(only_error(R"([test.metadata]
name = "x"
[services.db]
image = "redis"
[[steps]]
name = "s"
service = "bd"
command = ["true"]
)"),
            "t.clnrm.toml:7:11: error: service 'bd' does not exist (did you mean 'db'?)");
}

TEST(ParserTest, DependsOnCycle) {
  EXPECT_EQ(only_error(R"([test.metadata]
name = "x"
[services.a]
image = "i"
depends_on = ["b"]
[services.b]
image = "i"
depends_on = ["a"]
[[steps]]
name = "s"
command = ["true"]
)"),
            "t.clnrm.toml:8:14: error: depends_on cycle: a -> b -> a");
}

TEST(ParserTest, NegativeAndOverflowingDurations) {
  const std::string base =
      "[test.metadata]\nname = \"x\"\n[[steps]]\nname = \"s\"\ncommand = [\"true\"]\n";
  EXPECT_EQ(only_error(base + "timeout = \"-5s\"\n"),
            "t.clnrm.toml:6:11: error: 'timeout': negative duration \"-5s\"");
  EXPECT_EQ(only_error(base + "timeout = \"99999999999999999999h\"\n"),
            "t.clnrm.toml:6:11: error: 'timeout': duration \"99999999999999999999h\" is too long "
            "(more than 30 days)");
  EXPECT_EQ(only_error(base + "timeout = -5\n"),
            "t.clnrm.toml:6:11: error: 'timeout' must not be negative (got -5)");
  EXPECT_EQ(
      only_error(base + "timeout = 9223372036854775807\n"),
      "t.clnrm.toml:6:11: error: 'timeout' = 9223372036854775807 is too long (more than 30 days)");
}

TEST(ParserTest, ExitCodeAndPortRanges) {
  const std::string base =
      "[test.metadata]\nname = \"x\"\n[[steps]]\nname = \"s\"\ncommand = [\"true\"]\n";
  EXPECT_EQ(only_error(base + "expected_exit_code = 256\n"),
            "t.clnrm.toml:6:22: error: 'expected_exit_code' = 256 is out of range (0..255)");
  EXPECT_EQ(only_error(base + "[services.db]\nimage = \"i\"\nports = [70000]\n"),
            "t.clnrm.toml:8:10: error: 'ports' = 70000 is out of range (1..65535)");
}

TEST(ParserTest, CollectsAllErrorsInFileOrder) {
  ParseResult r = parse(R"([test.metadata]
name = "x"
[[steps]]
name = "a"
command = []
[[steps]]
name = "b"
command = ["true"]
expected_exit_code = -1
[policy]
security_level = "extreme"
)");
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.diagnostics.size(), 3u) << all(r);
  EXPECT_EQ(r.diagnostics[0].pos.line, 5u);
  EXPECT_EQ(r.diagnostics[1].pos.line, 9u);
  EXPECT_EQ(r.diagnostics[2].pos.line, 11u);
}

TEST(ParserTest, MissingNameAndNothingToRun) {
  ParseResult r = parse("[policy]\nsecurity_level = \"high\"\n");
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.diagnostics.size(), 2u) << all(r);
  EXPECT_NE(r.diagnostics[0].message.find("missing test name"), std::string::npos);
  EXPECT_NE(r.diagnostics[1].message.find("nothing to run"), std::string::npos);
}

TEST(ParserTest, FreezeClockMustBeRfc3339) {
  const std::string base = std::string(kMinimal) + "[determinism]\n";
  EXPECT_TRUE(parse(base + "freeze_clock = \"2024-02-29T23:59:60.5+05:30\"\n").ok());
  EXPECT_TRUE(parse(base + "freeze_clock = 2025-01-01T00:00:00Z\n").ok());
  EXPECT_EQ(only_error(base + "freeze_clock = \"2025-13-01T00:00:00Z\"\n"),
            "t.clnrm.toml:9:16: error: 'freeze_clock' = \"2025-13-01T00:00:00Z\" is not an RFC "
            "3339 timestamp: month "
            "out of range 01..12");
  EXPECT_FALSE(parse(base + "freeze_clock = \"2025-01-01 00:00\"\n").ok());
  EXPECT_FALSE(parse(base + "freeze_clock = \"2023-02-29T00:00:00Z\"\n").ok());
}

TEST(ParserTest, HttpWaitMustBeLoopback) {
  const std::string e =
      only_error(std::string(kMinimal) +
                 "[services.web]\nplugin = \"process\"\nargs = [\"x\"]\nwait_for = { http = "
                 "\"http://10.0.0.1/\" }\n");
  EXPECT_NE(e.find("loopback"), std::string::npos) << e;
}

TEST(ParserTest, PluginTypoAndUnknownPluginAreErrors) {
  EXPECT_EQ(only_error(std::string(kMinimal) +
                       "[services.db]\nplugin = \"generic_contaner\"\nimage = \"i\"\n"),
            "t.clnrm.toml:9:10: error: service 'db': unknown plugin 'generic_contaner' (did you "
            "mean 'generic_container'?)");
  EXPECT_EQ(only_error(std::string(kMinimal) +
                       "[services.db]\nplugin = \"my_custom_thing\"\nimage = \"i\"\n"),
            "t.clnrm.toml:9:10: error: service 'db': plugin 'my_custom_thing' does not exist: no "
            "service can be started with it (clnrm has process and generic_container; `clnrm "
            "plugins` lists them)");
}

TEST(ParserTest, UnreadableFileIsADiagnostic) {
  ParseResult r = parse_test_file("/nonexistent/dir/x.clnrm.toml");
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_NE(r.diagnostics[0].format().find("cannot read file"), std::string::npos);
}

}  // namespace
}  // namespace clnrm

namespace clnrm {
namespace {

TEST(ParserFileTest, NonRegularFilesAreDiagnosticsNotHangs) {
  for (const char* path : {"/dev/zero", "/tmp"}) {
    ParseResult r = parse_test_file(path);
    ASSERT_FALSE(r.ok()) << path;
    ASSERT_EQ(r.diagnostics.size(), 1u);
    EXPECT_EQ(r.diagnostics[0].format(),
              std::string(path) + ": error: cannot read file: not a regular file");
  }
}

TEST(ParserFileTest, ReadsAFile) {
  ParseResult r =
      parse_test_file(std::string(CLNRM_SOURCE_DIR) + "/tests/unit/data/valid/minimal.clnrm.toml");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.spec->name, "minimal");
  EXPECT_EQ(r.spec->file,
            std::string(CLNRM_SOURCE_DIR) + "/tests/unit/data/valid/minimal.clnrm.toml");
}

}  // namespace
}  // namespace clnrm

namespace clnrm {
namespace {

ParseResult corpus_file(const char* name) {
  return parse_test_file(std::string(CLNRM_SOURCE_DIR) + "/tests/unit/data/valid/" + name);
}

TEST(ParserSpellingTest, StepEnvSubTableBelongsToThePrecedingStep) {
  ParseResult r = corpus_file("upstream_v04_metadata.clnrm.toml");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.spec->steps.size(), 2u);
  EXPECT_EQ(r.spec->steps[0].env, (EnvList{{"PGCONNECT_TIMEOUT", "5"}}));
  EXPECT_TRUE(r.spec->steps[1].env.empty());
  EXPECT_TRUE(r.spec->steps[1].continue_on_failure);
  const ServiceSpec* db = r.spec->find_service("database");
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->env, (EnvList{{"POSTGRES_DB", "orders"}, {"POSTGRES_PASSWORD", "secret"}}));
  EXPECT_EQ(r.spec->services[0].name, "database");  // declaration order
  EXPECT_EQ(r.spec->assertions.container_should_have_executed_commands, 2);
}

TEST(ParserSpellingTest, UpstreamV06WithBareTemplateAndWarnings) {
  ParseResult r = corpus_file("upstream_v06_meta_scenarios.clnrm.toml");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.spec->name, "clnrm_otel_smoke");
  ASSERT_EQ(r.spec->scenarios.size(), 2u);
  EXPECT_EQ(r.spec->scenarios[0].steps[0].command[2], "echo 'Testing clnrm 0.6.0'");
  EXPECT_EQ(r.spec->scenarios[1].timeout, Duration(10'000));
  EXPECT_EQ(r.spec->report.digest, "reports/otel_smoke.sha256");
  ASSERT_EQ(r.spec->warnings.size(), 2u);  // [otel] and [expect], one warning each
  EXPECT_EQ(r.spec->warnings[0].pos.line, 13u);
  EXPECT_EQ(r.spec->warnings[1].pos.line, 39u);
}

TEST(ParserSpellingTest, InlineServicesTableAndTypeContainerAlias) {
  ParseResult r = corpus_file("upstream_test_table_inline_services.clnrm.toml");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.spec->name, "concurrent_demo");
  ASSERT_EQ(r.spec->services.size(), 1u);
  EXPECT_EQ(r.spec->services[0].plugin, "generic_container");
  EXPECT_TRUE(r.spec->steps[1].expected_output_regex->search("\xE2\x9C\x85 unicode is fine"));
}

TEST(ParserSpellingTest, ScenarioArrayOfTablesSteps) {
  ParseResult r = corpus_file("scenario_array_tables.clnrm.toml");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.spec->scenarios.size(), 2u);
  EXPECT_TRUE(r.spec->scenarios[0].concurrent);
  EXPECT_EQ(r.spec->scenarios[0].timeout, Duration(20'000));
  EXPECT_EQ(r.spec->scenarios[0].steps.size(), 2u);
  EXPECT_EQ(r.spec->scenarios[1].steps.size(), 1u);
}

TEST(ParserSpellingTest, ProcessServicesWaitsAndDependsOnString) {
  ParseResult r = corpus_file("process_services.clnrm.toml");
  ASSERT_TRUE(r.ok());
  const ServiceSpec* web = r.spec->find_service("web");
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->depends_on, (std::vector<std::string>{"replica"}));
  EXPECT_EQ(web->wait_for.interval, Duration(100));
  const ServiceSpec* checker = r.spec->find_service("checker");
  ASSERT_NE(checker, nullptr);
  EXPECT_EQ(checker->health_check->timeout, Duration(2'000));
  EXPECT_EQ(r.spec->timeout, Duration(30'000));
  EXPECT_FALSE(r.spec->uses_images());
}

TEST(ParserSpellingTest, MiscSpellings) {
  ParseResult r = parse_test_text(R"([test.metadata]
name = "misc"
timeout = 45
tags = "single"
[services.a]
plugin = "container"
image = "i"
health_check = { test = "pg_isready" }
wait_for = { exec = "test -f /ready", interval = 25 }
[[steps]]
name = "s"
command = ["true"]
timeout = 3
max_duration = 150
)",
                                  "m.clnrm.toml");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.spec->timeout, Duration(45'000));
  EXPECT_EQ(r.spec->tags, (std::vector<std::string>{"single"}));
  const ServiceSpec& a = r.spec->services[0];
  EXPECT_EQ(a.plugin, "container");
  EXPECT_EQ(a.health_check->cmd, (std::vector<std::string>{"sh", "-c", "pg_isready"}));
  EXPECT_EQ(a.wait_for.kind, WaitFor::Kind::Exec);  // explicit wait_for wins over health_check
  EXPECT_EQ(a.wait_for.exec, (std::vector<std::string>{"sh", "-c", "test -f /ready"}));
  EXPECT_EQ(a.wait_for.interval, Duration(25));
  EXPECT_EQ(r.spec->steps[0].timeout, Duration(3'000));
  EXPECT_EQ(r.spec->steps[0].max_duration, Duration(150));
}

// The test's default image (TestSpec::image): in [test], [test.metadata] or
// [meta]; a string, not empty, with its place kept for runtime errors.
TEST(ParserTest, TestImageIsReadFromEachMetadataSpelling) {
  for (const char* header : {"[test]", "[test.metadata]", "[meta]"}) {
    const std::string text = std::string(header) +
                             "\nname = \"t\"\nimage = \"clnrm-test/busybox\"\n[[steps]]\nname = \"s\"\ncommand = [\"true\"]\n";
    ParseResult r = parse(text);
    ASSERT_TRUE(r.ok()) << header << all(r);
    EXPECT_EQ(r.spec->image, "clnrm-test/busybox") << header;
    EXPECT_EQ(r.spec->image_pos.line, 3u) << header;
    EXPECT_EQ(r.spec->image_pos.column, 9u) << header;
    EXPECT_TRUE(r.spec->uses_images()) << header;
  }
  ParseResult none = parse("[test]\nname = \"t\"\n[[steps]]\nname = \"s\"\ncommand = [\"true\"]\n");
  ASSERT_TRUE(none.ok()) << all(none);
  EXPECT_EQ(none.spec->image, "");
  EXPECT_FALSE(none.spec->uses_images());
}

TEST(ParserTest, TestImageMustBeANonEmptyString) {
  ParseResult empty = parse("[test]\nname = \"t\"\nimage = \"\"\n[[steps]]\nname = \"s\"\ncommand = [\"true\"]\n");
  EXPECT_FALSE(empty.ok());
  EXPECT_NE(all(empty).find("t.clnrm.toml:3:9: error: the test's 'image' must not be empty"), std::string::npos)
      << all(empty);
  ParseResult number = parse("[meta]\nname = \"t\"\nimage = 3\n[[steps]]\nname = \"s\"\ncommand = [\"true\"]\n");
  EXPECT_FALSE(number.ok());
  EXPECT_NE(all(number).find("t.clnrm.toml:3:9: error:"), std::string::npos) << all(number);
  EXPECT_NE(all(number).find("image"), std::string::npos) << all(number);
}

}  // namespace
}  // namespace clnrm
