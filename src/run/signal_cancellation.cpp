#include <clnrm/error.h>
#include <clnrm/signals.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <map>
#include <mutex>
#include <thread>

#include "base/write_all.h"

namespace clnrm {
namespace {

std::atomic<CancelToken*> g_token{nullptr};
std::atomic<int> g_first_signal{0};
std::atomic<int> g_count{0};
std::atomic<bool> g_announce{false};
std::atomic<bool> g_hooks_present{false};
std::atomic<int> g_hook_pipe_write{-1};
struct sigaction g_old_int {
}, g_old_term{};

static_assert(std::atomic<int>::is_always_lock_free && std::atomic<bool>::is_always_lock_free &&
              std::atomic<CancelToken*>::is_always_lock_free);

// The hooks and their watcher live as long as the process: never destroyed,
// so a signal during exit() finds them whole.
std::mutex& hooks_mutex() {
  static auto& m = *new std::mutex;
  return m;
}
std::map<int, std::function<void()>>& hooks() {
  static auto& h = *new std::map<int, std::function<void()>>;
  return h;
}
int g_next_hook = 1;

template <std::size_t N>
void write_text(int fd, const char (&text)[N]) {
  write_all(fd, text, N - 1);
}

extern "C" void on_signal(int sig) {
  const int saved_errno = errno;
  const int n = g_count.fetch_add(1) + 1;
  if (n == 1) {
    g_first_signal.store(sig);
    if (CancelToken* t = g_token.load()) t->cancel();
    if (g_announce.load()) {
      if (sig == SIGTERM)
        write_text(2, "\nclnrm: SIGTERM received: stopping running steps and tearing down cleanrooms "
                      "(press Ctrl-C again to exit immediately)\n");
      else
        write_text(2, "\nclnrm: SIGINT received: stopping running steps and tearing down cleanrooms "
                      "(press Ctrl-C again to exit immediately)\n");
    }
  } else if (n == 2 && g_hooks_present.load()) {
    // The hooks are not async-signal-safe: the watcher thread runs them, then exits.
    const char byte = static_cast<char>(sig);
    [[maybe_unused]] ssize_t w = ::write(g_hook_pipe_write.load(), &byte, 1);
  } else {
    ::_exit(130);
  }
  errno = saved_errno;
}

extern "C" void on_early_signal(int) { ::_exit(130); }

void run_hooks() {
  std::map<int, std::function<void()>> copy;
  {
    std::lock_guard lock(hooks_mutex());
    copy = hooks();
  }
  for (auto& [id, hook] : copy) {
    try {
      hook();
    } catch (...) {
    }
  }
}

// Started by the first hook (a run without hooks starts no thread: making
// and joining one per run kept a whole-process `clnrm run` waiting up to
// 3.5 ms at load: README, "Whole process").
void start_hook_watcher() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("pipe2 for signal handling");
  g_hook_pipe_write.store(fds[1]);
  std::thread([read_end = fds[0]] {
    char byte;
    for (;;) {
      const ssize_t n = ::read(read_end, &byte, 1);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      run_hooks();
      ::_exit(130);
    }
  }).detach();
}

}  // namespace

void exit_130_on_early_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_early_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

int add_forced_exit_hook(std::function<void()> hook) {
  static std::once_flag started;
  std::call_once(started, start_hook_watcher);
  std::lock_guard lock(hooks_mutex());
  const int id = g_next_hook++;
  hooks().emplace(id, std::move(hook));
  g_hooks_present.store(true);
  return id;
}

void remove_forced_exit_hook(int id) {
  std::lock_guard lock(hooks_mutex());
  hooks().erase(id);
  g_hooks_present.store(!hooks().empty());
}

SignalCancellation::SignalCancellation(CancelToken& token, bool announce) {
  g_count.store(0);
  g_first_signal.store(0);
  g_announce.store(announce);
  g_token.store(&token);
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &sa, &g_old_int);
  ::sigaction(SIGTERM, &sa, &g_old_term);
}

SignalCancellation::~SignalCancellation() {
  ::sigaction(SIGINT, &g_old_int, nullptr);
  ::sigaction(SIGTERM, &g_old_term, nullptr);
  g_token.store(nullptr);
}

int SignalCancellation::signal_received() const noexcept { return g_first_signal.load(); }

}  // namespace clnrm
