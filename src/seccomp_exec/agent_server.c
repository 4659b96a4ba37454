/* See agent_server.h. One poll loop: the control socket (new connections),
 * the connection (lines for the agent's stdin), the agent's stdout and
 * stderr (framed to the connection) and a signalfd for SIGCHLD (the agent
 * and the orphans this subreaper inherits are reaped at once: the runner
 * waits until the agent's children are gone after each step). */
#define _GNU_SOURCE
#include "seccomp_exec/agent_server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp_exec/step_reaper.h"

/* A line longer than this is not one clnrm sends: the connection is dropped. */
enum { kMaxLine = 256 << 20 };

static int write_all(int fd, const char* data, size_t size, int is_socket) {
  while (size > 0) {
    const ssize_t n = is_socket ? send(fd, data, size, MSG_NOSIGNAL) : write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    data += n;
    size -= (size_t)n;
  }
  return 0;
}

/* One connection handed over the control socket, or -1. */
static int receive_connection(int control) {
  char byte;
  struct iovec iov = {&byte, 1};
  union {
    struct cmsghdr header;
    char space[CMSG_SPACE(sizeof(int))];
  } control_data;
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control_data.space;
  msg.msg_controllen = sizeof control_data.space;
  if (recvmsg(control, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT) <= 0) return -1;
  struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
  if (c == NULL || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
      c->cmsg_len != CMSG_LEN(sizeof(int)))
    return -1;
  int fd;
  memcpy(&fd, CMSG_DATA(c), sizeof fd);
  return fd;
}

/* Moves `fd` to `target` (close-on-exec); -1 on failure. */
static int move_fd(int fd, int target) {
  if (fd == target) return fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 ? fd : -1;
  if (dup3(fd, target, O_CLOEXEC) < 0) return -1;
  close(fd);
  return target;
}

/* Sends the agent "clnrm-started :" (its no-op step) and reads its stdout
 * and stderr until each has carried the step's marker; 0 then, -1 when the
 * agent ended or took more than 30 s. Nothing else can be on them yet. */
static int await_agent_started(int to_agent, int out, int err) {
  static const char line[] = "clnrm-started :\n";
  static const char marker[] = "\036clnrm-started:0\n";
  if (write_all(to_agent, line, sizeof line - 1, 0) != 0) return -1;
  char seen[2][64];
  size_t have[2] = {0, 0};
  const size_t want = sizeof marker - 1;
  const int streams[2] = {out, err};
  for (int waited_ms = 0; have[0] < want || have[1] < want;) {
    struct pollfd p[2];
    nfds_t n = 0;
    int which[2];
    for (int s = 0; s < 2; ++s)
      if (have[s] < want) {
        which[n] = s;
        p[n++] = (struct pollfd){streams[s], POLLIN, 0};
      }
    const int ready = poll(p, n, 100);
    if (ready < 0 && errno != EINTR) return -1;
    if (ready <= 0) {
      waited_ms += 100;
      if (waited_ms >= 30000) return -1;
      continue;
    }
    for (nfds_t i = 0; i < n; ++i) {
      if (!(p[i].revents & (POLLIN | POLLHUP))) continue;
      const int s = which[i];
      const ssize_t got = read(streams[s], seen[s] + have[s], want - have[s]);
      if (got == 0) return -1;
      if (got < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        return -1;
      }
      have[s] += (size_t)got;
      if (memcmp(seen[s], marker, have[s]) != 0) return -1;
    }
  }
  return 0;
}

