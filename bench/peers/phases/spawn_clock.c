/* Runs a command and prints the CLOCK_MONOTONIC readings just before its
 * fork and just after its exit was reaped, in the probe's format
 * (bench/peers/run_phases.sh): the two ends of what a user waits for. */
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: spawn_clock COMMAND [ARG...]\n");
    return 2;
  }
  const double spawned = now_ms();
  const pid_t pid = fork();
  if (pid == 0) {
    execv(argv[1], argv + 1);
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  const double exited = now_ms();
  fprintf(stderr, "PHASE %.3f spawn\nPHASE %.3f exited\n", spawned, exited);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
