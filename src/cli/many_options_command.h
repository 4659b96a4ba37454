#pragma once
// A CLI11 subcommand with many options, added without CLI11's duplicate-name
// scan. CLI::App::add_option compares every new option's names with those of
// each option already added, copying both name lists per comparison:
// quadratic in the options, and for `run`'s 50 it was 0.43 M of the 1.67 M
// instructions of `clnrm run --backend null --no-history one.clnrm.toml`
// (callgrind; issue 17). add_option and add_flag here add
// each option with the others set aside, so there is nothing to compare;
// tests/unit/many_options_command_test.cpp checks instead that no two options
// of a command share a name. Everything else is CLI11's own: the options,
// their parsing and --help are the same.

#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace clnrm::cli {

class ManyOptionsCommand : public CLI::App {
 public:
  // A subcommand of `parent`, as parent.add_subcommand(name, description)
  // makes it (help flag and settings inherited).
  static ManyOptionsCommand* add_to(CLI::App& parent, std::string name, std::string description) {
    auto* command = new ManyOptionsCommand(std::move(description), std::move(name), &parent);
    parent.add_subcommand(std::shared_ptr<CLI::App>(command));
    return command;
  }

  template <typename... Args>
  CLI::Option* add_option(Args&&... args) {
    SetAside aside(options_);
    return CLI::App::add_option(std::forward<Args>(args)...);
  }
  template <typename... Args>
  CLI::Option* add_flag(Args&&... args) {
    SetAside aside(options_);
    return CLI::App::add_flag(std::forward<Args>(args)...);
  }

 private:
  ManyOptionsCommand(std::string description, std::string name, CLI::App* parent)
      : CLI::App(std::move(description), std::move(name), parent) {}

  // Moves the options out while one is added, then puts them back in front
  // of it, in their order (--help lists them in it).
  class SetAside {
   public:
    explicit SetAside(std::vector<CLI::Option_p>& options) : options_(options) {
      kept_.swap(options_);
    }
    ~SetAside() {
      for (CLI::Option_p& added : options_) kept_.push_back(std::move(added));
      options_.swap(kept_);
    }
    SetAside(const SetAside&) = delete;
    SetAside& operator=(const SetAside&) = delete;

   private:
    std::vector<CLI::Option_p>& options_;
    std::vector<CLI::Option_p> kept_;
  };
};

}  // namespace clnrm::cli
