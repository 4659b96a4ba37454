/* What creating each kind of namespace costs the process that makes it:
 * unshare(2) of the flag (with a user namespace, as a pod of clnrm has one)
 * in a fresh child, timed inside that child, RUNS times per set of flags;
 * prints the median and the minimum in microseconds. The children exit
 * after each try, so a namespace's teardown is not in the figure (it is the
 * exiting child's, or a kernel worker's). Run by namespace_cost.sh. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "peers/peer_timing.h"

int main(int argc, char** argv) {
  const int runs = argc > 1 ? atoi(argv[1]) : 60;
  if (runs < 1 || runs > 10000) {
    fprintf(stderr, "usage: namespace_cost [RUNS]\n");
    return 2;
  }
  static const struct {
    const char* name;
    int flags;
  } kinds[] = {
      {"user", CLONE_NEWUSER},
      {"user+mount", CLONE_NEWUSER | CLONE_NEWNS},
      {"user+pid", CLONE_NEWUSER | CLONE_NEWPID},
      {"user+uts", CLONE_NEWUSER | CLONE_NEWUTS},
      {"user+ipc", CLONE_NEWUSER | CLONE_NEWIPC},
      {"user+net", CLONE_NEWUSER | CLONE_NEWNET},
      {"all but net", CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC},
      {"all (a pod's)", CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET},
  };
  double* took = malloc(sizeof(double) * (size_t)runs);
  if (took == NULL) return 1;
  printf("%-14s %10s %10s\n", "namespaces", "median us", "min us");
  for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; ++k) {
    for (int r = 0; r < runs; ++r) {
      int pipe_fds[2];
      if (pipe(pipe_fds) != 0) return 1;
      const pid_t pid = fork();
      if (pid == 0) {
        const double start = now_us();
        const double spent = unshare(kinds[k].flags) == 0 ? now_us() - start : -1;
        _exit(write(pipe_fds[1], &spent, sizeof spent) == sizeof spent ? 0 : 1);
      }
      double spent = -1;
      if (read(pipe_fds[0], &spent, sizeof spent) != sizeof spent || spent < 0) {
        fprintf(stderr, "namespace_cost: unshare of %s failed\n", kinds[k].name);
        return 1;
      }
      waitpid(pid, NULL, 0);
      close(pipe_fds[0]);
      close(pipe_fds[1]);
      took[r] = spent;
      usleep(2000); /* the last one's teardown, out of the way */
    }
    qsort(took, (size_t)runs, sizeof took[0], by_value);
    printf("%-14s %10.0f %10.0f\n", kinds[k].name, took[runs / 2], took[0]);
  }
  free(took);
  return 0;
}
