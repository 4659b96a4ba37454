/* clnrm-escape-probe: a tiny freestanding x86-64 program (raw syscalls, no
 * libc, a few KiB) that tries one escape and says what happened. The docker
 * escape tests (tests/integration/docker_host_escape_test.cpp) ship it into
 * a step as base64 text (busybox images have no keyctl and no unix-socket
 * client) and run the same binary on the host as the control.
 *
 *   probe connect PATH      connect(2) to the unix socket at PATH
 *   probe abstract NAME     connect(2) to the abstract unix socket "\0NAME"
 *   probe keyctl DESC       keyctl(KEYCTL_SEARCH) for the "user" key DESC in
 *                           the user keyring (@u), then KEYCTL_READ it
 *
 * Prints "ESCAPED <detail>" and exits 0 when the attempt succeeded,
 * "denied errno=<n>" and exits 1 when it failed, 2 on bad usage. */

typedef unsigned long u64;
typedef long s64;

#define SYS_write 1
#define SYS_close 3
#define SYS_socket 41
#define SYS_connect 42
#define SYS_exit_group 231
#define SYS_keyctl 250

#define AF_UNIX 1
#define SOCK_STREAM 1
#define KEYCTL_SEARCH 10
#define KEYCTL_READ 11
#define KEY_SPEC_USER_KEYRING (-4)

static s64 sys6(s64 n, s64 a, s64 b, s64 c, s64 d, s64 e) {
  s64 ret;
  register s64 r10 __asm__("r10") = d;
  register s64 r8 __asm__("r8") = e;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
                   : "rcx", "r11", "memory");
  return ret;
}

static u64 length(const char* s) {
  u64 n = 0;
  while (s[n] != '\0') ++n;
  return n;
}

static void say(const char* s) { sys6(SYS_write, 1, (s64)s, (s64)length(s), 0, 0); }

static void say_number(s64 v) {
  char buf[24];
  int i = 23;
  buf[i] = '\0';
  int negative = v < 0;
  u64 u = negative ? (u64)(-v) : (u64)v;
  do {
    buf[--i] = (char)('0' + u % 10);
    u /= 10;
  } while (u != 0);
  if (negative) buf[--i] = '-';
  say(buf + i);
}

static int equal(const char* a, const char* b) {
  while (*a != '\0' && *a == *b) ++a, ++b;
  return *a == *b;
}

static int denied(s64 rc) {
  say("denied errno=");
  say_number(-rc);
  say("\n");
  return 1;
}

struct sockaddr_un_raw {
  unsigned short family;
  char path[108];
};

static int try_connect(const char* name, int abstract) {
  struct sockaddr_un_raw addr;
  addr.family = AF_UNIX;
  u64 n = length(name);
  u64 at = abstract ? 1 : 0;
  if (n + at >= sizeof addr.path) return 2;
  for (u64 i = 0; i < sizeof addr.path; ++i) addr.path[i] = '\0';
  for (u64 i = 0; i < n; ++i) addr.path[at + i] = name[i];
  const s64 fd = sys6(SYS_socket, AF_UNIX, SOCK_STREAM, 0, 0, 0);
  if (fd < 0) return denied(fd);
  const u64 len = sizeof addr.family + at + n + (abstract ? 0 : 1);
  const s64 rc = sys6(SYS_connect, fd, (s64)&addr, (s64)len, 0, 0);
  sys6(SYS_close, fd, 0, 0, 0, 0);
  if (rc < 0) return denied(rc);
  say("ESCAPED connected\n");
  return 0;
}

static int try_keyctl(const char* description) {
  const s64 key = sys6(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_USER_KEYRING, (s64) "user", (s64)description, 0);
  if (key < 0) return denied(key);
  char payload[256];
  const s64 n = sys6(SYS_keyctl, KEYCTL_READ, key, (s64)payload, sizeof payload - 1, 0);
  say("ESCAPED key ");
  say_number(key);
  if (n >= 0) {
    payload[n < (s64)sizeof payload - 1 ? n : (s64)sizeof payload - 1] = '\0';
    say(" payload ");
    say(payload);
  }
  say("\n");
  return 0;
}

static int probe(int argc, char** argv) {
  if (argc != 3) return 2;
  if (equal(argv[1], "connect")) return try_connect(argv[2], 0);
  if (equal(argv[1], "abstract")) return try_connect(argv[2], 1);
  if (equal(argv[1], "keyctl")) return try_keyctl(argv[2]);
  return 2;
}

/* The kernel starts us with argc at (%rsp), then argv. */
__attribute__((used)) void clnrm_probe_start(long* stack) {
  const int argc = (int)stack[0];
  char** argv = (char**)(stack + 1);
  sys6(SYS_exit_group, probe(argc, argv), 0, 0, 0, 0);
  for (;;) {
  }
}

__asm__(
    ".globl _start\n"
    "_start:\n"
    "  mov %rsp, %rdi\n"
    "  and $-16, %rsp\n"
    "  call clnrm_probe_start\n"
    "  hlt\n");
