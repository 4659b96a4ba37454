// text_order_trace OUT PROGRAM [ARGS...]: runs PROGRAM under ptrace,
// single-stepping it and every process and thread it forks or clones (not
// the programs they exec), and writes to OUT each distinct instruction
// address executed inside PROGRAM's own file mapping, as an offset from the
// start of that mapping, one hexadecimal number a line.
//
// scripts/text_order.sh builds and runs it to list the functions
// `clnrm --version` and `clnrm run` execute (cmake/clnrm_text_order.txt).
// Single-stepping, not valgrind: valgrind cannot run the sandbox's
// namespaced children. About 4 million steps for a one-step `clnrm run`,
// a few minutes.
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

static unsigned long map_start, map_size;
static unsigned char *executed;  // one byte per address of the mapping

// The span of PROGRAM's mappings in PID, which has just exec'd it.
static void find_mapping(pid_t pid, const char *program) {
  char maps_path[64], resolved[PATH_MAX], line[PATH_MAX + 128];
  snprintf(maps_path, sizeof maps_path, "/proc/%d/maps", (int)pid);
  if (!realpath(program, resolved)) {
    perror(program);
    exit(1);
  }
  FILE *maps = fopen(maps_path, "r");
  if (!maps) {
    perror(maps_path);
    exit(1);
  }
  unsigned long low = 0, high = 0;
  while (fgets(line, sizeof line, maps)) {
    unsigned long start, end;
    char name[PATH_MAX] = "";
    if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %4095s", &start, &end, name) >= 2 &&
        strcmp(name, resolved) == 0) {
      if (!low) low = start;
      high = end;
    }
  }
  fclose(maps);
  if (!low) {
    fprintf(stderr, "text_order_trace: %s is not mapped in process %d\n", resolved, (int)pid);
    exit(1);
  }
  map_start = low;
  map_size = high - low;
  executed = calloc(map_size, 1);
  if (!executed) {
    perror("calloc");
    exit(1);
  }
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: text_order_trace OUT PROGRAM [ARGS...]\n");
    return 2;
  }
  pid_t child = fork();
  if (child < 0) {
    perror("fork");
    return 1;
  }
  if (child == 0) {
    ptrace(PTRACE_TRACEME, 0, 0, 0);
    raise(SIGSTOP);
    execvp(argv[2], argv + 2);
    _exit(127);
  }
  int status;
  waitpid(child, &status, 0);
  ptrace(PTRACE_SETOPTIONS, child, 0,
         PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC |
             PTRACE_O_EXITKILL);
  ptrace(PTRACE_CONT, child, 0, 0);
  for (;;) {
    pid_t pid = waitpid(-1, &status, __WALL);
    if (pid < 0) {
      if (errno == EINTR) continue;
      if (errno != ECHILD) perror("waitpid");
      break;
    }
    if (!WIFSTOPPED(status)) continue;
    int event = status >> 16, deliver = 0;
    if (event == PTRACE_EVENT_EXEC) {
      if (executed) {  // a child exec'd another program: not traced
        ptrace(PTRACE_DETACH, pid, 0, 0);
        continue;
      }
      find_mapping(pid, argv[2]);
    } else if (event == 0 && WSTOPSIG(status) != SIGTRAP && WSTOPSIG(status) != SIGSTOP) {
      deliver = WSTOPSIG(status);  // a real signal: pass it on
    }
    if (!executed) {  // before PROGRAM is exec'd
      ptrace(PTRACE_CONT, pid, 0, deliver);
      continue;
    }
    struct user_regs_struct regs;
    if (ptrace(PTRACE_GETREGS, pid, 0, &regs) == 0 && regs.rip >= map_start &&
        regs.rip < map_start + map_size)
      executed[regs.rip - map_start] = 1;
    ptrace(PTRACE_SINGLESTEP, pid, 0, deliver);
  }
  FILE *out = fopen(argv[1], "w");
  if (!out) {
    perror(argv[1]);
    return 1;
  }
  for (unsigned long offset = 0; executed && offset < map_size; offset++)
    if (executed[offset]) fprintf(out, "%lx\n", offset);
  return fclose(out) == 0 ? 0 : 1;
}
