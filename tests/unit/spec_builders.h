#pragma once
// Hand-built TestSpecs for unit tests (the parser is tested on its own).
#include <clnrm/spec.h>
#include <re2/re2.h>

#include <memory>
#include <string>
#include <vector>

namespace build {

inline clnrm::Pattern pattern(const std::string& re) {
  return clnrm::Pattern{re, std::make_shared<const re2::RE2>(re)};
}

inline clnrm::StepSpec step(std::string name, std::vector<std::string> command) {
  clnrm::StepSpec s;
  s.name = std::move(name);
  s.command = std::move(command);
  return s;
}

inline clnrm::TestSpec test(std::string name, std::vector<clnrm::StepSpec> steps = {}) {
  clnrm::TestSpec t;
  t.name = name;
  t.file = "tests/" + name + ".clnrm.toml";
  t.steps = std::move(steps);
  return t;
}

inline clnrm::ServiceSpec service(std::string name, std::vector<std::string> args,
                                  std::vector<std::string> depends_on = {}) {
  clnrm::ServiceSpec s;
  s.name = std::move(name);
  s.plugin = "process";
  s.args = std::move(args);
  s.depends_on = std::move(depends_on);
  return s;
}

}  // namespace build
