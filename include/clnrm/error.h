#pragma once
// The one exception type clnrm throws across module boundaries. The CLI turns
// it into a single message and an exit code (exit_code()).

#include <stdexcept>
#include <string>
#include <string_view>

namespace clnrm {

enum class ErrorKind {
  Usage,         // bad command-line use                       -> exit 2
  Config,        // bad test file / cleanroom.toml              -> exit 2
  NotSupported,  // the machine cannot do it (no namespaces...) -> exit 2
  Backend,       // sandbox / engine failed doing its job       -> exit 1
  Timeout,       // something did not finish in time            -> exit 1
  Io,            // filesystem / socket error                   -> exit 1
  Cancelled,     // SIGINT / SIGTERM                            -> exit 130
  Internal,      // a bug in clnrm                              -> exit 1
};

std::string_view to_string(ErrorKind kind) noexcept;

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message, std::string context = {})
      : std::runtime_error(message), kind_(kind), context_(std::move(context)) {}

  ErrorKind kind() const noexcept { return kind_; }
  // Where it happened ("file:line:col", "container abc123", "step 'ping'").
  const std::string& context() const noexcept { return context_; }
  // "context: message", or just the message when there is no context.
  std::string describe() const;
  int exit_code() const noexcept;

 private:
  ErrorKind kind_;
  std::string context_;
};

// Throws Error(ErrorKind::Io, "<what>: <strerror(errno)>").
[[noreturn]] void throw_errno(const std::string& what);

}  // namespace clnrm
