// Each compose service key's translation, and each "not translated" note
// with its line (src/compose/service_keys.cpp, through import_compose).
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include "support/compose_fixture.h"

namespace clnrm {
namespace {

using clnrm::testing::ComposeFixture;
using Strings = std::vector<std::string>;

Strings strings(const toml::node_view<const toml::node>& v) {
  Strings out;
  if (const toml::array* a = v.as_array())
    for (const toml::node& n : *a) out.push_back(n.value_or(std::string("<not a string>")));
  return out;
}

struct Imported {
  ComposeImport result;
  toml::table toml;
};

Imported run(std::string_view yaml, Strings services = {}) {
  ComposeFixture f;
  Imported i{f.import(yaml, std::move(services)), {}};
  i.toml = toml::parse(i.result.toml);
  return i;
}

TEST(ComposeServiceKeys, ImageAndCommandInBothForms) {
  const Imported i = run(
      "services:\n"
      "  a:\n    image: redis:7\n    command: redis-server --save \"\" --port 6379\n"
      "  b:\n    image: busybox\n    command: [\"sh\", \"-c\", \"echo $$HOME\"]\n");
  const auto& s = i.toml["services"];
  EXPECT_EQ(s["a"]["image"].value_or(std::string()), "redis:7");
  EXPECT_EQ(strings(s["a"]["args"]), (Strings{"redis-server", "--save", "", "--port", "6379"}));
  EXPECT_EQ(strings(s["b"]["args"]), (Strings{"sh", "-c", "echo $HOME"}));
  EXPECT_TRUE(i.result.not_translated.empty());
}

TEST(ComposeServiceKeys, EntrypointBecomesArgsWithItsCommandAndIsNoted) {
  const Imported i = run("services:\n  a:\n    image: x\n    entrypoint: /bin/tini --\n    command: [\"run\"]\n");
  EXPECT_EQ(strings(i.toml["services"]["a"]["args"]), (Strings{"/bin/tini", "--", "run"}));
  EXPECT_TRUE(ComposeFixture::noted(i.result, 4, "a", "entrypoint", "written as args = entrypoint + command"))
      << i.result.toml;
}

TEST(ComposeServiceKeys, EnvironmentInBothFormsAndAVariableWithoutValueIsNoted) {
  const Imported i = run(
      "services:\n"
      "  a:\n    image: x\n    environment:\n      A: 1\n      B: \"two words\"\n      C:\n"
      "  b:\n    image: x\n    environment:\n      - D=4=four\n      - E\n");
  const auto& s = i.toml["services"];
  EXPECT_EQ(s["a"]["env"]["A"].value_or(std::string()), "1");
  EXPECT_EQ(s["a"]["env"]["B"].value_or(std::string()), "two words");
  EXPECT_FALSE(s["a"]["env"]["C"]);
  EXPECT_EQ(s["b"]["env"]["D"].value_or(std::string()), "4=four");
  EXPECT_FALSE(s["b"]["env"]["E"]);
  EXPECT_TRUE(ComposeFixture::noted(i.result, 7, "a", "environment", "'C' has no value: compose takes it from the host environment"));
  EXPECT_TRUE(ComposeFixture::noted(i.result, 12, "b", "environment", "'E' has no value"));
}

TEST(ComposeServiceKeys, VariablesBecomeVarsWithTheirDefaults) {
  const Imported i = run(
      "services:\n  a:\n    image: \"redis:${TAG:-7}\"\n    environment:\n      PW: ${DB_PASSWORD}\n"
      "      MODE: ${MODE-test}\n");
  EXPECT_EQ(i.toml["services"]["a"]["image"].value_or(std::string()), "redis:{{ vars.TAG }}");
  EXPECT_EQ(i.toml["services"]["a"]["env"]["PW"].value_or(std::string()), "{{ vars.DB_PASSWORD }}");
  EXPECT_EQ(i.toml["vars"]["TAG"].value_or(std::string()), "7");
  EXPECT_EQ(i.toml["vars"]["MODE"].value_or(std::string()), "test");
  EXPECT_EQ(i.toml["vars"]["DB_PASSWORD"].value_or(std::string("?")), "");
  EXPECT_TRUE(ComposeFixture::noted(i.result, 5, "a", "environment",
                                    "${DB_PASSWORD} has no default, and import does not read the host environment"));
}

TEST(ComposeServiceKeys, HealthcheckBecomesWaitForExecWithItsTimeout) {
  const Imported i = run(
      "services:\n"
      "  a:\n    image: x\n    healthcheck:\n      test: [\"CMD\", \"redis-cli\", \"ping\"]\n"
      "      interval: 2s\n      timeout: 1s\n      retries: 4\n      start_period: 5s\n"
      "  b:\n    image: x\n    healthcheck:\n      test: [\"CMD-SHELL\", \"pg_isready || exit 1\"]\n"
      "  c:\n    image: x\n    healthcheck:\n      test: curl -f http://127.0.0.1/\n      start_interval: 1s\n"
      "  d:\n    image: x\n    healthcheck:\n      disable: true\n"
      "  e:\n    image: x\n    healthcheck:\n      test: [\"NONE\"]\n");
  const auto& s = i.toml["services"];
  EXPECT_EQ(strings(s["a"]["wait_for"]["exec"]), (Strings{"redis-cli", "ping"}));
  EXPECT_EQ(s["a"]["wait_for"]["timeout"].value_or(std::string()), "17s");  // 5 + 4 x (2 + 1)
  EXPECT_EQ(s["b"]["wait_for"]["exec"].value_or(std::string()), "pg_isready || exit 1");
  EXPECT_EQ(s["b"]["wait_for"]["timeout"].value_or(std::string()), "180s");  // compose's defaults
  EXPECT_EQ(s["c"]["wait_for"]["exec"].value_or(std::string()), "curl -f http://127.0.0.1/");
  EXPECT_TRUE(ComposeFixture::noted(i.result, 18, "c", "healthcheck", "start_interval: clnrm's wait has no equivalent"));
  EXPECT_FALSE(s["d"]["wait_for"]);
  EXPECT_FALSE(s["e"]["wait_for"]);
}

TEST(ComposeServiceKeys, ABadHealthcheckIsNotedNotGuessed) {
  const Imported i = run("services:\n  a:\n    image: x\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n"
                         "      interval: soon\n"
                         "  b:\n    image: x\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n      retries: 3x\n");
  EXPECT_FALSE(i.toml["services"]["a"]["wait_for"]);
  EXPECT_TRUE(ComposeFixture::noted(i.result, 6, "a", "healthcheck", "interval 'soon'"));
  EXPECT_FALSE(i.toml["services"]["b"]["wait_for"]);
  EXPECT_TRUE(ComposeFixture::noted(i.result, 11, "b", "healthcheck", "retries: expected an integer"));
}

TEST(ComposeServiceKeys, DependsOnInBothForms) {
  const Imported i = run(
      "services:\n"
      "  db:\n    image: x\n"
      "  cache:\n    image: x\n"
      "  job:\n    image: x\n"
      "  api:\n    image: x\n    depends_on: [db, cache]\n"
      "  web:\n    image: x\n    depends_on:\n      api:\n        condition: service_healthy\n"
      "      job:\n        condition: service_completed_successfully\n      ghost:\n        condition: service_started\n");
  const auto& s = i.toml["services"];
  EXPECT_EQ(strings(s["api"]["depends_on"]), (Strings{"db", "cache"}));
  EXPECT_EQ(strings(s["web"]["depends_on"]), (Strings{"api"}));
  EXPECT_TRUE(ComposeFixture::noted(i.result, 17, "web", "depends_on", "condition service_completed_successfully"));
  EXPECT_TRUE(ComposeFixture::noted(i.result, 18, "web", "depends_on", "'ghost' is not a service of this file"));
}

TEST(ComposeServiceKeys, PortsAndExposeAreTheContainerSide) {
  const Imported i = run(
      "services:\n  a:\n    image: x\n    ports:\n      - 80\n      - \"8443:443\"\n      - \"127.0.0.1:9000-9001:9000-9001\"\n"
      "      - \"53:53/udp\"\n      - target: 6379\n        published: \"16379\"\n    expose: [\"5000\"]\n");
  const auto& a = i.toml["services"]["a"];
  std::vector<int> ports;
  for (const toml::node& n : *a["ports"].as_array()) ports.push_back(static_cast<int>(n.value_or(0)));
  EXPECT_EQ(ports, (std::vector<int>{80, 443, 9000, 9001, 6379, 5000}));
  EXPECT_TRUE(ComposeFixture::noted(i.result, 6, "a", "ports", "steps reach the service at 127.0.0.1:443"));
  EXPECT_TRUE(ComposeFixture::noted(i.result, 8, "a", "ports", "clnrm's ports are TCP ports"));
  EXPECT_TRUE(ComposeFixture::noted(i.result, 9, "a", "ports", "127.0.0.1:6379"));
}

TEST(ComposeServiceKeys, WorkingDirUserAndOtherKeys) {
  const Imported i = run(
      "services:\n  a:\n    image: x\n    working_dir: /srv\n    user: \"1000\"\n    restart: always\n"
      "    privileged: true\n    x-note: ignored\n    stdin_open: true\n");
  EXPECT_EQ(i.toml["services"]["a"]["workdir"].value_or(std::string()), "/srv");
  EXPECT_TRUE(ComposeFixture::noted(i.result, 5, "a", "user", "run as their image's User"));
  EXPECT_TRUE(ComposeFixture::noted(i.result, 6, "a", "restart", "started once per test"));
  EXPECT_TRUE(ComposeFixture::noted(i.result, 7, "a", "privileged", "security level"));
  EXPECT_TRUE(ComposeFixture::noted(i.result, 9, "a", "stdin_open", "clnrm has no equivalent"));
  EXPECT_EQ(i.result.not_translated.size(), 4u);  // x-note is an extension field
}

TEST(ComposeServiceKeys, BuildWithoutImageSkipsTheServiceAndItsDependents) {
  const Imported i = run("services:\n  app:\n    build: .\n  db:\n    image: x\n    depends_on: [app]\n");
  EXPECT_FALSE(i.toml["services"]["app"]);
  EXPECT_TRUE(i.toml["services"]["db"]);
  EXPECT_FALSE(i.toml["services"]["db"]["depends_on"]);
  EXPECT_TRUE(ComposeFixture::noted(i.result, 3, "app", "build", "the service is not written"));
  EXPECT_TRUE(ComposeFixture::noted(i.result, 4, "db", "depends_on", "'app' is not written"));
}

TEST(ComposeServiceKeys, AnUnsplittableCommandIsNoted) {
  const Imported i = run("services:\n  a:\n    image: x\n    command: echo 'oops\n");
  EXPECT_FALSE(i.toml["services"]["a"]["args"]);
  EXPECT_TRUE(ComposeFixture::noted(i.result, 4, "a", "command", "the command has an unterminated single quote"));
}

}  // namespace
}  // namespace clnrm