int clnrm_serve_reaped(char** argv) {
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) return 126;
  /* The agreed number holds /dev/null until the socket is in place: a
   * runner that takes it too early gets something it cannot send on and
   * tries again, never our own end of the pair. */
  const int placeholder = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (placeholder >= 0 && placeholder != CLNRM_AGENT_CONTROL_FD) close(placeholder);
  int control_pair[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, control_pair) != 0) return 126;
  /* Ours above the low numbers, the far end at the agreed one. */
  const int control = fcntl(control_pair[0], F_DUPFD_CLOEXEC, 10);
  const int far_end = fcntl(control_pair[1], F_DUPFD_CLOEXEC, 10);
  close(control_pair[0]);
  close(control_pair[1]);
  if (control < 0 || far_end < 0) return 126;
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) return 126;
  /* Our read ends only: the agent writes to blocking pipes. */
  if (fcntl(out[0], F_SETFL, O_NONBLOCK) != 0 || fcntl(err[0], F_SETFL, O_NONBLOCK) != 0) return 126;
  sigset_t chld, old_mask;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  if (sigprocmask(SIG_BLOCK, &chld, &old_mask) != 0) return 126;
  const int children = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (children < 0) return 126;
  /* Not dumpable: a process of the same uid without CAP_SYS_PTRACE (every
   * test step) cannot take the control socket with pidfd_getfd, open our
   * descriptors under /proc or trace us. The agent's exec makes it
   * dumpable again: it holds nothing but its pipes. */
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return 126;
  const pid_t child = fork();
  if (child < 0) return 126;
  if (child == 0) {
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0) _exit(126);
    execvp(argv[0], argv);
    _exit(errno == ENOENT ? 127 : 126);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  clnrm_ignore_signals();
  /* Only a started agent is offered: before its first line it resolves
   * setsid and sh in subshells, which a runner that connected meanwhile
   * would take for a killed runner's leftovers and kill (the agent then
   * runs steps with an empty $clnrm_sh). Its answer to a line of our own
   * (both markers, which no runner then reads) says it is in its loop. */
  if (await_agent_started(in[1], out[0], err[0]) != 0 ||
      move_fd(far_end, CLNRM_AGENT_CONTROL_FD) < 0) {
    kill(child, SIGKILL);
    while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {
    }
    return 126;
  }

  int connection = -1;
  char* line = NULL;
  size_t line_size = 0, line_capacity = 0;
  int streams[2] = {out[0], err[0]};
  int result = 126;
  for (int agent_running = 1; agent_running;) {
    struct pollfd p[5];
    nfds_t n = 0;
    p[n++] = (struct pollfd){control, POLLIN, 0};
    p[n++] = (struct pollfd){children, POLLIN, 0};
    for (int s = 0; s < 2; ++s)
      if (streams[s] >= 0) p[n++] = (struct pollfd){streams[s], POLLIN, 0};
    if (connection >= 0) p[n++] = (struct pollfd){connection, POLLIN, 0};
    if (poll(p, n, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    struct signalfd_siginfo info;
    while (read(children, &info, sizeof info) == (ssize_t)sizeof info) {
    }
    for (int status = 0;;) {
      const pid_t w = waitpid(-1, &status, WNOHANG);
      if (w <= 0) break;
      if (w == child) {
        result = clnrm_shell_status(status);
        agent_running = 0;
      }
    }
    if (p[0].revents & POLLIN) {
      const int next = receive_connection(control);
      if (next >= 0) {
        if (connection >= 0) close(connection);
        connection = next;
        line_size = 0;  /* what the last runner left unfinished is never run */
        continue;       /* poll again: the new connection joins the set */
      }
    }
    for (int s = 0; s < 2; ++s) {
      if (streams[s] < 0) continue;
      char frame[8 + 32768];
      const ssize_t got = read(streams[s], frame + 8, sizeof frame - 8);
      if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (got <= 0) {
        close(streams[s]);
        streams[s] = -1;
        continue;
      }
      if (connection < 0) continue;
      const uint32_t size = (uint32_t)got;
      frame[0] = (char)(s + 1);
      frame[1] = frame[2] = frame[3] = 0;
      frame[4] = (char)(size >> 24);
      frame[5] = (char)(size >> 16);
      frame[6] = (char)(size >> 8);
      frame[7] = (char)size;
      if (write_all(connection, frame, 8 + (size_t)got, 1) != 0) {
        close(connection);
        connection = -1;
      }
    }
    if (connection >= 0) {
      if (line_capacity - line_size < 65536) {
        line_capacity = line_capacity ? line_capacity * 2 : 1 << 17;
        char* grown = realloc(line, line_capacity);
        if (grown == NULL) break;
        line = grown;
      }
      const ssize_t got = recv(connection, line + line_size, line_capacity - line_size, MSG_DONTWAIT);
      if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        close(connection);  /* the runner is gone; the agent waits for the next */
        connection = -1;
        line_size = 0;
      } else if (got > 0) {
        const size_t scanned = line_size;
        line_size += (size_t)got;
        /* Only complete lines reach the agent. */
        char* end = memrchr(line + scanned, '\n', (size_t)got);
        if (end != NULL) {
          const size_t complete = (size_t)(end - line) + 1;
          if (write_all(in[1], line, complete, 0) != 0) break;
          memmove(line, line + complete, line_size - complete);
          line_size -= complete;
        } else if (line_size > kMaxLine) {
          close(connection);
          connection = -1;
          line_size = 0;
        }
      }
    }
  }
  free(line);
  if (connection >= 0) close(connection);
  close(in[1]);
  for (int s = 0; s < 2; ++s)
    if (streams[s] >= 0) close(streams[s]);
  /* The agent is done: kill what it left and reap it all (as --reap). */
  clnrm_kill_and_reap_descendants();
  return result;
}
