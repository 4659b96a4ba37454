#!/usr/bin/env bash
# A/B benchmark run for CI: the suites of two builds (e.g. the PR's merge-base
# and its head) run interleaved A B A B ... in the same job on the same
# machine, so drift in machine load hits both sides alike. Each round adds
# --repetitions samples per benchmark and side; the rounds of a side are
# merged into one file that `clnrm bench compare` reads.
#
#   scripts/bench_ab.sh BASE_BUILD_DIR HEAD_BUILD_DIR OUT_DIR [--rounds 4]
#       [--repetitions 5] [--min-time 0.2] [--filter REGEX]
#
# Writes OUT_DIR/base.json and OUT_DIR/head.json. Suites that only exist in
# the head build are run for the head side only (they show up as "new"); when
# the base build has no suites at all, only head.json is written.
set -euo pipefail

(($# >= 3)) || { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
base_build=$(cd "$1" && pwd)
head_build=$(cd "$2" && pwd)
out=$3
shift 3
rounds=4 repetitions=5 min_time=0.2 filter=""
while (($#)); do
  case "$1" in
    --rounds) rounds=$2; shift ;;
    --repetitions) repetitions=$2; shift ;;
    --min-time) min_time=$2; shift ;;
    --filter) filter=$2; shift ;;
    *) echo "bench_ab: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$out/rounds"

run_side() {  # side build suite round
  local bin="$2/bench/$3"
  local file="$out/rounds/$1.$3.$4.json"
  [[ -x $bin ]] || return 0
  local args=(--benchmark_repetitions="$repetitions" --benchmark_min_time="$min_time"
              --benchmark_enable_random_interleaving=true
              --benchmark_out="$file" --benchmark_out_format=json)
  [[ -n $filter ]] && args+=(--benchmark_filter="$filter")
  echo "== round $4 $1 $3"
  "$bin" "${args[@]}" >/dev/null 2>&1 || true
  # A suite with no benchmark matching --filter leaves an empty file.
  [[ -s $file ]] || rm -f "$file"
}

for ((round = 1; round <= rounds; round++)); do
  for bin in "$head_build"/bench/*_benchmarks; do
    suite=$(basename "$bin")
    run_side base "$base_build" "$suite" "$round"
    run_side head "$head_build" "$suite" "$round"
  done
done

clnrm="$head_build/clnrm"
shopt -s nullglob
base_files=("$out"/rounds/base.*.json)
head_files=("$out"/rounds/head.*.json)
((${#head_files[@]})) || { echo "bench_ab: no head results" >&2; exit 1; }
"$clnrm" bench merge "${head_files[@]}" -o "$out/head.json"
if ((${#base_files[@]})); then
  "$clnrm" bench merge "${base_files[@]}" -o "$out/base.json"
else
  echo "bench_ab: the base build has no benchmark suites: nothing to compare, wrote $out/head.json only" >&2
  exit 0
fi
echo "wrote $out/base.json and $out/head.json ($rounds rounds x $repetitions repetitions)"
