#pragma once
// One environment variable set (or, with nullopt, unset) for one scope and
// restored after it. The test binaries start with defaults of their own
// (tests/support/test_environment_defaults.cpp); a test that needs a user's
// environment lifts them with this.

#include <stdlib.h>

#include <optional>
#include <string>

namespace clnrm::testing {

class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = ::getenv(name)) old_ = old;
    if (value) ::setenv(name, value->c_str(), 1);
    else ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace clnrm::testing
