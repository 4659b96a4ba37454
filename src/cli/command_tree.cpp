#include "cli/command_tree.h"

#include <re2/re2.h>

namespace clnrm::cli {
namespace {

// CLI::IsMember describes itself as "{a,b,c}" (CLI/Validators.hpp,
// generate_set), which CLI11 appends to the option's type name
// ("TEXT:{a,b,c}", Option::get_type_name): the values CLI11 knows it takes.
std::vector<std::string> choices_of(const CLI::Option& option) {
  std::string inside;
  if (!RE2::PartialMatch(option.get_type_name(), R"(:\{([^{}]*)\})", &inside)) return {};
  std::vector<std::string> values;
  re2::StringPiece rest(inside);
  std::string value;
  while (RE2::FindAndConsume(&rest, "([^,]+)", &value)) values.push_back(value);
  return values;
}

// A free-text value is a path when its description says it names one
// ("... to FILE", "History database", "Test files or directories").
bool names_a_path(const std::string& description) {
  static const RE2 path_words(R"(\b(FILE|DIR|[Ff]iles?|[Dd]irector(y|ies)|database|snapshot)\b)");
  return RE2::PartialMatch(description, path_words);
}

CommandOption option_of(const CLI::Option& o) {
  CommandOption c;
  c.positional = o.get_positional() && o.get_lnames().empty() && o.get_snames().empty();
  if (c.positional) {
    c.names.push_back(o.get_name());
  } else {
    for (const std::string& s : o.get_snames()) c.names.push_back("-" + s);
    for (const std::string& l : o.get_lnames()) c.names.push_back("--" + l);
  }
  c.description = o.get_description();
  if (o.get_expected_max() > 0 && o.get_type_size_max() > 0) {  // a flag expects 0
    c.value_name = o.get_type_name();
    const std::size_t colon = c.value_name.find(':');  // "TEXT:{a,b}": the type alone
    if (colon != std::string::npos) c.value_name.resize(colon);
    if (c.value_name.empty()) c.value_name = "VALUE";
    c.choices = choices_of(o);
    if (!c.choices.empty())
      c.completion = ValueCompletion::Choices;
    else if (c.positional && c.names.front() == "paths")
      c.completion = ValueCompletion::TestFiles;  // run, validate: test files or directories
    else if (c.value_name == "TEXT" && names_a_path(c.description))
      c.completion = ValueCompletion::Files;
  }
  return c;
}

CommandNode node_of(const CLI::App& app, std::vector<std::string> path) {
  CommandNode node;
  node.path = std::move(path);
  node.description = app.get_description();
  for (const CLI::Option* o : app.get_options()) {
    if (o->get_group().empty()) continue;  // hidden
    CommandOption c = option_of(*o);
    (c.positional ? node.positionals : node.options).push_back(std::move(c));
  }
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_group().empty()) continue;  // hidden
    std::vector<std::string> sub_path = node.path;
    sub_path.push_back(sub->get_name());
    node.subcommands.push_back(node_of(*sub, std::move(sub_path)));
  }
  return node;
}

void collect(const CommandNode& node, std::vector<const CommandNode*>& out) {
  out.push_back(&node);
  for (const CommandNode& sub : node.subcommands) collect(sub, out);
}

}  // namespace

std::string CommandNode::path_text(char sep) const {
  std::string text;
  for (const std::string& word : path) {
    if (!text.empty()) text += sep;
    text += word;
  }
  return text;
}

CommandNode command_tree(const CLI::App& app) { return node_of(app, {app.get_name()}); }

std::vector<const CommandNode*> all_commands(const CommandNode& root) {
  std::vector<const CommandNode*> out;
  collect(root, out);
  return out;
}

}  // namespace clnrm::cli
