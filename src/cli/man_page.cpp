#include "cli/man_page.h"

#include <fmt/format.h>

#include <cctype>

namespace clnrm::cli {
namespace {

// Text for troff: backslashes escaped, hyphens in words kept as hyphens,
// a line never starting with a control character ('.' or '\'').
std::string text(const std::string& in) {
  std::string out;
  bool line_start = true;
  for (char c : in) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    line_start = c == '\n';
    if (c == '\\')
      out += "\\e";
    else if (c == '-')
      out += "\\-";
    else
      out += c;
  }
  return out;
}

std::string bold(const std::string& s) { return "\\fB" + text(s) + "\\fR"; }
std::string italic(const std::string& s) { return "\\fI" + text(s) + "\\fR"; }

std::string option_heading(const CommandOption& o) {
  std::string h;
  for (const std::string& name : o.names) h += (h.empty() ? "" : ", ") + bold(name);
  if (o.completion == ValueCompletion::Choices) {
    std::string values;
    for (const std::string& v : o.choices) values += (values.empty() ? "" : "|") + v;
    h += " " + italic(values);
  } else if (o.takes_value()) {
    h += " " + italic(o.value_name);
  }
  return h;
}

std::string synopsis(const CommandNode& node) {
  std::string s = bold(node.path_text());
  if (!node.subcommands.empty()) s += " " + italic("COMMAND");
  if (!node.options.empty()) s += " [" + italic("OPTIONS") + "]";
  for (const CommandOption& p : node.positionals) s += " [" + italic(p.names.front()) + "...]";
  return s;
}

void write_command(std::string& out, const CommandNode& node) {
  out += ".SS \"" + text(node.path_text()) + "\"\n";
  out += synopsis(node) + "\n.br\n";
  out += text(node.description) + "\n";
  for (const CommandOption& p : node.positionals)
    out += ".TP\n" + italic(p.names.front()) + "\n" + text(p.description) + "\n";
  for (const CommandOption& o : node.options) {
    if (o.names.front() == "-h" || o.names.front() == "--help") continue;  // every command has it
    out += ".TP\n" + option_heading(o) + "\n" + text(o.description) + "\n";
  }
  if (!node.subcommands.empty()) {
    std::string subs;
    for (const CommandNode& sub : node.subcommands)
      subs += (subs.empty() ? "" : ", ") + bold(sub.path.back());
    out += ".PP\nCommands: " + subs + ".\n";
  }
}

}  // namespace

std::string man_page(const CommandNode& root, const std::string& version) {
  const std::string& program = root.path.front();
  std::string upper;
  for (char c : program) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string out = fmt::format(".\\\" Written by `{} man` from the command definitions.\n",
                                text(program));
  out += fmt::format(".TH {} 1 \"\" \"{}\" \"User Commands\"\n", upper, text(program + " " + version));
  out += ".SH NAME\n" + text(program) + " \\- " + text(root.description) + "\n";
  out += ".SH SYNOPSIS\n" + synopsis(root) + "\n";
  out += ".SH DESCRIPTION\n" + text(root.description) + ".\n";
  out += ".PP\nEvery command takes " + bold("-h") + ", " + bold("--help") +
         " (its options).\n";
  for (const CommandOption& o : root.options)
    if (o.names.front() != "-h" && o.names.front() != "--help")
      out += ".TP\n" + option_heading(o) + "\n" + text(o.description) + "\n";
  out += ".SH COMMANDS\n";
  for (const CommandNode* node : all_commands(root))
    if (node != &root) write_command(out, *node);
  out += ".SH EXIT STATUS\n"
         "0 all passed, 1 a test or check failed, 2 a usage or configuration error "
         "(also an invalid test file), 130 interrupted.\n";
  out += ".SH SEE ALSO\nThe documents in the " + bold("docs/") +
         " directory of the clnrm sources: running\\-tests.md, test\\-file\\-reference.md, "
         "editor\\-support.md.\n";
  return out;
}

}  // namespace clnrm::cli
