/* What waking a thread on the other CPU costs here, against polling for the
 * same hand-over (base/spin_wait.h says why it matters: on a VM an idle
 * virtual CPU halts, and its wake-up goes through the hypervisor). Two
 * threads, each pinned to its own CPU, pass an eventfd token back and
 * forth: ROUNDS round trips, each after a 1 ms pause (so the other side
 * has gone idle, as a pod init waiting for the runner has), first with
 * blocking reads, then with non-blocking reads in a loop. Prints the
 * median and 90th percentile round trip in microseconds. Run by
 * wakeup_cost.sh; needs two CPUs. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "peers/peer_timing.h"

static int ping_fd, pong_fd, polling;

static void pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  sched_setaffinity(0, sizeof set, &set);
}

static void take(int fd) {
  uint64_t v;
  while (read(fd, &v, sizeof v) != (ssize_t)sizeof v) {
    if (polling) __builtin_ia32_pause();
  }
}

static void give(int fd) {
  const uint64_t one = 1;
  if (write(fd, &one, sizeof one) != (ssize_t)sizeof one) exit(1);
}

static void* echo(void* unused) {
  (void)unused;
  pin(1);
  for (;;) {
    take(ping_fd);
    give(pong_fd);
  }
  return NULL;
}

static void measure(const char* what, int rounds) {
  double* t = malloc(sizeof *t * (size_t)rounds);
  for (int i = 0; i < rounds; ++i) {
    usleep(1000);
    const double start = now_us();
    give(ping_fd);
    take(pong_fd);
    t[i] = now_us() - start;
  }
  qsort(t, (size_t)rounds, sizeof *t, by_value);
  printf("%-9s round trip median %6.1f us, p90 %6.1f us (%d rounds)\n", what, t[rounds / 2],
         t[rounds * 9 / 10], rounds);
  free(t);
}

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? atoi(argv[1]) : 400;
  if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
    fprintf(stderr, "wakeup_cost: needs two CPUs\n");
    return 2;
  }
  for (polling = 0; polling <= 1; ++polling) {
    const int flags = polling ? EFD_NONBLOCK : 0;
    ping_fd = eventfd(0, flags);
    pong_fd = eventfd(0, flags);
    pin(0);
    pthread_t thread;
    pthread_create(&thread, NULL, echo, NULL);
    usleep(10000);
    measure(polling ? "polling" : "blocking", rounds);
    pthread_cancel(thread);
    pthread_join(thread, NULL);
    close(ping_fd);
    close(pong_fd);
  }
  return 0;
}
