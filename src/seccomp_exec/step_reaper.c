/* Why a subreaper: a step's command may setsid(), double-fork, nohup or
 * ignore SIGTERM. All of that leaves its process group and session, but no
 * process can leave the set of descendants of a child subreaper: an orphan
 * is reparented to its nearest living subreaper ancestor, here this process.
 * So once the command has exited, "this process has no children left"
 * (waitpid -> ECHILD) proves that nothing the step started still runs, and
 * killing whatever /proc lists as our descendants until that holds is
 * enough. It does not depend on cgroups (read-only in containers) nor on
 * being PID 1, so it also works for engine execs inside a service container,
 * where killing everything but PID 1 would kill the service too.
 *
 * The one way out is killing this process itself (same uid): its children
 * then go to the container's PID 1. In clnrm's step containers PID 1 is the
 * step agent, which sweeps the container when no step runs there
 * (src/backend/docker/step_agent.cpp); docs/docker-backend.md lists the
 * service-container case as a limit. */
#define _GNU_SOURCE
#include "seccomp_exec/step_reaper.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static void ignore_signal(int sig) { (void)sig; }

void clnrm_ignore_signals(void) {
  /* Handlers, not SIG_IGN: a child already running keeps the defaults, and
   * handlers are reset by exec anyway. */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = ignore_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP || sig == SIGCHLD) continue;
    sigaction(sig, &sa, NULL);
  }
}

/* The parent pid of `pid` from /proc/<pid>/stat (field 4, after the
 * command name in parentheses, which may itself contain ')'). 0 if gone. */
static pid_t parent_of(pid_t pid) {
  char path[64];
  char buf[512];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  FILE* f = fopen(path, "re");
  if (f == NULL) return 0;
  const size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  const char* close_paren = strrchr(buf, ')');
  int ppid = 0;
  char state = 0;
  if (close_paren == NULL || sscanf(close_paren + 1, " %c %d", &state, &ppid) != 2) return 0;
  return (pid_t)ppid;
}

/* SIGKILLs every process whose parent chain in /proc reaches `self`.
 * Returns how many were signalled. A container's /proc holds few
 * processes, so a full scan per round is cheap. */
static int kill_descendants(pid_t self) {
  enum { kMax = 4096 };
  static pid_t pids[kMax], parents[kMax];
  int n = 0;
  DIR* proc = opendir("/proc");
  if (proc == NULL) return 0;
  for (struct dirent* e; (e = readdir(proc)) != NULL && n < kMax;) {
    char* end = NULL;
    const long pid = strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0' || pid <= 0) continue;
    pids[n] = (pid_t)pid;
    parents[n] = parent_of((pid_t)pid);
    ++n;
  }
  closedir(proc);
  int killed = 0;
  for (int i = 0; i < n; ++i) {
    /* Walk up at most n links (a chain longer than that is a cycle from
     * pids reused during the scan: not ours). */
    pid_t p = parents[i];
    for (int depth = 0; p > 1 && p != self && depth < n; ++depth) {
      pid_t up = 0;
      for (int j = 0; j < n; ++j) {
        if (pids[j] == p) {
          up = parents[j];
          break;
        }
      }
      p = up;
    }
    if (p == self && pids[i] != self) {
      kill(pids[i], SIGKILL);
      ++killed;
    }
  }
  return killed;
}

int clnrm_shell_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 126;
}

int clnrm_run_reaped(char** argv) {
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
    fprintf(stderr, "clnrm-seccomp-exec: PR_SET_CHILD_SUBREAPER failed: %s\n", strerror(errno));
    return 126;
  }
  /* The exec status travels over a close-on-exec pipe: EOF means execvp
   * succeeded, an int means it failed with that errno. */
  int exec_pipe[2];
  if (pipe2(exec_pipe, O_CLOEXEC) != 0) return 126;
  const pid_t child = fork();
  if (child < 0) {
    fprintf(stderr, "clnrm-seccomp-exec: fork failed: %s\n", strerror(errno));
    return 126;
  }
  if (child == 0) {
    close(exec_pipe[0]);
    execvp(argv[0], argv);
    const int err = errno;
    if (write(exec_pipe[1], &err, sizeof err) != (ssize_t)sizeof err) _exit(126);
    _exit(err == ENOENT ? 127 : 126);
  }
  close(exec_pipe[1]);
  /* Only SIGKILL ends the reaper early: a step cannot stop the cleanup with
   * kill $PPID. */
  clnrm_ignore_signals();
  int err = 0;
  ssize_t got;
  do {
    got = read(exec_pipe[0], &err, sizeof err);
  } while (got < 0 && errno == EINTR);
  close(exec_pipe[0]);
  if (got == (ssize_t)sizeof err) {
    fprintf(stderr, "clnrm-seccomp-exec: cannot run '%s': %s\n", argv[0], strerror(err));
  }

  int result = 126;
  for (;;) {
    int status = 0;
    const pid_t w = waitpid(-1, &status, 0);
    if (w == child) {
      result = clnrm_shell_status(status);
      break;
    }
    if (w < 0 && errno != EINTR) break; /* ECHILD: cannot happen before the child */
  }
  clnrm_kill_and_reap_descendants();
  return result;
}

void clnrm_kill_and_reap_descendants(void) {
  /* Each round kills every descendant found; the children of killed
   * processes are reparented to us and found in the next round. ECHILD ends
   * it: with no child left, a subreaper has no descendant left. */
  for (;;) {
    kill_descendants(getpid());
    int status = 0;
    const pid_t w = waitpid(-1, &status, 0);
    if (w < 0 && errno == ECHILD) break;
  }
}
