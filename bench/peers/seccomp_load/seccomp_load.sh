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
high=$(sed -n '/kHighDeniedSyscalls = {/,/};/p' "$root/src/policy/isolation_policy.cpp" | grep -o '"[a-z_0-9]*"' | tr -d '"' | tr '\n' ' ')
# Level high (new user namespaces denied too), then level medium.
exec "$here/../c_bench.sh" seccomp_load "$here/seccomp_load.c $root/src/policy/seccomp_deny_rules.c -lseccomp" \
  "${1:-200} 1 $high" "${1:-200} 0 keyctl add_key request_key"
