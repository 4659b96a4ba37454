/* See serve_beside.h. Single-threaded, so the forked children may call
 * anything; the intermediate child calls only async-signal-safe functions. */
#define _GNU_SOURCE
#include "seccomp_exec/serve_beside.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp_exec/agent_server.h"

/* The server: its own session, stdio on /dev/null, then the kept agent. */
static void run_server(char** argv, int agent_args) {
  if (setsid() < 0) _exit(126);
  const int null = open("/dev/null", O_RDWR);
  if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0) _exit(126);
  if (null > 2) close(null);
  argv[agent_args] = NULL; /* our copy of the pointers: cmdline is unchanged */
  _exit(clnrm_serve_reaped(argv));
}

void clnrm_start_server_beside(char** argv, int agent_args) {
  const pid_t middle = fork();
  if (middle == 0) {
    if (fork() == 0) run_server(argv, agent_args);
    _exit(0);
  }
  if (middle > 0)
    while (waitpid(middle, NULL, 0) < 0 && errno == EINTR) {
    }
}
