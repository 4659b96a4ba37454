/* clnrm-seccomp-exec: installs clnrm's seccomp deny filter (security level
 * high) in itself, sets no_new_privs, then execs its command. Inside a
 * Docker/Podman container the engine's default profile is already loaded:
 * seccomp filters stack, every installed filter is evaluated and the most
 * restrictive answer wins, so this adds clnrm's list on top of the engine's
 * profile and can never weaken it. The filter is inherited by every child
 * and survives execve, so wrapping a container's PID 1 covers all it starts.
 *
 * Statically linked (glibc + libseccomp): it is bind-mounted read-only into
 * containers whose images may have no libc at all.
 *
 * Usage: clnrm-seccomp-exec [--deny=NAME,NAME,...] [--deny-new-userns] [--reap] -- PROGRAM [ARG...]
 * Exit status when it cannot run PROGRAM: 127 not found, 126 otherwise
 * (as a shell does), with the reason on stderr. It never runs PROGRAM
 * without the filter it was asked for. Without --deny and
 * --deny-new-userns it loads no filter at all (and leaves no_new_privs
 * alone): `--reap` alone is the step reaper of security levels low and
 * medium.
 *
 * --reap: instead of exec'ing PROGRAM, run it as a child and, when it has
 * exited, kill and reap everything it left running (step_reaper.h). The
 * docker backend runs every engine-exec step this way.
 *
 * --reap --serve: the kept step agent of a warm or pooled service container
 * (agent_server.h): PROGRAM's stdio are pipes this process serves to the
 * connection a runner hands it.
 *
 * --serve-beside=N -- AGENT... PROGRAM [ARG...]: a service container's
 * command (serve_beside.h): the first N arguments after "--" are the kept
 * agent's command, served as --reap --serve serves it by a process forked
 * before PROGRAM runs; this process then execs PROGRAM. The filter (when
 * asked for) is loaded first, so both run under it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy/seccomp_deny_rules.h"
#include "seccomp_exec/agent_server.h"
#include "seccomp_exec/serve_beside.h"
#include "seccomp_exec/step_reaper.h"

static const char kSelf[] = "clnrm-seccomp-exec";

static int usage(void) {
  fprintf(stderr, "usage: %s [--deny=NAME,NAME,...] [--deny-new-userns] [--reap [--serve] | --serve-beside=N] -- "
          "PROGRAM [ARG...]\n",
          kSelf);
  return 126;
}

/* Loads clnrm's deny filter (and no_new_privs). 0 or the exit status. */
static int load_filter(const char* deny_list, int deny_new_userns) {
  /* Split a copy of the comma list: argv stays as given, so /proc/PID/cmdline
   * shows the command line clnrm started (a runner compares it before it
   * takes a kept agent's socket, src/backend/docker/kept_agent.cpp). The copy
   * lives as long as the process (the rule names point into it). */
  char* list = deny_list ? strdup(deny_list) : NULL;
  if (deny_list != NULL && list == NULL) return 126;
  const char* names[512];
  size_t count = 0;
  for (char* name = list ? strtok(list, ",") : NULL; name != NULL; name = strtok(NULL, ",")) {
    if (count == sizeof names / sizeof names[0]) {
      fprintf(stderr, "%s: more than %zu syscalls in --deny\n", kSelf, count);
      return 126;
    }
    names[count++] = name;
  }

  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (ctx == NULL) {
    fprintf(stderr, "%s: seccomp_init failed\n", kSelf);
    return 126;
  }
  const char* unknown = NULL;
  int rc = clnrm_add_seccomp_deny_rules(ctx, names, count, deny_new_userns, &unknown);
  if (rc == 0) rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1);
  if (rc == 0) rc = seccomp_load(ctx);
  seccomp_release(ctx);
  if (rc != 0) {
    if (unknown != NULL) {
      fprintf(stderr, "%s: unknown syscall '%s' in --deny\n", kSelf, unknown);
    } else {
      fprintf(stderr, "%s: loading the seccomp filter failed: %s\n", kSelf, strerror(-rc));
    }
    return 126;
  }
  return 0;
}

int main(int argc, char** argv) {
  char* deny_list = NULL;
  int deny_new_userns = 0;
  int reap = 0;
  int serve = 0;
  int beside = 0; /* --serve-beside=N: N > 0 */
  int i = 1;
  for (; i < argc; ++i) {
    if (strcmp(argv[i], "--") == 0) {
      ++i;
      break;
    }
    if (strncmp(argv[i], "--deny=", 7) == 0) {
      deny_list = argv[i] + 7;
    } else if (strcmp(argv[i], "--deny-new-userns") == 0) {
      deny_new_userns = 1;
    } else if (strcmp(argv[i], "--reap") == 0) {
      reap = 1;
    } else if (strcmp(argv[i], "--serve") == 0) {
      serve = 1;
    } else if (strncmp(argv[i], "--serve-beside=", 15) == 0) {
      char* end = NULL;
      const long n = strtol(argv[i] + 15, &end, 10);
      if (end == argv[i] + 15 || *end != '\0' || n <= 0 || n > 64) return usage();
      beside = (int)n;
    } else {
      fprintf(stderr, "%s: unknown option '%s'\n", kSelf, argv[i]);
      return usage();
    }
  }
  if (i >= argc || (serve && !reap) || (beside && (reap || argc - i <= beside))) return usage();

  if (deny_list != NULL || deny_new_userns) {
    const int rc = load_filter(deny_list, deny_new_userns);
    if (rc != 0) return rc;
  }
  if (serve) return clnrm_serve_reaped(argv + i);
  if (reap) return clnrm_run_reaped(argv + i);
  if (beside) {
    clnrm_start_server_beside(argv + i, beside);
    i += beside;
  }
  execvp(argv[i], argv + i);
  const int err = errno;
  fprintf(stderr, "%s: cannot run '%s': %s\n", kSelf, argv[i], strerror(err));
  return err == ENOENT ? 127 : 126;
}
