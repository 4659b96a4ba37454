#include "suite/keep_logs.h"

#include <clnrm/error.h>
#include <fmt/format.h>

#include <filesystem>

#include "base/atomic_file.h"
#include "base/fnv1a.h"

namespace clnrm::suite {
namespace {

constexpr std::size_t kMaxNameBytes = 80;

// A file-name-safe version of a name from a test file.
std::string sanitize(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (out.size() >= kMaxNameBytes) break;
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || (c == '.' && !out.empty() && out.back() != '.');
    out += safe ? c : '_';
  }
  return out.empty() ? "_" : out;
}

}  // namespace

std::string keep_logs_path(const TestResult& test, const ServiceResult& service) {
  std::uint64_t h = fnv1a_update(kFnv1aOffset, test.file);
  h = fnv1a_update(h, std::string_view("\0", 1));
  h = fnv1a_update(h, test.name);
  std::string dir = fmt::format("{}-{:08x}", sanitize(test.name), h & 0xffffffffu);
  if (test.repeat > 0) dir += fmt::format(".r{}", test.repeat + 1);
  if (test.attempts > 1) dir += fmt::format(".a{}", test.attempts);
  return dir + "/" + sanitize(service.name) + ".log";
}

KeptLogs::KeptLogs(std::string dir) : dir_(std::move(dir)) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (!std::filesystem::is_directory(dir_, ec))
    throw Error(ErrorKind::Usage, fmt::format("cannot create directory {}", dir_), "--keep-logs");
  if (auto why = why_not_writable(dir_ + "/probe"))
    throw Error(ErrorKind::Usage, *why, "--keep-logs");
}

ServiceLogSink KeptLogs::sink() {
  return [this](const TestResult& test, const ServiceResult& service, std::string_view log) {
    write(test, service, log);
  };
}

void KeptLogs::write(const TestResult& test, const ServiceResult& service, std::string_view log) {
  const std::string relative = keep_logs_path(test, service);
  try {
    write_file_atomically_beneath(dir_, relative, log);
  } catch (const Error& e) {
    std::lock_guard lock(mutex_);
    failures_.push_back(e.describe());
  }
}

std::vector<std::string> KeptLogs::failures() const {
  std::lock_guard lock(mutex_);
  return failures_;
}

}  // namespace clnrm::suite
