#!/usr/bin/env bash
# What writing a fresh page costs here, a page fault each against one
# madvise(MADV_POPULATE_WRITE) for all (base/prefault.h): builds
# fault_cost.c into build/fault_cost and runs it.
#
# Usage: bench/peers/fault_cost/fault_cost.sh [ROUNDS] [PAGES]   (default 200 100)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
mkdir -p "$root/build/fault_cost"
cc -O2 -Wall -Wextra -I "$root/bench" -o "$root/build/fault_cost/fault_cost" "$here/fault_cost.c"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$root/build/fault_cost/fault_cost" "${1:-200}" "${2:-100}"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
