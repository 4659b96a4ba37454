/* The kept step agent started with a service container's own command
 * (`clnrm-seccomp-exec [filter] --serve-beside=N -- AGENT... PROGRAM...`):
 * no engine exec is needed to start it (src/backend/docker/kept_agent.h). */
#ifndef CLNRM_SECCOMP_EXEC_SERVE_BESIDE_H
#define CLNRM_SECCOMP_EXEC_SERVE_BESIDE_H

/* argv: the agent's command (its first `agent_args` entries), then the
 * service's PROGRAM [ARG...], NULL-terminated. Forks a child that forks the
 * server and exits at once (so the server is re-parented to the
 * container's init, never a child of PROGRAM, whose `wait` must not wait
 * for it). The server (a session leader of its own, stdio on
 * /dev/null, so nothing of it reaches the container's logs) runs the
 * agent's command under clnrm_serve_reaped (agent_server.h) and never
 * execs: its /proc/PID/cmdline stays the container's command. Returns once
 * the short-lived child is reaped; the caller then execs PROGRAM, which so
 * keeps the container's PID, init's signal forwarding and exit status, and
 * the server exists before any of PROGRAM's code runs. When the fork fails
 * PROGRAM runs without an agent (the runner then starts one by engine exec). */
void clnrm_start_server_beside(char** argv, int agent_args);

#endif
