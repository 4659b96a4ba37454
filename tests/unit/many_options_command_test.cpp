// ManyOptionsCommand (src/cli/many_options_command.h) adds options without
// CLI11's duplicate-name scan, so this checks every command's names instead,
// and that the command parses and lists its options as a plain subcommand.
#include "cli/many_options_command.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace clnrm::cli {
namespace {

// "run --db" for each name used by two options of the same command.
void collect_shared_names(const CLI::App& command, const std::string& path, std::vector<std::string>& out) {
  std::map<std::string, int> uses;
  for (const CLI::Option* o : command.get_options()) {
    if (o->get_snames().empty() && o->get_lnames().empty()) ++uses[o->get_name()];  // positional
    for (const std::string& s : o->get_snames()) ++uses["-" + s];
    for (const std::string& l : o->get_lnames()) ++uses["--" + l];
  }
  for (const auto& [name, count] : uses)
    if (count > 1) out.push_back(path + " " + name);
  for (const CLI::App* sub : command.get_subcommands({}))
    collect_shared_names(*sub, path + " " + sub->get_name(), out);
}

std::vector<std::string> shared_names(const CLI::App& app) {
  std::vector<std::string> out;
  collect_shared_names(app, "clnrm", out);
  return out;
}

TEST(ManyOptionsCommand, NoTwoOptionsOfACommandShareAName) {
  CLI::App app{"clnrm", "clnrm"};
  CliContext ctx;
  for (auto add : {&add_version_command, &add_validate_command, &add_init_command, &add_plugins_command,
                   &add_history_command, &add_bench_command, &add_health_command, &add_cleanup_command,
                   &add_services_command, &add_image_command, &add_import_command, &add_run_command})
    add(app, ctx);
  ASSERT_NE(app.get_subcommand("run"), nullptr);
  EXPECT_GT(app.get_subcommand("run")->get_options().size(), 40u);
  EXPECT_EQ(shared_names(app), std::vector<std::string>{});
}

TEST(ManyOptionsCommand, TheCheckFindsANameAddedTwice) {
  CLI::App app{"clnrm", "clnrm"};
  auto* command = ManyOptionsCommand::add_to(app, "run", "runs");
  std::string a, b;
  command->add_option("--db", a, "one");
  command->add_option("-d,--db", b, "two");  // CLI11's own add_option would throw here
  EXPECT_EQ(shared_names(app), std::vector<std::string>{"clnrm run --db"});
}

TEST(ManyOptionsCommand, ParsesAndListsItsOptionsInTheOrderAdded) {
  CLI::App app{"clnrm", "clnrm"};
  auto* command = ManyOptionsCommand::add_to(app, "run", "runs");
  std::vector<std::string> paths;
  std::string db;
  int jobs = 0;
  bool quiet = false;
  command->add_option("paths", paths, "Test files");
  command->add_option("-j,--jobs", jobs, "Jobs");
  command->add_flag("-q,--quiet", quiet, "Quiet");
  command->add_option("--db", db, "Database");
  std::vector<std::string> listed;
  for (const CLI::Option* o : command->get_options()) listed.push_back(o->get_name());
  EXPECT_EQ(listed, (std::vector<std::string>{"--help", "paths", "--jobs", "--quiet", "--db"}));
  app.parse("run a.toml b.toml --db x.db -q -j 3", false);
  EXPECT_EQ(paths, (std::vector<std::string>{"a.toml", "b.toml"}));
  EXPECT_EQ(db, "x.db");
  EXPECT_EQ(jobs, 3);
  EXPECT_TRUE(quiet);
}

}  // namespace
}  // namespace clnrm::cli
