#include "cli/shell_completion.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace clnrm::cli {
namespace {

// A word in single quotes for bash, zsh and fish ('it'\''s'; fish reads \' inside).
std::string quoted(const std::string& text, bool fish = false) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'')
      out += fish ? "\\'" : "'\\''";
    else if (fish && c == '\\')
      out += "\\\\";
    else
      out += c;
  }
  return out + "'";
}

std::string space_separated(const std::vector<std::string>& words) { return fmt::format("{}", fmt::join(words, " ")); }

std::string subcommand_names(const CommandNode& node) {
  std::vector<std::string> names;
  for (const CommandNode& sub : node.subcommands) names.push_back(sub.path.back());
  return space_separated(names);
}

// The description's first sentence on one line, for a menu.
std::string short_description(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') c = ' ';
    out += c;
  }
  const std::size_t stop = out.find(". ");
  if (stop != std::string::npos) out.resize(stop);
  return out;
}

// The values of the first positional argument when CLI11 knows them
// (`clnrm completion bash|zsh|fish`).
const CommandOption* choice_positional(const CommandNode& node) {
  for (const CommandOption& p : node.positionals)
    if (p.completion == ValueCompletion::Choices) return &p;
  return nullptr;
}

const CommandOption* test_file_positional(const CommandNode& node) {
  for (const CommandOption& p : node.positionals)
    if (p.completion == ValueCompletion::TestFiles) return &p;
  return nullptr;
}

// The same walk in every shell: the words before the cursor decide the
// command (a word naming a subcommand of the command so far descends into
// it); the word after a flag that takes a value is that value, skipped.

}  // namespace

std::string bash_completion(const CommandNode& root) {
  std::string s = fmt::format(
      "# bash completion for {0}: `source <({0} completion bash)`, or save it as\n"
      "# ~/.local/share/bash-completion/completions/{0}. Written by `{0} completion bash`\n"
      "# from the command definitions.\n"
      "declare -gA _clnrm_subcommands=() _clnrm_flags=() _clnrm_value_flags=() "
      "_clnrm_choices=() _clnrm_files=() _clnrm_tests=() _clnrm_arg_choices=()\n",
      root.path.front());
  for (const CommandNode* node : all_commands(root)) {
    const std::string path = quoted(node->path_text());
    std::vector<std::string> flags, value_flags;
    for (const CommandOption& o : node->options) {
      for (const std::string& name : o.names) {
        flags.push_back(name);
        if (!o.takes_value()) continue;
        value_flags.push_back(name);
        const std::string key = quoted(node->path_text() + " " + name);
        if (o.completion == ValueCompletion::Choices)
          s += fmt::format("_clnrm_choices[{}]={}\n", key, quoted(space_separated(o.choices)));
        else if (o.completion == ValueCompletion::Files)
          s += fmt::format("_clnrm_files[{}]=1\n", key);
      }
    }
    if (!node->subcommands.empty())
      s += fmt::format("_clnrm_subcommands[{}]={}\n", path, quoted(subcommand_names(*node)));
    s += fmt::format("_clnrm_flags[{}]={}\n", path, quoted(space_separated(flags)));
    s += fmt::format("_clnrm_value_flags[{}]={}\n", path, quoted(" " + space_separated(value_flags) + " "));
    if (test_file_positional(*node)) s += fmt::format("_clnrm_tests[{}]=1\n", path);
    if (const CommandOption* p = choice_positional(*node))
      s += fmt::format("_clnrm_arg_choices[{}]={}\n", path, quoted(space_separated(p->choices)));
  }
  s += fmt::format(R"(
_clnrm() {{
  local cur=${{COMP_WORDS[COMP_CWORD]}} command={0} value_of="" i w
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=${{COMP_WORDS[i]}}
    [[ $w == = ]] && continue
    if [[ -n $value_of ]]; then value_of=""; continue; fi
    if [[ $w == -* ]]; then
      [[ ${{_clnrm_value_flags[$command]}} == *" $w "* ]] && value_of=$w
      continue
    fi
    [[ " ${{_clnrm_subcommands[$command]}} " == *" $w "* ]] && command="$command $w"
  done
  # --flag=value: COMP_WORDBREAKS splits it into --flag, =, value.
  if [[ $cur == = ]]; then cur=""; value_of=${{COMP_WORDS[COMP_CWORD-1]}}; fi
  if [[ ${{COMP_WORDS[COMP_CWORD-1]}} == = ]] && ((COMP_CWORD > 1)); then
    value_of=${{COMP_WORDS[COMP_CWORD-2]}}
  fi
  COMPREPLY=()
  if [[ -n $value_of ]]; then
    if [[ -n ${{_clnrm_choices["$command $value_of"]+set}} ]]; then
      COMPREPLY=($(compgen -W "${{_clnrm_choices["$command $value_of"]}}" -- "$cur"))
    elif [[ -n ${{_clnrm_files["$command $value_of"]+set}} ]]; then
      compopt -o filenames 2>/dev/null
      COMPREPLY=($(compgen -f -- "$cur"))
    fi
    return 0
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "${{_clnrm_flags[$command]}}" -- "$cur"))
  elif [[ -n ${{_clnrm_subcommands[$command]+set}} ]]; then
    COMPREPLY=($(compgen -W "${{_clnrm_subcommands[$command]}}" -- "$cur"))
  elif [[ -n ${{_clnrm_arg_choices[$command]+set}} ]]; then
    COMPREPLY=($(compgen -W "${{_clnrm_arg_choices[$command]}}" -- "$cur"))
  elif [[ -n ${{_clnrm_tests[$command]+set}} ]]; then
    compopt -o filenames 2>/dev/null
    COMPREPLY=($(compgen -d -- "$cur") $(compgen -f -X '!*.clnrm.toml' -- "$cur"))
  fi
  return 0
}}
complete -F _clnrm {0}
)",
                   root.path.front());
  return s;
}

