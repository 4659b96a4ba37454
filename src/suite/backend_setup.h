#pragma once
// The backend a suite runs on, and what the user hears about it.

#include <clnrm/backend.h>
#include <clnrm/spec.h>

#include <string>
#include <vector>

namespace clnrm::suite {

// `reuse = true` (or SuiteOptions::reuse_services, --reuse) acts on backends
// that keep services (docker) only: on another backend every test starts
// its own instance, and the user hears so, one line per service (or one for
// the option).
std::vector<std::string> reuse_ignored_warnings(const Backend& backend,
                                                const std::vector<TestSpec>& tests,
                                                bool reuse_option);

}  // namespace clnrm::suite
