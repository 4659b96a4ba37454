#!/usr/bin/env bash
# What waking the other CPU costs here, against polling (issue 17;
# base/spin_wait.h): builds wakeup_cost.c into build/wakeup_cost and runs it.
#
# Usage: bench/peers/wakeup_cost/wakeup_cost.sh [ROUNDS]   (default 400)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
mkdir -p "$root/build/wakeup_cost"
cc -O2 -Wall -Wextra -pthread -I "$root/bench" -o "$root/build/wakeup_cost/wakeup_cost" "$here/wakeup_cost.c"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$root/build/wakeup_cost/wakeup_cost" "${1:-400}"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