std::string zsh_completion(const CommandNode& root) {
  const std::string& program = root.path.front();
  std::string s = fmt::format(
      "#compdef {0}\n"
      "# zsh completion for {0}: save as _{0} in a directory of $fpath, or\n"
      "# `source <({0} completion zsh)` after compinit. Written by `{0} completion zsh`\n"
      "# from the command definitions.\n"
      "typeset -gA _clnrm_subcommands _clnrm_flags _clnrm_value_flags _clnrm_choices "
      "_clnrm_files _clnrm_tests _clnrm_arg_choices\n",
      program);
  for (const CommandNode* node : all_commands(root)) {
    const std::string path = quoted(node->path_text());
    std::vector<std::string> flags, value_flags;
    for (const CommandOption& o : node->options) {
      for (const std::string& name : o.names) {
        // _describe's "name:description" entries (a colon in a name is escaped).
        flags.push_back(quoted(name + ":" + short_description(o.description)));
        if (!o.takes_value()) continue;
        value_flags.push_back(name);
        const std::string key = quoted(node->path_text() + " " + name);
        if (o.completion == ValueCompletion::Choices)
          s += fmt::format("_clnrm_choices+=({} {})\n", key, quoted(space_separated(o.choices)));
        else if (o.completion == ValueCompletion::Files)
          s += fmt::format("_clnrm_files+=({} 1)\n", key);
      }
    }
    if (!node->subcommands.empty()) {
      std::vector<std::string> subs;
      for (const CommandNode& sub : node->subcommands)
        subs.push_back(quoted(sub.path.back() + ":" + short_description(sub.description)));
      s += fmt::format("_clnrm_subcommands+=({} {})\n", path, quoted(space_separated(subs)));
    }
    s += fmt::format("_clnrm_flags+=({} {})\n", path, quoted(space_separated(flags)));
    s += fmt::format("_clnrm_value_flags+=({} {})\n", path, quoted(" " + space_separated(value_flags) + " "));
    if (test_file_positional(*node)) s += fmt::format("_clnrm_tests+=({} 1)\n", path);
    if (const CommandOption* p = choice_positional(*node))
      s += fmt::format("_clnrm_arg_choices+=({} {})\n", path, quoted(space_separated(p->choices)));
  }
  s += fmt::format(R"(
_clnrm() {{
  local command={0} value_of="" i w cur=${{words[CURRENT]}}
  local -a entries names
  for ((i = 2; i < CURRENT; i++)); do
    w=${{words[i]}}
    if [[ -n $value_of ]]; then value_of=""; continue; fi
    if [[ $w == -* ]]; then
      [[ $w != *=* && ${{_clnrm_value_flags[$command]}} == *" $w "* ]] && value_of=$w
      continue
    fi
    entries=(${{(Q)${{(z)_clnrm_subcommands[$command]}}}})
    names=(${{entries%%:*}})
    (( ${{names[(Ie)$w]}} )) && command="$command $w"
  done
  if [[ -z $value_of && $cur == -*=* ]]; then
    value_of=${{cur%%=*}}
    compset -P '*='
  fi
  if [[ -n $value_of ]]; then
    if (( ${{+_clnrm_choices[$command $value_of]}} )); then
      compadd -- ${{=_clnrm_choices[$command $value_of]}}
    elif (( ${{+_clnrm_files[$command $value_of]}} )); then
      _files
    fi
    return
  fi
  if [[ $cur == -* ]]; then
    entries=(${{(Q)${{(z)_clnrm_flags[$command]}}}})
    _describe -t options option entries
  elif (( ${{+_clnrm_subcommands[$command]}} )); then
    entries=(${{(Q)${{(z)_clnrm_subcommands[$command]}}}})
    _describe -t commands command entries
  elif (( ${{+_clnrm_arg_choices[$command]}} )); then
    compadd -- ${{=_clnrm_arg_choices[$command]}}
  elif (( ${{+_clnrm_tests[$command]}} )); then
    _files -g '*.clnrm.toml(-.)'
  fi
}}
if [[ $funcstack[1] == _{0} ]]; then _clnrm "$@"; else compdef _clnrm {0}; fi
)",
                   program);
  return s;
}

