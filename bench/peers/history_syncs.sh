#!/usr/bin/env bash
# The disk syncs the history costs (docs/history.md): RUNS one-test runs
# (`clnrm run --backend null` of bench/peers/one_step.clnrm.toml) from an
# empty directory, each under `strace -f -e trace=fdatasync,fsync -T`.
# Prints the syncs of each run, their total, and their mean and median time.
#
# Usage: bench/peers/history_syncs.sh [CLNRM_BINARY] [RUNS]   (RUNS default 200)
# Needs strace (scripts/setup-deps.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
clnrm=$(realpath -m "${1:-$root/build/release/clnrm}")
runs=${2:-200}
[[ -x $clnrm ]] || { echo "history_syncs.sh: no clnrm binary at $clnrm" >&2; exit 2; }
command -v strace >/dev/null || { echo "history_syncs.sh: strace is not installed" >&2; exit 2; }
work=$(mktemp -d /tmp/clnrm-history-syncs.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
cp "$here/one_step.clnrm.toml" one.clnrm.toml
per_run=()
: > all.times
for ((i = 0; i < runs; i++)); do
  strace -f -e trace=fdatasync,fsync -T -o trace.txt "$clnrm" run --backend null one.clnrm.toml >/dev/null
  per_run+=("$(grep -c 'sync(' trace.txt || true)")
  grep -o '<[0-9.]*>' trace.txt | tr -d '<>' >> all.times || true
done
echo "syncs per run: ${per_run[*]}"
python3 - all.times <<'PY'
import statistics, sys
times = [float(x) * 1000 for x in open(sys.argv[1]) if x.strip()]
if times:
    print(f"syncs {len(times)}, total {sum(times):.1f} ms, mean {statistics.mean(times):.2f} ms, "
          f"median {statistics.median(times):.2f} ms")
else:
    print("syncs 0")
PY
