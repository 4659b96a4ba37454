// Side: shared protocol (docs/SANDBOX.md, "Code by side"): both halves of the
// fork server's wire format and SCM_RIGHTS framing (fork_protocol.h). Pod
// init's half is async-signal-safe: syscalls and memcpy/memchr only.
#include "backend/sandbox/fork_protocol.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "base/descriptor_passing.h"

namespace clnrm::sandbox {
namespace {

constexpr std::uint32_t kMagic = 0x636c6e72;  // "clnr"
constexpr std::size_t kMaxMessage = 200u << 10;  // below the default unix socket send buffer

struct WireHeader {
  std::uint32_t magic = kMagic;
  std::uint32_t argc = 0;
  std::uint32_t envc = 0;
  std::uint32_t candc = 0;
  std::uint32_t with_stdin = 0;
  std::uint32_t direct = 0;  // the runner allows a direct step (pod_server.h)
  std::uint32_t rootfs_writable = 0;
  std::int32_t uid = -1;     // RawExec::uid, gid
  std::int32_t gid = -1;
};

void append(std::vector<char>& out, const char* s) {
  out.insert(out.end(), s, s + std::strlen(s) + 1);  // with its NUL
}

// The entries of a null-terminated array.
template <class T>
std::uint32_t count_of(T* const* list) {
  std::uint32_t n = 0;
  while (list != nullptr && list[n] != nullptr) ++n;
  return n;
}

template <class T>
void append_all(std::vector<char>& out, T* const* list) {
  for (std::uint32_t i = 0; list != nullptr && list[i] != nullptr; ++i) append(out, list[i]);
}

// ---- pod init side (async-signal-safe from here to the end of the namespace) ----

// Walks `count` NUL-terminated strings from `*cursor`, storing pointers into
// `slots` followed by a null. False when the message is malformed.
bool take_strings(char*& cursor, char* end, std::uint32_t count, char**& slots, char** slots_end) {
  if (static_cast<std::size_t>(slots_end - slots) < count + 1u) return false;
  for (std::uint32_t i = 0; i < count; ++i) {
    char* nul = static_cast<char*>(std::memchr(cursor, '\0', static_cast<std::size_t>(end - cursor)));
    if (nul == nullptr) return false;
    *slots++ = cursor;
    cursor = nul + 1;
  }
  *slots++ = nullptr;
  return true;
}

bool take_string(char*& cursor, char* end, const char** out) {
  char* nul = static_cast<char*>(std::memchr(cursor, '\0', static_cast<std::size_t>(end - cursor)));
  if (nul == nullptr) return false;
  *out = cursor;
  cursor = nul + 1;
  return true;
}

}  // namespace

bool decode_spawn_request(char* data, std::size_t size, ForkServerMemory& memory, DecodedSpawnRequest& out) noexcept {
  if (size < sizeof(WireHeader)) return false;
  WireHeader header;
  std::memcpy(&header, data, sizeof header);
  if (header.magic != kMagic) return false;
  char* cursor = data + sizeof header;
  char* end = data + size;
  RawExec& e = out.exec;
  if (!take_string(cursor, end, &e.workdir) || !take_string(cursor, end, &e.rootfs) ||
      !take_string(cursor, end, &e.not_found_message) || !take_string(cursor, end, &e.denied_message)) {
    return false;
  }
  char** slots = memory.pointers.get();
  char** slots_end = slots + ForkServerMemory::kPointers;
  char** argv = slots;
  if (!take_strings(cursor, end, header.argc, slots, slots_end)) return false;
  char** envp = slots;
  if (!take_strings(cursor, end, header.envc, slots, slots_end)) return false;
  char** cands = slots;
  if (!take_strings(cursor, end, header.candc, slots, slots_end)) return false;
  e.argv = argv;
  e.envp = envp;
  e.candidates = cands;
  e.rootfs_writable = header.rootfs_writable != 0;
  e.uid = header.uid;
  e.gid = header.gid;
  out.with_stdin = header.with_stdin != 0;
  out.direct = header.direct != 0;
  return header.argc > 0;
}

void send_spawn_reply(int control_fd, int error, int pidfd, bool direct) noexcept {
  const WireReply r{error, direct ? 1 : 0};
  send_with_descriptors(control_fd, &r, sizeof r, &pidfd, pidfd >= 0 ? 1 : 0, MSG_NOSIGNAL);
}

ssize_t receive_spawn_request(int control_fd, ForkServerMemory& memory, int received[4], int* count,
                              bool* truncated) noexcept {
  std::size_t n_fds = 0;
  const ssize_t n =
      receive_with_descriptors(control_fd, memory.bytes.get(), ForkServerMemory::kBytes, received, 4, &n_fds, truncated);
  *count = static_cast<int>(n_fds);
  return n;
}

// ---- the runner's side ----

std::optional<std::vector<char>> encode_spawn_request(const RawExec& exec, bool with_stdin, bool direct) {
  WireHeader header;
  header.argc = count_of(exec.argv);
  header.envc = count_of(exec.envp);
  header.candc = count_of(exec.candidates);
  header.with_stdin = with_stdin ? 1 : 0;
  header.direct = direct ? 1 : 0;
  header.rootfs_writable = exec.rootfs_writable ? 1 : 0;
  header.uid = exec.uid;
  header.gid = exec.gid;
  if (header.argc + header.envc + header.candc + 3 > ForkServerMemory::kPointers) return std::nullopt;
  std::vector<char> out(sizeof header);
  std::memcpy(out.data(), &header, sizeof header);
  append(out, exec.workdir);
  append(out, exec.rootfs);
  append(out, exec.not_found_message);
  append(out, exec.denied_message);
  append_all(out, exec.argv);
  append_all(out, exec.envp);
  append_all(out, exec.candidates);
  if (out.size() > kMaxMessage || out.size() > ForkServerMemory::kBytes) return std::nullopt;
  return out;
}

ssize_t send_spawn_request(int control_fd, const std::vector<char>& request, int stdin_fd, int stdout_fd,
                           int stderr_fd, int status_fd) {
  int fds[4];
  std::size_t count = 0;
  if (stdin_fd >= 0) fds[count++] = stdin_fd;
  fds[count++] = stdout_fd;
  fds[count++] = stderr_fd;
  fds[count++] = status_fd;
  return send_with_descriptors(control_fd, request.data(), request.size(), fds, count, MSG_NOSIGNAL);
}

ssize_t receive_spawn_reply(int control_fd, WireReply& reply, UniqueFd& pidfd) {
  int fd = -1;
  std::size_t count = 0;
  bool truncated = false;
  const ssize_t got = receive_with_descriptors(control_fd, &reply, sizeof reply, &fd, 1, &count, &truncated);
  if (count == 1) pidfd.reset(fd);
  return got;
}

}  // namespace clnrm::sandbox
