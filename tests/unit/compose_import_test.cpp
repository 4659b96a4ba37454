// A compose file -> a test file that parses: header, [vars], --service,
// top-level keys, and the errors (src/compose/compose_import.cpp).
#include <clnrm/compose.h>
#include <clnrm/error.h>
#include <clnrm/parser.h>
#include <gtest/gtest.h>

#include "support/compose_fixture.h"

namespace clnrm {
namespace {

using clnrm::testing::ComposeFixture;

std::string error_of(std::string_view yaml, std::vector<std::string> services = {}) {
  ComposeFixture f;
  try {
    f.import(yaml, std::move(services));
  } catch (const Error& e) {
    return std::string(to_string(e.kind())) + ": " + e.what();
  }
  return "no error";
}

TEST(ComposeImport, TheResultParsesAndHasAHeaderAndAPlaceholderStep) {
  ComposeFixture f;
  const ComposeImport r = f.import("name: Shop\nservices:\n  db:\n    image: postgres:16\n    restart: always\n");
  EXPECT_EQ(r.toml.rfind("# Imported from ", 0), 0u) << r.toml;
  EXPECT_NE(r.toml.find("docker-compose.yml by `clnrm import compose`"), std::string::npos);
  EXPECT_NE(r.toml.find("#   " + r.not_translated.at(0).format()), std::string::npos) << r.toml;
  EXPECT_NE(r.toml.find("name = \"shop\""), std::string::npos);
  EXPECT_NE(r.toml.find("[[steps]]\nname = \"services_up\"\ncommand = [\"true\"]"), std::string::npos);
  const ParseResult p = parse_test_text(r.toml, f.dir.file("app.clnrm.toml"));
  EXPECT_TRUE(p.ok());
  EXPECT_TRUE(p.diagnostics.empty());
  EXPECT_EQ(r.services, (std::vector<std::string>{"db"}));
}

TEST(ComposeImport, NotesAreFormattedWithFileAndLineAndSorted) {
  ComposeFixture f;
  const ComposeImport r = f.import(
      "services:\n  b:\n    image: x\n    networks: [n]\n  a:\n    image: x\n    secrets: [s]\n"
      "networks:\n  n:\nsecrets:\n  s:\n    file: ./s.txt\n");
  ASSERT_EQ(r.not_translated.size(), 4u);
  EXPECT_EQ(ComposeFixture::notes(r)[0],
            "4: service 'b': key 'networks' not translated: every service of a cleanroom shares one loopback-only "
            "network: services reach each other at 127.0.0.1");
  EXPECT_EQ(ComposeFixture::notes(r)[1],
            "7: service 'a': key 'secrets' not translated: clnrm does not hand host secrets to a cleanroom");
  EXPECT_EQ(ComposeFixture::notes(r)[2],
            "8: key 'networks' not translated: every service of a cleanroom shares one loopback-only network");
  EXPECT_EQ(r.not_translated[3].line, 10);
  EXPECT_EQ(r.not_translated[0].format().rfind(f.dir.file("docker-compose.yml") + ":4: ", 0), 0u);
}

TEST(ComposeImport, ServiceSelectionTakesDependencies) {
  ComposeFixture f;
  const std::string yaml =
      "services:\n  db:\n    image: x\n  api:\n    image: x\n    depends_on: [db]\n  web:\n    image: x\n"
      "  other:\n    image: x\n";
  EXPECT_EQ(f.import(yaml, {"api"}).services, (std::vector<std::string>{"db", "api"}));
  EXPECT_EQ(f.import(yaml, {"web", "other"}).services, (std::vector<std::string>{"web", "other"}));
  EXPECT_EQ(error_of(yaml, {"nope"}).rfind("usage: no service 'nope' in ", 0), 0u) << error_of(yaml, {"nope"});
  EXPECT_NE(error_of(yaml, {"nope"}).find("(it has: db, api, web, other)"), std::string::npos);
}

TEST(ComposeImport, WhatIsNotAComposeFileIsAnError) {
  EXPECT_NE(error_of("- a\n- b\n").find("not a compose file: the top level is not a mapping"), std::string::npos);
  EXPECT_NE(error_of("version: '3'\n").find("no `services` mapping"), std::string::npos);
  EXPECT_NE(error_of("services:\n  a:\n    build: .\n").find("no service could be translated"), std::string::npos);
  EXPECT_NE(error_of("services: [\n").find("YAML:"), std::string::npos);
}

TEST(ComposeImport, ATranslationThatDoesNotParseIsAnErrorNotAFile) {
  const std::string e =
      error_of("services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on: [a]\n");
  EXPECT_NE(e.find("the translation is not a valid test file"), std::string::npos) << e;
  EXPECT_NE(e.find("cycle"), std::string::npos) << e;
}

TEST(ComposeImport, NamesAndValuesWithControlCharactersStayInsideTheirStrings) {
  ComposeFixture f;
  const ComposeImport r = f.import("services:\n  \"we\\nb\":\n    image: \"x\\n[[steps]]\"\n    bogus: 1\n");
  const ParseResult p = parse_test_text(r.toml, f.dir.file("app.clnrm.toml"));
  ASSERT_TRUE(p.ok()) << r.toml;
  ASSERT_EQ(p.spec->services.size(), 1u);
  EXPECT_EQ(p.spec->services[0].name, "we\nb");
  EXPECT_EQ(p.spec->services[0].image, "x\n[[steps]]");
  EXPECT_EQ(p.spec->steps.size(), 1u);
  EXPECT_NE(r.toml.find("service 'we\\nb'"), std::string::npos) << r.toml;  // escaped in the header comment
}

TEST(ComposeImport, TheFileIsReadWithASizeLimit) {
  ComposeFixture f;
  ComposeImportOptions o;
  o.file = f.dir.write("big.yml", std::string((4u << 20) + 1, '#'));
  try {
    import_compose_file(o);
    ADD_FAILURE() << "a 4 MiB + 1 file was read";
  } catch (const Error& e) {
    EXPECT_NE(e.describe().find("the limit for a compose file is 4194304 bytes"), std::string::npos) << e.describe();
  }
  o.file = "/dev/zero";
  EXPECT_THROW(import_compose_file(o), Error);
}

}  // namespace
}  // namespace clnrm
