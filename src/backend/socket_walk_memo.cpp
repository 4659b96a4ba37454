// The socket-walk memo (socket_walk_memo.h): its file, and when a record of
// it may stand in for reading a directory again.
#include "backend/socket_walk_memo.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <string_view>
#include <system_error>

#include "base/atomic_file.h"
#include "base/unique_fd.h"

namespace clnrm {
namespace {

constexpr std::string_view kHeader = "clnrm socket-walk memo 1";
constexpr std::size_t kMaxFileBytes = 16u << 20;

// Filesystems whose ctimes come from this machine's clock.
bool is_local_filesystem(const std::string& root) {
  struct statfs fs {};
  if (::statfs(root.c_str(), &fs) != 0) return false;
  switch (static_cast<unsigned long>(fs.f_type)) {
    case EXT4_SUPER_MAGIC:  // also ext2 and ext3
    case XFS_SUPER_MAGIC:
    case BTRFS_SUPER_MAGIC:
    case TMPFS_MAGIC:
    case OVERLAYFS_SUPER_MAGIC:
    case F2FS_SUPER_MAGIC:
      return true;
    default:
      return false;
  }
}

// Names are bytes without '/' or NUL: '%' and newline are escaped so that
// each record is one line.
std::string escape(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (const char c : name) {
    if (c == '%')
      out += "%25";
    else if (c == '\n')
      out += "%0A";
    else
      out += c;
  }
  return out;
}

std::optional<std::string> unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  // Whole runs between escapes: every run loads the memo, whose names
  // rarely hold one.
  for (std::size_t at = text.find('%'); at != std::string_view::npos; at = text.find('%')) {
    out.append(text.substr(0, at));
    const std::string_view code = text.substr(at + 1, 2);
    if (code == "25")
      out += '%';
    else if (code == "0A")
      out += '\n';
    else
      return std::nullopt;
    text.remove_prefix(std::min(text.size(), at + 3));
  }
  out.append(text);
  return out;
}

// The next space-separated number of `line`, consumed.
template <typename Number>
bool take_number(std::string_view& line, Number& out) {
  const auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), out);
  if (ec != std::errc{} || end == line.data()) return false;
  line.remove_prefix(static_cast<std::size_t>(end - line.data()));
  if (line.empty() || line.front() != ' ') return false;
  line.remove_prefix(1);
  return true;
}

std::optional<std::string> read_own_file(const std::string& file) {
  UniqueFd fd(::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return std::nullopt;
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid() ||
      (st.st_mode & (S_IWGRP | S_IWOTH)) != 0 || static_cast<std::size_t>(st.st_size) > kMaxFileBytes)
    return std::nullopt;
  std::string content(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::read(fd.get(), content.data() + done, content.size() - done);
    if (n <= 0) return std::nullopt;
    done += static_cast<std::size_t>(n);
  }
  return content;
}

// The records of `content`, or nullopt when it is not a whole memo of `root`.
std::optional<std::unordered_map<std::string, DirListing>> parse(std::string_view content,
                                                                  const std::string& root,
                                                                  timespec& recorded) {
  std::unordered_map<std::string, DirListing> dirs;
  DirListing* current = nullptr;
  bool ended = false;
  std::size_t line_no = 0;
  while (!content.empty() && !ended) {
    const std::size_t newline = content.find('\n');
    if (newline == std::string_view::npos) return std::nullopt;
    std::string_view line = content.substr(0, newline);
    content.remove_prefix(newline + 1);
    ++line_no;
    if (line_no == 1) {
      if (line != kHeader) return std::nullopt;
    } else if (line_no == 2) {
      if (!line.starts_with("root ") || unescape(line.substr(5)) != root) return std::nullopt;
    } else if (line_no == 3) {
      if (!line.starts_with("recorded ")) return std::nullopt;
      line.remove_prefix(9);
      std::int64_t sec = 0;
      if (!take_number(line, sec)) return std::nullopt;
      long nsec = 0;
      const auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), nsec);
      if (ec != std::errc{} || end != line.data() + line.size()) return std::nullopt;
      recorded = {static_cast<time_t>(sec), nsec};
    } else if (line == "end") {
      ended = true;
    } else if (line.starts_with("d ")) {
      line.remove_prefix(2);
      DirListing d;
      if (!take_number(line, d.stamp.dev) || !take_number(line, d.stamp.ino) ||
          !take_number(line, d.stamp.ctime_sec) || !take_number(line, d.stamp.ctime_nsec) ||
          !take_number(line, d.entries))
        return std::nullopt;
      auto relative = unescape(line);
      if (!relative) return std::nullopt;
      auto [it, fresh] = dirs.emplace(std::move(*relative), std::move(d));
      if (!fresh) return std::nullopt;
      current = &it->second;
    } else if ((line.starts_with("s ") || line.starts_with("c ")) && current != nullptr) {
      auto name = unescape(line.substr(2));
      if (!name || name->empty() || name->find('/') != std::string::npos) return std::nullopt;
      (line[0] == 's' ? current->sockets : current->subdirs).push_back(std::move(*name));
    } else {
      return std::nullopt;
    }
  }
  if (!ended || !content.empty()) return std::nullopt;
  return dirs;
}

}  // namespace

SocketWalkMemo SocketWalkMemo::load(const std::string& file, const std::string& root) {
  SocketWalkMemo memo;
  memo.usable_ = is_local_filesystem(root);
  if (!memo.usable_) return memo;
  const auto content = read_own_file(file);
  if (!content) return memo;
  if (auto dirs = parse(*content, root, memo.recorded_)) memo.dirs_ = std::move(*dirs);
  return memo;
}

const DirListing* SocketWalkMemo::trusted(const std::string& relative, const DirStamp& now) const {
  const auto it = dirs_.find(relative);
  if (it == dirs_.end() || !(it->second.stamp == now)) return nullptr;
  // Another filesystem mounted below the root may be a network one.
  const auto root = dirs_.find("");
  if (root == dirs_.end() || root->second.stamp.dev != now.dev) return nullptr;
  if (now.ctime_sec + kSettleSeconds >= static_cast<std::int64_t>(recorded_.tv_sec)) return nullptr;
  return &it->second;
}

void SocketWalkMemo::save(const std::string& file, const std::string& root, timespec started,
                          const std::vector<std::pair<std::string, const DirListing*>>& walked,
                          bool anything_read) const {
  if (!usable_) return;
  if (!anything_read && walked.size() == dirs_.size()) return;  // every record was used as it was
  std::string out;
  out.reserve(64 * walked.size());
  out.append(kHeader).append("\nroot ").append(escape(root)).append("\n");
  out += "recorded " + std::to_string(started.tv_sec) + " " + std::to_string(started.tv_nsec) + "\n";
  for (const auto& [relative, listing] : walked) {
    const DirListing& d = *listing;
    out += "d " + std::to_string(d.stamp.dev) + " " + std::to_string(d.stamp.ino) + " " +
           std::to_string(d.stamp.ctime_sec) + " " + std::to_string(d.stamp.ctime_nsec) + " " +
           std::to_string(d.entries) + " " + escape(relative) + "\n";
    for (const std::string& s : d.sockets) out += "s " + escape(s) + "\n";
    for (const std::string& c : d.subdirs) out += "c " + escape(c) + "\n";
  }
  out += "end\n";
  try {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(file).parent_path(), ec);
    write_file_atomically(file, out);
  } catch (const std::exception&) {
    // A cache: the next walk reads the directories again.
  }
}

}  // namespace clnrm
