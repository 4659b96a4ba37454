// ConsoleReporter's progress: [n/N] counts, the live status line on a
// terminal, "still running" lines otherwise. Every write is flushed at once:
// piped output (CI logs) shows each result as it happens, and a runner killed
// with SIGKILL leaves every line it printed before.
#include <clnrm/control_characters.h>
#include <clnrm/duration.h>
#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "report/console_progress.h"

namespace clnrm {
namespace {

std::size_t terminal_width(std::FILE* out) {
  winsize ws{};
  if (::ioctl(::fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

// Whole seconds are enough for a progress display.
std::string age(std::chrono::steady_clock::duration d) {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  return s < 60 ? fmt::format("{}s", s) : fmt::format("{}m{:02}s", s / 60, s % 60);
}

std::string running_list(const ConsoleReporter::Progress& p) {
  const auto now = std::chrono::steady_clock::now();
  std::string list;
  for (const auto& [lane, r] : p.running) {
    if (!list.empty()) list += ", ";
    list += fmt::format("{} ({})", r.name, age(now - r.since));
  }
  return list;
}

}  // namespace

ConsoleReporter::ConsoleReporter(std::FILE* out, bool colour, Verbosity verbosity)
    : out_(out), colour_(colour), verbosity_(verbosity) {}

ConsoleReporter::~ConsoleReporter() { stop_progress(); }

void ConsoleReporter::start_progress(std::size_t total, bool live,
                                     std::chrono::milliseconds quiet_period) {
  stop_progress();
  auto p = std::make_unique<Progress>();
  p->total = total;
  // --quiet prints failures and the summary only: no status line either.
  p->live = live && verbosity_ != Verbosity::Quiet;
  p->quiet_period = quiet_period;
  {
    std::lock_guard lock(mutex_);
    progress_ = std::move(p);
  }
  if (verbosity_ == Verbosity::Quiet) return;
  progress_->ticker = std::jthread([this](std::stop_token stop) {
    std::unique_lock lock(mutex_);
    while (!stop.stop_requested()) {
      const auto period = progress_->live ? std::chrono::milliseconds(1000)
                                          : std::min<std::chrono::milliseconds>(
                                                progress_->quiet_period, std::chrono::seconds(1));
      progress_->wake.wait_for(lock, stop, period, [] { return false; });
      if (stop.stop_requested()) break;
      tick();
    }
  });
}

void ConsoleReporter::stop_progress() {
  std::unique_ptr<Progress> p;
  {
    std::lock_guard lock(mutex_);
    if (!progress_) return;
    if (progress_->status_shown) {
      std::fputs("\r\x1b[K", out_);
      std::fflush(out_);
      progress_->status_shown = false;
    }
  }
  // The ticker takes mutex_: stop and join it without holding the lock.
  if (progress_->ticker.joinable()) {
    progress_->ticker.request_stop();
    progress_->ticker.join();
  }
  std::lock_guard lock(mutex_);
  p = std::move(progress_);
}

void ConsoleReporter::test_started(std::string_view name, int worker) {
  std::lock_guard lock(mutex_);
  if (!progress_) return;
  const std::string shown = escape_control_characters(name);
  progress_->running[worker] = {shown, Progress::Clock::now()};
  if (progress_->live) {
    redraw_status();
  } else if (verbosity_ == Verbosity::Verbose) {
    emit(fmt::format("START  {}\n", shown));
  }
}

void ConsoleReporter::emit(const std::string& text) {
  if (progress_ && progress_->status_shown) {
    std::fputs("\r\x1b[K", out_);
    progress_->status_shown = false;
  }
  std::fwrite(text.data(), 1, text.size(), out_);
  if (progress_) {
    progress_->last_output = Progress::Clock::now();
    if (progress_->live) redraw_status();
  }
  std::fflush(out_);
}

void ConsoleReporter::redraw_status() {
  Progress& p = *progress_;
  if (p.running.empty()) {  // nothing to show between tests or at the end
    if (p.status_shown) std::fputs("\r\x1b[K", out_);
    p.status_shown = false;
    std::fflush(out_);
    return;
  }
  std::string line = fmt::format("[{}/{}] running: {}", p.finished, p.total, running_list(p));
  const std::size_t width = terminal_width(out_);
  if (line.size() >= width) {
    std::size_t cut = width > 4 ? width - 4 : 0;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
    line = line.substr(0, cut) + "...";
  }
  std::fputs("\r\x1b[K", out_);
  std::fputs(line.c_str(), out_);
  p.status_shown = true;
  std::fflush(out_);
}

void ConsoleReporter::tick() {
  if (!progress_) return;
  Progress& p = *progress_;
  if (p.live) {
    redraw_status();
    return;
  }
  if (p.running.empty() || Progress::Clock::now() - p.last_output < p.quiet_period) return;
  emit(fmt::format("       still running: {}  [{}/{} done]\n", running_list(p), p.finished,
                   p.total));
}

}  // namespace clnrm
