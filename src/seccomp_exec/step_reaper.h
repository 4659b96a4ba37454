/* The subreaper mode of clnrm-seccomp-exec (`--reap`): runs a step's
 * command so that nothing it starts outlives it. */
#ifndef CLNRM_SECCOMP_EXEC_STEP_REAPER_H
#define CLNRM_SECCOMP_EXEC_STEP_REAPER_H

/* Makes the calling process a child subreaper (PR_SET_CHILD_SUBREAPER),
 * forks, execs argv[0] (PATH lookup) in the child and waits for it. When it
 * has exited, every process still descending from the caller is SIGKILLed
 * and reaped. Returns the command's exit status as a shell reports it (the
 * code, 128 + signal, 127 not found, 126 not runnable). */
int clnrm_run_reaped(char** argv);

/* For a subreaper whose command is done: SIGKILLs and reaps every process
 * still descending from the caller, until none is left. */
void clnrm_kill_and_reap_descendants(void);
/* A wait status as a shell reports it (code, 128 + signal). */
int clnrm_shell_status(int status);
/* Every catchable signal but SIGCHLD gets a handler that does nothing:
 * only SIGKILL ends a reaper early. */
void clnrm_ignore_signals(void);

#endif
