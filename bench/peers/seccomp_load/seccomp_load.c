/* What loading a seccomp filter costs a step (docs/SANDBOX.md, "The seccomp
 * filter's load"): the filter of the syscall names given (USERNS 1: with the
 * rules against new user namespaces), built by clnrm's own
 * clnrm_add_seccomp_deny_rules (a binary tree of syscall numbers) and again
 * as libseccomp's default list, each loaded ROUNDS times in a new child with
 * no_new_privs, the two alternating. Prints each layout's instruction count
 * and its median and 90th percentile load time in microseconds. Run by
 * seccomp_load.sh. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "peers/peer_timing.h"
#include "policy/seccomp_deny_rules.h"

struct program {
  struct sock_filter insns[4096];
  unsigned short len;
};

static void build(struct program* out, const char* const* names, size_t count, int userns, int as_list) {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (ctx == NULL || clnrm_add_seccomp_deny_rules(ctx, names, count, userns, NULL) != 0) exit(1);
  if (as_list && seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 1) != 0) exit(1);
  const int mem = memfd_create("seccomp-load", MFD_CLOEXEC);
  if (mem < 0 || seccomp_export_bpf(ctx, mem) != 0) exit(1);
  seccomp_release(ctx);
  const off_t size = lseek(mem, 0, SEEK_END);
  if (size <= 0 || (size_t)size > sizeof out->insns || pread(mem, out->insns, (size_t)size, 0) != size) exit(1);
  out->len = (unsigned short)((size_t)size / sizeof(struct sock_filter));
  close(mem);
}

/* One load in a new child, timed there and sent back on a pipe. */
static double load_once(const struct program* p) {
  int back[2];
  if (pipe(back) != 0) exit(1);
  const pid_t child = fork();
  if (child == 0) {
    const struct sock_fprog prog = {p->len, (struct sock_filter*)p->insns};
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    const double start = now_us();
    const long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
    const double took = rc == 0 ? now_us() - start : -1;
    _exit(write(back[1], &took, sizeof took) == (ssize_t)sizeof took ? 0 : 1);
  }
  double took = -1;
  if (child < 0 || read(back[0], &took, sizeof took) != (ssize_t)sizeof took || took < 0) exit(1);
  waitpid(child, NULL, 0);
  close(back[0]);
  close(back[1]);
  return took;
}

int main(int argc, char** argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: seccomp_load ROUNDS USERNS SYSCALL...\n");
    return 2;
  }
  const int rounds = atoi(argv[1]);
  const int userns = atoi(argv[2]);
  const char* const* names = (const char* const*)argv + 3;
  const size_t count = (size_t)(argc - 3);
  static struct program tree, list;
  build(&tree, names, count, userns, 0);
  build(&list, names, count, userns, 1);
  double* t_tree = malloc(sizeof(double) * (size_t)rounds);
  double* t_list = malloc(sizeof(double) * (size_t)rounds);
  for (int i = 0; i < rounds; ++i) {
    t_tree[i] = load_once(&tree);
    t_list[i] = load_once(&list);
  }
  printf("the filter of %zu syscalls%s:\n", count, userns ? " and new user namespaces" : "");
  qsort(t_tree, (size_t)rounds, sizeof(double), by_value);
  qsort(t_list, (size_t)rounds, sizeof(double), by_value);
  printf("binary tree (clnrm): %3u instructions, load median %6.1f us, p90 %6.1f us\n", tree.len,
         t_tree[rounds / 2], t_tree[rounds * 9 / 10]);
  printf("list (libseccomp's default): %3u instructions, load median %6.1f us, p90 %6.1f us\n", list.len,
         t_list[rounds / 2], t_list[rounds * 9 / 10]);
  return 0;
}
