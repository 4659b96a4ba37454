#!/usr/bin/env bash
# What waking the other CPU costs here, against polling (issue 17;
# base/spin_wait.h): builds wakeup_cost.c into build/wakeup_cost and runs it.
#
# Usage: bench/peers/wakeup_cost/wakeup_cost.sh [ROUNDS]   (default 400)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/../c_bench.sh" wakeup_cost "-pthread $here/wakeup_cost.c" "${1:-400}"
