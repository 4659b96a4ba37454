#!/usr/bin/env bash
# What each kind of namespace costs to create on this machine (issue 17:
# the network namespace is most of a pod's clone, and of the `unshare`
# floor's too). Builds namespace_cost.c into build/namespace_cost and runs
# it; needs root or unprivileged user namespaces.
#
# Usage: bench/peers/namespace_cost/namespace_cost.sh [RUNS]   (default 60)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/../c_bench.sh" namespace_cost "$here/namespace_cost.c" "${1:-60}"
