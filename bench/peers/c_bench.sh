#!/usr/bin/env bash
# Builds one of the small C measurements under bench/peers (namespace_cost,
# wakeup_cost, fault_cost, seccomp_load; each includes peers/peer_timing.h)
# into build/NAME/NAME and runs it once per argument list, with the load
# average before and after.
#
# Usage: bench/peers/c_bench.sh NAME 'CC ARGUMENTS' 'RUN ARGUMENTS' ['RUN ARGUMENTS'...]
#   CC ARGUMENTS: the sources and flags after cc's own (-O2 -Wall -Wextra
#   -I bench -I src); each RUN ARGUMENTS list is split like a shell would.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
name=$1
cc_args=$2
shift 2
mkdir -p "$root/build/$name"
# shellcheck disable=SC2086 # the arguments are lists
cc -O2 -Wall -Wextra -I "$root/bench" -I "$root/src" -o "$root/build/$name/$name" $cc_args
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for run_args in "$@"; do
  # shellcheck disable=SC2086
  "$root/build/$name/$name" $run_args
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
