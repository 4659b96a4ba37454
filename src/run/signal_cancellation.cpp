#include <clnrm/error.h>
#include <clnrm/signals.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <map>
#include <mutex>

namespace clnrm {
namespace {

std::atomic<CancelToken*> g_token{nullptr};
std::atomic<int> g_first_signal{0};
std::atomic<int> g_count{0};
std::atomic<int> g_pipe_write{-1};
struct sigaction g_old_int {
}, g_old_term{};

std::mutex g_hooks_mutex;
std::map<int, std::function<void()>> g_hooks;
int g_next_hook = 1;

static_assert(std::atomic<int>::is_always_lock_free &&
              std::atomic<CancelToken*>::is_always_lock_free);

extern "C" void on_signal(int sig) {
  const int saved_errno = errno;
  const int n = g_count.fetch_add(1) + 1;
  if (n == 1) {
    g_first_signal.store(sig);
    if (CancelToken* t = g_token.load()) t->cancel();
  } else if (n >= 3) {
    ::_exit(130);
  }
  const int fd = g_pipe_write.load();
  if (fd >= 0) {
    const char byte = static_cast<char>(sig);
    [[maybe_unused]] ssize_t w = ::write(fd, &byte, 1);
  }
  errno = saved_errno;
}

extern "C" void on_early_signal(int) { ::_exit(130); }

void run_hooks() {
  std::map<int, std::function<void()>> hooks;
  {
    std::lock_guard lock(g_hooks_mutex);
    hooks = g_hooks;
  }
  for (auto& [id, hook] : hooks) {
    try {
      hook();
    } catch (...) {
    }
  }
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
  std::lock_guard lock(g_hooks_mutex);
  const int id = g_next_hook++;
  g_hooks.emplace(id, std::move(hook));
  return id;
}

void remove_forced_exit_hook(int id) {
  std::lock_guard lock(g_hooks_mutex);
  g_hooks.erase(id);
}

SignalCancellation::SignalCancellation(CancelToken& token, bool announce) : announce_(announce) {
  if (::pipe2(pipe_, O_CLOEXEC) != 0) throw_errno("pipe2 for signal handling");
  g_count.store(0);
  g_first_signal.store(0);
  g_token.store(&token);
  g_pipe_write.store(pipe_[1]);
  watcher_ = std::thread([this] {
    char byte;
    int seen = 0;
    for (;;) {
      const ssize_t n = ::read(pipe_[0], &byte, 1);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;     // write end closed: shutting down
      if (byte == 0) return;  // the destructor's stop byte
      if (++seen == 1) {
        if (announce_)
          std::fprintf(stderr,
                       "\nclnrm: %s received: stopping running steps and tearing down cleanrooms "
                       "(press Ctrl-C again to exit immediately)\n",
                       byte == SIGTERM ? "SIGTERM" : "SIGINT");
      } else {
        run_hooks();
        ::_exit(130);
      }
    }
  });
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
  g_pipe_write.store(-1);
  g_token.store(nullptr);
  const char stop = 0;
  [[maybe_unused]] ssize_t w = ::write(pipe_[1], &stop, 1);
  if (watcher_.joinable()) watcher_.join();
  ::close(pipe_[0]);
  ::close(pipe_[1]);
}

int SignalCancellation::signal_received() const noexcept { return g_first_signal.load(); }

}  // namespace clnrm
