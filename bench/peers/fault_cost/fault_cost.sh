#!/usr/bin/env bash
# What writing a fresh page costs here, a page fault each against one
# madvise(MADV_POPULATE_WRITE) for all (base/prefault.h): builds
# fault_cost.c into build/fault_cost and runs it.
#
# Usage: bench/peers/fault_cost/fault_cost.sh [ROUNDS] [PAGES]   (default 200 100)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/../c_bench.sh" fault_cost "$here/fault_cost.c" "${1:-200} ${2:-100}"
