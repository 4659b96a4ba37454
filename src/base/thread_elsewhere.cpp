#include "base/thread_elsewhere.h"

#include <sched.h>

#include <exception>
#include <memory>
#include <system_error>
#include <utility>

namespace clnrm {
namespace {

struct Start {
  std::function<void()> body;
  cpu_set_t whole{};      // the process's CPUs, taken again at the start
  bool narrowed = false;  // started on the others only
};

void* run_start(void* arg) noexcept {
  const std::unique_ptr<Start> start(static_cast<Start*>(arg));
  if (start->narrowed) ::sched_setaffinity(0, sizeof start->whole, &start->whole);
  try {
    start->body();
  } catch (...) {
    std::terminate();
  }
  return nullptr;
}

}  // namespace

ThreadElsewhere::ThreadElsewhere(std::function<void()> body) {
  auto start = std::make_unique<Start>();
  start->body = std::move(body);
  pthread_attr_t attr;
  ::pthread_attr_init(&attr);
  if (::sched_getaffinity(0, sizeof start->whole, &start->whole) == 0) {
    cpu_set_t others = start->whole;
    const int here = ::sched_getcpu();
    if (here >= 0 && here < CPU_SETSIZE) CPU_CLR(here, &others);
    start->narrowed = CPU_COUNT(&others) > 0 && CPU_COUNT(&others) < CPU_COUNT(&start->whole) &&
                      ::pthread_attr_setaffinity_np(&attr, sizeof others, &others) == 0;
  }
  int rc = ::pthread_create(&handle_, &attr, run_start, start.get());
  ::pthread_attr_destroy(&attr);
  if (rc != 0 && start->narrowed) {
    // The narrowed set refused (a CPU went offline meanwhile): anywhere.
    start->narrowed = false;
    rc = ::pthread_create(&handle_, nullptr, run_start, start.get());
  }
  if (rc != 0) throw std::system_error(rc, std::generic_category(), "starting a thread");
  start.release();  // the thread's now
  joinable_ = true;
}

ThreadElsewhere::ThreadElsewhere(ThreadElsewhere&& other) noexcept
    : handle_(other.handle_), joinable_(std::exchange(other.joinable_, false)) {}

ThreadElsewhere& ThreadElsewhere::operator=(ThreadElsewhere&& other) noexcept {
  if (joinable_) std::terminate();
  handle_ = other.handle_;
  joinable_ = std::exchange(other.joinable_, false);
  return *this;
}

ThreadElsewhere::~ThreadElsewhere() {
  if (joinable_) std::terminate();
}

void ThreadElsewhere::join() {
  if (!joinable_) throw std::system_error(std::make_error_code(std::errc::invalid_argument), "joining a thread");
  const int rc = ::pthread_join(handle_, nullptr);
  if (rc != 0) throw std::system_error(rc, std::generic_category(), "joining a thread");
  joinable_ = false;
}

void ThreadElsewhere::detach() {
  if (!joinable_) throw std::system_error(std::make_error_code(std::errc::invalid_argument), "detaching a thread");
  ::pthread_detach(handle_);
  joinable_ = false;
}

}  // namespace clnrm
