// The history inbox (inbox.h): a run's file, and folding ended runs into the
// database.
#include "history/inbox.h"

#include <clnrm/error.h>
#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

#include "base/file_lock.h"
#include "base/nonce.h"
#include "base/write_all.h"
#include "history/inbox_format.h"
#include "history/internal.h"

namespace clnrm::history {

namespace {

constexpr std::string_view kRunSuffix = ".run";
// A run's file while its first lines are written and its lock taken: no
// folder looks at it, so none can find it empty and unlocked.
constexpr std::string_view kNewSuffix = ".new";

[[noreturn]] void throw_io(const std::string& what, const std::string& path) {
  throw Error(ErrorKind::Io, fmt::format("{}: {}", what, std::strerror(errno)), path);
}

bool is_run_file(std::string_view name) {
  return name.size() > kRunSuffix.size() && name.ends_with(kRunSuffix);
}

struct DirCloser {
  void operator()(DIR* d) const noexcept { ::closedir(d); }
};
using DirHandle = std::unique_ptr<DIR, DirCloser>;

// Opens the inbox for listing: null when it does not exist.
DirHandle open_listing(const std::string& dir) {
  DirHandle d(::opendir(dir.c_str()));
  if (!d && errno != ENOENT) throw_io("cannot list the history inbox", dir);
  return d;
}

bool read_to_end(int fd, std::string& out) {
  char buffer[16384];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    out.append(buffer, static_cast<std::size_t>(n));
  }
}

// When the run ended, or for a run killed before its end, its last record.
std::int64_t end_of(const InboxRun& run) {
  if (run.ended) return run.finished_ns;
  std::int64_t last = to_unix_ns(run.meta.started);
  for (const ExecutionRecord& r : run.rows) last = std::max(last, r.started_ns + r.duration_ns);
  return last;
}

}  // namespace

std::string inbox_dir(const std::string& db_path) { return db_path + "-inbox"; }

InboxFile::InboxFile(const std::string& db_path, const RunMeta& meta) : dir_(inbox_dir(db_path)) {
  if (::mkdir(dir_.c_str(), 0755) != 0 && errno != EEXIST) {
    if (errno != ENOENT) throw_io("cannot create the history inbox", dir_);
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec) throw Error(ErrorKind::Io, "cannot create the history inbox: " + ec.message(), dir_);
  }
  dir_fd_ = UniqueFd(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd_.valid()) throw_io("cannot open the history inbox", dir_);
  // Names sort by start; the pid and the nonce keep runners apart.
  token_ = fmt::format("{:020}-{}-{}", to_unix_ns(meta.started), ::getpid(), make_nonce());
  const std::string fresh = token_ + std::string(kNewSuffix);
  fd_ = UniqueFd(::openat(dir_fd_.get(), fresh.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC | O_NOFOLLOW,
                          0644));
  if (!fd_.valid()) throw_io("cannot create a file in the history inbox", dir_ + "/" + fresh);
  lock_open_file(fd_.get(), dir_ + "/" + fresh);
  append(inbox_run_start(meta));
  const std::string named = token_ + std::string(kRunSuffix);
  if (::renameat(dir_fd_.get(), fresh.c_str(), dir_fd_.get(), named.c_str()) != 0) {
    const int error = errno;
    ::unlinkat(dir_fd_.get(), fresh.c_str(), 0);
    errno = error;
    throw_io("cannot name a file in the history inbox", dir_ + "/" + named);
  }
}

void InboxFile::append(std::string_view lines) {
  if (!fd_.valid()) throw Error(ErrorKind::Io, "the run's inbox file is closed", dir_ + "/" + token_);
  if (!write_all(fd_.get(), lines.data(), lines.size()))
    throw_io("cannot write to the history inbox", dir_ + "/" + token_ + std::string(kRunSuffix));
}

std::size_t InboxFile::close() {
  fd_.reset();
  DirHandle d = open_listing(dir_);
  std::size_t runs = 0;
  if (d)
    while (const dirent* e = ::readdir(d.get())) runs += is_run_file(e->d_name) ? 1 : 0;
  return runs;
}

std::size_t fold_inbox(Store::Impl& impl, const std::string& db_path) {
  const std::string dir = inbox_dir(db_path);
  DirHandle d = open_listing(dir);
  if (!d) return 0;
  const int dir_fd = ::dirfd(d.get());
  struct Taken {
    std::string name;
    UniqueFd lock;  // held until the file is gone
    InboxRun run;
  };
  std::vector<Taken> taken;
  while (const dirent* e = ::readdir(d.get())) {
    const std::string name = e->d_name;
    if (!is_run_file(name)) continue;
    UniqueFd fd(::openat(dir_fd, name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    // Gone (another folder took it) or still locked by its runner.
    if (!fd.valid() || !try_lock_open_file(fd.get())) continue;
    std::string text;
    if (!read_to_end(fd.get(), text)) continue;
    std::string why;
    std::optional<InboxRun> run = parse_inbox_run(text, why);
    if (!run) {
      ::renameat(dir_fd, name.c_str(), dir_fd, (name + ".bad").c_str());
      continue;
    }
    taken.push_back({name, std::move(fd), std::move(*run)});
  }
  if (taken.empty()) return 0;
  std::stable_sort(taken.begin(), taken.end(),
                   [](const Taken& a, const Taken& b) { return end_of(a.run) < end_of(b.run); });
  impl.conn.transaction(
      [&] {
        for (const Taken& t : taken) {
          const std::string token = t.name.substr(0, t.name.size() - kRunSuffix.size());
          if (run_with_token(impl, token) != 0) continue;  // a folder died before deleting it
          const std::int64_t id = insert_run_row(impl.conn, t.run.meta, t.run.ended, t.run.finished_ns, token);
          insert_execution_rows(impl.conn, id, t.run.rows);
        }
      },
      impl.options.busy_retries);
  for (const Taken& t : taken) ::unlinkat(dir_fd, t.name.c_str(), 0);
  return taken.size();
}

std::int64_t run_with_token(Store::Impl& impl, const std::string& token) {
  sql::Statement q(impl.conn.handle(), "SELECT id FROM runs WHERE inbox_token = ?1", impl.conn.path());
  q.bind(1, std::string_view(token));
  return q.step() ? q.int64(0) : 0;
}

bool history_exists(const std::string& db_path) {
  struct stat st {};
  return ::stat(db_path.c_str(), &st) == 0 || ::stat(inbox_dir(db_path).c_str(), &st) == 0;
}

}  // namespace clnrm::history
