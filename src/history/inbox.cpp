// The history inbox (inbox.h): appending a run's lines, and folding them
// into the database.
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
#include <map>
#include <memory>
#include <vector>

#include "base/file_lock.h"
#include "base/nonce.h"
#include "base/unique_fd.h"
#include "base/write_all.h"
#include "history/inbox_format.h"
#include "history/internal.h"

namespace clnrm::history {

namespace {

constexpr std::string_view kSegmentInfix = ".fold-";

[[noreturn]] void throw_io(const std::string& what, const std::string& path) {
  throw Error(ErrorKind::Io, fmt::format("{}: {}", what, std::strerror(errno)), path);
}

// Whether `fd` is still the file at `path` (a fold may have renamed it).
bool still_at(int fd, const std::string& path) {
  struct stat opened {};
  struct stat named {};
  return ::fstat(fd, &opened) == 0 && ::stat(path.c_str(), &named) == 0 && opened.st_dev == named.st_dev &&
         opened.st_ino == named.st_ino;
}

std::string directory_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
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

// Renames a non-empty inbox to a new segment (step 1 of inbox.h).
void rotate(const std::string& inbox) {
  UniqueFd fd(::open(inbox.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) {
    if (errno == ENOENT) return;
    throw_io("cannot open the history inbox", inbox);
  }
  lock_open_file(fd.get(), "the history inbox " + inbox);
  // Renamed by another folder meanwhile: what is at the path now is newer
  // than this fold needs.
  struct stat st {};
  if (!still_at(fd.get(), inbox) || ::fstat(fd.get(), &st) != 0 || st.st_size == 0) return;
  const std::string segment = fmt::format("{}{}{:020}-{}-{}", inbox, kSegmentInfix,
                                          std::chrono::duration_cast<std::chrono::nanoseconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count(),
                                          ::getpid(), make_nonce());
  if (::rename(inbox.c_str(), segment.c_str()) != 0) throw_io("cannot rename the history inbox", inbox);
}

struct Segment {
  std::string path;
  std::string name;  // its id in inbox_segments
  std::string text;
};

// Every segment beside the inbox, oldest first.
std::vector<Segment> read_segments(const std::string& inbox) {
  const std::string dir = directory_of(inbox);
  const std::string prefix = inbox.substr(inbox.rfind('/') + 1) + std::string(kSegmentInfix);
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  if (!d) throw_io("cannot list the history inbox's directory", dir);
  std::vector<Segment> out;
  while (const dirent* e = ::readdir(d.get())) {
    const std::string name = e->d_name;
    if (!name.starts_with(prefix)) continue;
    Segment s{dir + "/" + name, name, {}};
    UniqueFd fd(::open(s.path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd.valid()) continue;  // deleted by another folder just now
    if (!read_to_end(fd.get(), s.text)) throw_io("cannot read a history inbox segment", s.path);
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(), [](const Segment& a, const Segment& b) { return a.name < b.name; });
  return out;
}

bool segment_applied(sql::Connection& conn, const std::string& name) {
  sql::Statement q(conn.handle(), "SELECT 1 FROM inbox_segments WHERE name = ?1", conn.path());
  q.bind(1, std::string_view(name));
  return q.step();
}

// Applies the segments not applied before (step 2); returns the records.
std::size_t apply(Store::Impl& impl, const std::vector<Segment>& segments) {
  sql::Connection& conn = impl.conn;
  std::size_t applied = 0;
  std::map<std::string, std::int64_t> ids;  // token -> run id
  auto id_of = [&](const std::string& token) -> std::int64_t {
    auto it = ids.find(token);
    if (it != ids.end()) return it->second;
    const std::int64_t id = run_with_token(impl, token);
    if (id != 0) ids.emplace(token, id);
    return id;
  };
  // Rows are inserted per run, in the order the runs began: the table stays
  // in run order (test_rows.h).
  std::vector<std::pair<std::int64_t, std::vector<ExecutionRecord>>> rows;
  auto rows_of = [&](std::int64_t id) -> std::vector<ExecutionRecord>& {
    for (auto& [run, list] : rows)
      if (run == id) return list;
    return rows.emplace_back(id, std::vector<ExecutionRecord>{}).second;
  };
  struct Ending {
    std::int64_t id;
    std::int64_t finished_ns;
    std::string backend;
  };
  std::vector<Ending> endings;
  for (const Segment& s : segments) {
    if (segment_applied(conn, s.name)) continue;
    std::string_view text = s.text;
    for (std::size_t newline; (newline = text.find('\n')) != std::string_view::npos;
         text.remove_prefix(newline + 1)) {
      const std::optional<InboxRecord> r = parse_inbox_line(text.substr(0, newline));
      if (!r) continue;  // an empty line between appends, or a damaged one
      switch (r->kind) {
        case InboxRecord::Kind::Begin:
          if (id_of(r->token) == 0) ids.emplace(r->token, insert_run_row(conn, r->meta, false, 0, r->token));
          break;
        case InboxRecord::Kind::Row:
          if (const std::int64_t id = id_of(r->token)) rows_of(id).push_back(r->row);
          break;
        case InboxRecord::Kind::End:
          if (const std::int64_t id = id_of(r->token)) endings.push_back({id, r->finished_ns, r->meta.backend});
          break;
      }
      ++applied;
    }
    sql::Statement done(conn.handle(), "INSERT INTO inbox_segments (name) VALUES (?1)", conn.path());
    done.bind(1, std::string_view(s.name));
    done.run();
  }
  for (const auto& [id, list] : rows) insert_execution_rows(conn, id, list);
  for (const Ending& e : endings) complete_run_row(conn, e.id, e.finished_ns, e.backend);
  return applied;
}

}  // namespace

std::string inbox_path(const std::string& db_path) { return db_path + "-inbox"; }

InboxRun::InboxRun(const std::string& db_path, const RunMeta& meta) : path_(inbox_path(db_path)) {
  // Names are unique per run: start, pid, and a nonce for pid reuse.
  token_ = fmt::format("{}-{}-{}", to_unix_ns(meta.started), ::getpid(), make_nonce());
  append(inbox_begin_line(token_, meta));
}

std::uintmax_t InboxRun::append(std::string_view lines) {
  // Each write starts with a newline: a line an earlier write left cut off
  // (a full disk) ends there, and only it is lost.
  std::string text;
  text.reserve(lines.size() + 1);
  text += '\n';
  text += lines;
  for (int attempt = 0; attempt < 100; ++attempt) {
    UniqueFd fd(::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0644));
    if (!fd.valid() && errno == ENOENT) {
      std::error_code ec;
      std::filesystem::create_directories(directory_of(path_), ec);
      if (ec) throw Error(ErrorKind::Io, "cannot create the history inbox's directory: " + ec.message(), path_);
      continue;
    }
    if (!fd.valid()) throw_io("cannot open the history inbox", path_);
    lock_open_file_shared(fd.get(), "the history inbox " + path_);
    if (!still_at(fd.get(), path_)) continue;  // a fold took this one away
    if (!write_all(fd.get(), text.data(), text.size())) throw_io("cannot write to the history inbox", path_);
    struct stat st {};
    return ::fstat(fd.get(), &st) == 0 ? static_cast<std::uintmax_t>(st.st_size) : 0;
  }
  throw Error(ErrorKind::Io, "the history inbox kept being folded away while this run wrote to it", path_);
}

std::size_t fold_inbox(Store::Impl& impl, const std::string& db_path) {
  const std::string inbox = inbox_path(db_path);
  rotate(inbox);
  const std::vector<Segment> segments = read_segments(inbox);
  if (segments.empty()) return 0;
  std::size_t applied = 0;
  impl.conn.transaction([&] { applied = apply(impl, segments); }, impl.options.busy_retries);
  for (const Segment& s : segments) ::unlink(s.path.c_str());
  return applied;
}

std::int64_t run_with_token(Store::Impl& impl, const std::string& token) {
  sql::Statement q(impl.conn.handle(), "SELECT id FROM runs WHERE inbox_token = ?1", impl.conn.path());
  q.bind(1, std::string_view(token));
  return q.step() ? q.int64(0) : 0;
}

bool history_exists(const std::string& db_path) {
  struct stat st {};
  return ::stat(db_path.c_str(), &st) == 0 || ::stat(inbox_path(db_path).c_str(), &st) == 0;
}

}  // namespace clnrm::history
