#!/usr/bin/env bash
# What loading a level's seccomp filter costs each step, as clnrm lays it
# out (a binary tree of syscall numbers) and as a list (libseccomp's
# default): builds seccomp_load.c with src/policy/seccomp_deny_rules.c into
# build/seccomp_load and runs it on level high's rules (kHighDeniedSyscalls
# in src/policy/isolation_policy.cpp, new user namespaces denied) and on
# level medium's (the three keyring calls every level denies).
#
# Usage: bench/peers/seccomp_load/seccomp_load.sh [ROUNDS]   (default 200)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
mkdir -p "$root/build/seccomp_load"
cc -O2 -Wall -Wextra -I "$root/bench" -I "$root/src" -o "$root/build/seccomp_load/seccomp_load" \
  "$here/seccomp_load.c" "$root/src/policy/seccomp_deny_rules.c" -lseccomp
names=$(sed -n '/kHighDeniedSyscalls = {/,/};/p' "$root/src/policy/isolation_policy.cpp" | grep -o '"[a-z_0-9]*"' | tr -d '"')
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "level high:"
# shellcheck disable=SC2086 # one argument per name
"$root/build/seccomp_load/seccomp_load" "${1:-200}" 1 $names
echo "level medium:"
"$root/build/seccomp_load/seccomp_load" "${1:-200}" 0 keyctl add_key request_key
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
