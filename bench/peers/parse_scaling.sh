#!/usr/bin/env bash
# Parse scaling, whole process (issue 17): `clnrm validate` of one file with
# 10k, 20k, 40k and 100k steps, timed by hyperfine. Linear parsing keeps the
# 100k file under 10x the 10k one (the goal); a quadratic step (the old
# parser: 0.19 / 0.54 / 2.55 / 28.8 s) shows as ~100x. Every step has the
# same size in every file (numbers written with six digits), so the 100k
# file is 10x the bytes of the 10k one: with numbers as they come (s9999,
# s99999) it was 10.35x, and parsing is linear in bytes too.
#
# Its patterns are plain literals, which `validate` checks without RE2
# (src/spec/plain_pattern.h); `run` compiles every pattern.
#
# Usage: bench/peers/parse_scaling.sh [CLNRM_BINARY] [RUNS]
#   RUNS (default 5) per size, after 1 warm-up run each.
# Prints the min and median of each size and the ratio of each to 10k, and
# the mean CPU time (user + system), which a machine busy with other work
# does not stretch as it does the wall time (the process waits for a CPU).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
clnrm=$(realpath -m "${1:-$root/build/release/clnrm}")
runs=${2:-5}
[[ -x $clnrm ]] || { echo "parse_scaling.sh: no clnrm binary at $clnrm" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "parse_scaling.sh: hyperfine is not installed (scripts/setup-deps.sh)" >&2; exit 2; }

work=$(mktemp -d /tmp/clnrm-parse-scaling.XXXXXX)
trap 'rm -rf "$work"' EXIT
sizes=(10000 20000 40000 100000)
for n in "${sizes[@]}"; do
  python3 - "$n" > "$work/steps_$n.clnrm.toml" <<'PY'
import sys
n = int(sys.argv[1])
print('[test.metadata]\nname = "steps_%d"\n' % n)
for i in range(n):
    print('[[steps]]\nname = "s%06d"\ncommand = ["echo", "%06d"]\nexpected_output_regex = "^%06d$"\n' % (i, i, i))
PY
  "$clnrm" validate --no-config "$work/steps_$n.clnrm.toml" >/dev/null
done

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
cmds=()
for n in "${sizes[@]}"; do cmds+=("$clnrm validate --no-config $work/steps_$n.clnrm.toml"); done
hyperfine -N --style basic --warmup 1 --runs "$runs" --export-json "$work/result.json" "${cmds[@]}" >/dev/null
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$work/result.json" "${sizes[@]}" <<'PY'
import json, os, statistics, sys
results = json.load(open(sys.argv[1]))["results"]
sizes = [int(s) for s in sys.argv[2:]]
base_min = min(results[0]["times"]); base_med = statistics.median(results[0]["times"])
work = os.path.dirname(sys.argv[1])
size = lambda n: os.path.getsize(f"{work}/steps_{n}.clnrm.toml")
cpu = lambda r: r["user"] + r["system"]  # means; waiting for a busy CPU is not in them
print(f"{'steps':>7}  {'bytes':>9}  {'min ms':>9}  {'median ms':>9}  ratio to 10k (min / median)  {'cpu ms':>7}  cpu ratio")
for n, r in zip(sizes, results):
    lo = min(r["times"]); med = statistics.median(r["times"])
    print(f"{n:>7}  {size(n):9d}  {lo*1000:9.1f}  {med*1000:9.1f}  {lo/base_min:5.2f}x / {med/base_med:5.2f}x"
          f"  {cpu(r)*1000:7.1f}  {cpu(r)/cpu(results[0]):5.2f}x")
PY
