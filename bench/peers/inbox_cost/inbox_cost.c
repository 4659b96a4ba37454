/* What recording a run in the history inbox costs the kernel, two ways
 * (src/history/inbox.h): a file per run (created, locked, written, renamed
 * into place, the directory listed, and every 64 runs the files deleted), or
 * one file every run appends to (opened, locked shared, checked, written,
 * closed; three appends a run, truncated every 64 runs). CPU per run, user
 * + system, averaged over 2000 runs in DIR (default: a scratch directory
 * under /tmp; use one on the file system the history lives on).
 *
 * Build and run: cc -O2 -o /tmp/inbox_cost bench/peers/inbox_cost/inbox_cost.c
 *                /tmp/inbox_cost [DIR]
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

enum { kRuns = 2000, kFoldEvery = 64 };

static double cpu_ms(void) {
  struct rusage r;
  getrusage(RUSAGE_SELF, &r);
  return (r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1e3 + (r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e3;
}

static void file_per_run(const char* dir, int run, const char* line) {
  char fresh[64], named[64];
  snprintf(fresh, sizeof fresh, "%d-%d.new", getpid(), run);
  snprintf(named, sizeof named, "%d-%d.run", getpid(), run);
  int d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int f = openat(d, fresh, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
  if (d < 0 || f < 0 || flock(f, LOCK_EX) != 0) exit(1);
  if (write(f, line, 110) < 0 || renameat(d, fresh, d, named) != 0) exit(1);
  if (write(f, line, 217) < 0 || write(f, line, 32) < 0) exit(1);
  close(f);
  int files = 0;
  DIR* listing = opendir(dir);
  for (struct dirent* e; (e = readdir(listing)) != NULL;) files += e->d_name[0] != '.';
  closedir(listing);
  if (files >= kFoldEvery) {
    listing = opendir(dir);
    for (struct dirent* e; (e = readdir(listing)) != NULL;)
      if (e->d_name[0] != '.') unlinkat(dirfd(listing), e->d_name, 0);
    closedir(listing);
  }
  close(d);
}

static void one_appended_file(const char* path, int run, const char* line) {
  const size_t sizes[3] = {110, 217, 32};
  for (int i = 0; i < 3; ++i) {
    int f = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    struct stat opened, named;
    if (f < 0 || flock(f, LOCK_SH) != 0 || fstat(f, &opened) != 0 || stat(path, &named) != 0) exit(1);
    if (write(f, line, sizes[i]) < 0) exit(1);
    close(f);
  }
  if (run % kFoldEvery == kFoldEvery - 1 && truncate(path, 0) != 0) exit(1);
}

int main(int argc, char** argv) {
  char dir[256];
  if (argc > 1) {
    snprintf(dir, sizeof dir, "%s/inbox-cost.XXXXXX", argv[1]);
  } else {
    snprintf(dir, sizeof dir, "/tmp/inbox-cost.XXXXXX");
  }
  if (mkdtemp(dir) == NULL) return 1;
  char files[300], appended[300], line[300];
  snprintf(files, sizeof files, "%s/files", dir);
  snprintf(appended, sizeof appended, "%s/appended", dir);
  mkdir(files, 0755);
  memset(line, 'x', sizeof line);
  double start = cpu_ms();
  for (int run = 0; run < kRuns; ++run) file_per_run(files, run, line);
  const double per_file = (cpu_ms() - start) * 1e3 / kRuns;
  start = cpu_ms();
  for (int run = 0; run < kRuns; ++run) one_appended_file(appended, run, line);
  const double appending = (cpu_ms() - start) * 1e3 / kRuns;
  printf("a file per run: %.1f us CPU per run\none appended file: %.1f us CPU per run\n", per_file, appending);
  char command[600];
  snprintf(command, sizeof command, "rm -rf '%s'", dir);
  return system(command) == 0 ? 0 : 1;
}
