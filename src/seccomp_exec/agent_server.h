/* The kept step agent of clnrm-seccomp-exec (`--reap --serve`): a service
 * container's step agent that outlives the run that talks to it, for warm
 * (reused) and fresh-pool containers (src/backend/docker/kept_agent.h). */
#ifndef CLNRM_SECCOMP_EXEC_AGENT_SERVER_H
#define CLNRM_SECCOMP_EXEC_AGENT_SERVER_H

/* The descriptor of the server that holds its control socket's far end,
 * for the runner to take with pidfd_getfd(2). */
#define CLNRM_AGENT_CONTROL_FD 3

/* As clnrm_run_reaped (a subreaper that forks and execs argv, then kills
 * what it left), but argv's stdin, stdout and stderr are pipes this process
 * serves: the runner hands it one connected stream socket at a time over
 * the control socket (SCM_RIGHTS); complete lines read from it go to argv's
 * stdin, and argv's output goes back in the engine's attach framing (an
 * 8-byte header: stream 1 or 2, three zero bytes, the length big-endian).
 * A new connection replaces the old one and drops a line it left
 * unfinished; output with no connection is dropped. The process is not
 * dumpable, so only a holder of CAP_SYS_PTRACE (the host's root, never a
 * test step) can take the control socket. The socket is put at
 * CLNRM_AGENT_CONTROL_FD only once argv answered the line
 * "clnrm-started :" with the step agent's marker ("\036clnrm-started:0\n")
 * on both stdout and stderr (src/backend/docker/step_agent.cpp speaks it):
 * until then a runner finds no agent to take. Returns argv's exit status. */
int clnrm_serve_reaped(char** argv);

#endif
