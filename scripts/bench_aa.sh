#!/usr/bin/env bash
# A/A check of the regression gate: runs one suite twice per try (same
# build, same machine, back to back) and compares the two runs with
# `clnrm bench compare`. Every verdict it reports is a false alarm by
# construction; the gate is only useful if blocker/critical never appear.
#
#   scripts/bench_aa.sh [--suite cleanroom_benchmarks] [--tries 10]
#       [--repetitions 10] [--min-time 0.1] [--build-dir build/release] [--out DIR]
#       [--metric auto|real_time|cpu_time]
#
# Prints one line per try and a tally; exits 1 if any try had a blocker or
# critical verdict.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
suite=cleanroom_benchmarks tries=10 repetitions=10 min_time=0.1 build_dir="$repo/build/release" out="" metric=auto
while (($#)); do
  case "$1" in
    --suite) suite=$2; shift ;;
    --tries) tries=$2; shift ;;
    --repetitions) repetitions=$2; shift ;;
    --min-time) min_time=$2; shift ;;
    --build-dir) build_dir=$2; shift ;;
    --out) out=$2; shift ;;
    --metric) metric=$2; shift ;;
    *) echo "bench_aa: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[[ -n $out ]] || out=$(mktemp -d /tmp/clnrm-aa.XXXXXX)
mkdir -p "$out"
bin="$build_dir/bench/$suite"
clnrm="$build_dir/clnrm"
[[ -x $bin && -x $clnrm ]] || { echo "bench_aa: build $bin and $clnrm first (cmake --build --preset release)" >&2; exit 2; }

echo "A/A: $suite, $tries tries, $repetitions repetitions, min_time ${min_time}s, metric $metric, load $(cut -d' ' -f1-3 /proc/loadavg)"
total_warn=0 total_crit=0 total_block=0 total_impr=0 total_rows=0
for ((t = 1; t <= tries; t++)); do
  for side in a b; do
    "$bin" --benchmark_repetitions="$repetitions" --benchmark_min_time="$min_time" \
      --benchmark_enable_random_interleaving=true \
      --benchmark_out="$out/$t.$side.json" --benchmark_out_format=json >/dev/null 2>"$out/$t.$side.log"
  done
  "$clnrm" bench compare "$out/$t.a.json" "$out/$t.b.json" --metric "$metric" --budgets "$repo/bench/budgets.toml" --format json \
    -o "$out/$t.compare.json" || true
  read -r rows warn crit block impr < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1])); s = d["summary"]
print(len(d["benchmarks"]), s["warning"], s["critical"], s["blocker"], s["improved"])' "$out/$t.compare.json")
  printf 'try %2d: %d benchmarks, %d warning, %d critical, %d blocker, %d improved\n' "$t" "$rows" "$warn" "$crit" "$block" "$impr"
  total_rows=$((total_rows + rows)) total_warn=$((total_warn + warn)) total_crit=$((total_crit + crit))
  total_block=$((total_block + block)) total_impr=$((total_impr + impr))
done
echo "total: $total_rows comparisons, $total_warn warning, $total_crit critical, $total_block blocker, $total_impr improved (results in $out)"
((total_crit + total_block == 0))