std::string fish_completion(const CommandNode& root) {
  const std::string& program = root.path.front();
  std::string s = fmt::format(
      "# fish completion for {0}: `{0} completion fish | source`, or save it as\n"
      "# ~/.config/fish/completions/{0}.fish. Written by `{0} completion fish` from the\n"
      "# command definitions.\n",
      program);
  std::vector<std::string> commands, value_flags;
  for (const CommandNode* node : all_commands(root)) {
    commands.push_back(quoted(node->path_text(), true));
    for (const CommandOption& o : node->options)
      if (o.takes_value())
        for (const std::string& name : o.names)
          value_flags.push_back(quoted(node->path_text() + " " + name, true));
  }
  s += "set -g __clnrm_commands " + space_separated(commands) + "\n";
  s += "set -g __clnrm_value_flags " + space_separated(value_flags) + "\n";
  s += fmt::format(R"(
# The command the words before the cursor name: "{0}", "{0} history", ...
function __clnrm_command
    set -l path {0}
    set -l value_of 0
    for w in (commandline -opc)[2..-1]
        if test $value_of = 1
            set value_of 0
            continue
        end
        if string match -q -- '-*' $w
            if contains -- "$path $w" $__clnrm_value_flags
                set value_of 1
            end
            continue
        end
        if contains -- "$path $w" $__clnrm_commands
            set path "$path $w"
        end
    end
    echo $path
end

complete -c {0} -f
)",
                   program);
  for (const CommandNode* node : all_commands(root)) {
    const std::string when =
        quoted(fmt::format("test (__clnrm_command) = \"{}\"", node->path_text()), true);
    for (const CommandNode& sub : node->subcommands)
      s += fmt::format("complete -c {} -n {} -a {} -d {}\n", program, when,
                       quoted(sub.path.back(), true),
                       quoted(short_description(sub.description), true));
    for (const CommandOption& o : node->options) {
      std::string line = fmt::format("complete -c {} -n {}", program, when);
      for (const std::string& name : o.names) {
        if (name.rfind("--", 0) == 0)
          line += " -l " + quoted(name.substr(2), true);
        else if (name.size() == 2)
          line += " -s " + quoted(name.substr(1), true);
        else
          line += " -o " + quoted(name.substr(1), true);
      }
      if (o.completion == ValueCompletion::Choices)
        line += " -x -a " + quoted(space_separated(o.choices), true);
      else if (o.completion == ValueCompletion::Files)
        line += " -r -F";
      else if (o.takes_value())
        line += " -x";
      line += " -d " + quoted(short_description(o.description), true);
      s += line + "\n";
    }
    if (const CommandOption* p = choice_positional(*node))
      s += fmt::format("complete -c {} -n {} -a {} -d {}\n", program, when,
                       quoted(space_separated(p->choices), true),
                       quoted(short_description(p->description), true));
    if (test_file_positional(*node))
      s += fmt::format("complete -c {} -n {} -a {}\n", program, when,
                       quoted("(__fish_complete_suffix .clnrm.toml)", true));
  }
  return s;
}

}  // namespace clnrm::cli
