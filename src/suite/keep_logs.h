#pragma once
// --keep-logs DIR (SuiteOutputs::keep_logs_dir, clnrm/suite.h): every service's whole kept output, one file
// per test run and service, written inside DIR only.

#include <clnrm/runner.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace clnrm::suite {

// "<test>-<hash>[.r<repeat>][.a<attempt>]/<service>.log": names reduced to
// [A-Za-z0-9._-] (a name from a test file never picks a path), the hash of
// file and test name keeps tests that share a name apart.
std::string keep_logs_path(const TestResult& test, const ServiceResult& service);

class KeptLogs {
 public:
  // Throws Error(Usage) naming DIR when it cannot be created or written.
  explicit KeptLogs(std::string dir);
  // The runner's sink; failures are collected, never thrown.
  ServiceLogSink sink();
  // What could not be written, each naming its path (Error::describe).
  std::vector<std::string> failures() const;
  const std::string& dir() const { return dir_; }

 private:
  void write(const TestResult& test, const ServiceResult& service, std::string_view log);
  std::string dir_;
  mutable std::mutex mutex_;
  std::vector<std::string> failures_;
};

}  // namespace clnrm::suite
