#!/usr/bin/env bash
# Builds the release preset, runs every benchmark suite, and checks the
# results against the saved baseline with `clnrm bench compare`.
#
#   scripts/run_benchmarks.sh                   full run: 10 repetitions per benchmark
#   scripts/run_benchmarks.sh --quick           smoke run: 3 repetitions, short min time
#   scripts/run_benchmarks.sh --instructions    CPU-bound benchmarks under callgrind:
#                                               instructions per iteration, gated at 2%
#   scripts/run_benchmarks.sh --save-baseline main   store this run as baseline "main"
#
# Options:
#   --baseline NAME       compare with this baseline (default: main)
#   --save-baseline NAME  save the merged results as baseline NAME for this platform
#   --filter REGEX        only benchmarks matching (Google Benchmark --benchmark_filter)
#   --suite NAME          only this suite (repeatable), e.g. --suite memory_benchmarks
#   --repetitions N       repetitions per benchmark (default 10, --quick 3)
#   --no-build            use the binaries already in build/<preset>
#   --preset NAME         CMake preset (default: release)
#   --build-dir DIR       use the binaries in DIR (implies --no-build), e.g. a base build in CI
#   --out DIR             write the result set here instead of bench/results/<stamp>
#   --no-compare          record only; no baseline comparison
#   --peers               also run the peer comparisons (bench/peers/: clnrm vs
#                         bats, clnrm's docker backend vs testcontainers-node)
#                         into <set>/peers/*.json; on by default in a full run
#   --no-peers            do not run them
#
# Everything lands in bench/results/<timestamp>-<commit>/ (the last 10 sets
# are kept; bench/results/ is git-ignored): one JSON per suite, all.json,
# system.txt, peak memory per suite, compare.txt / compare.md, report.html,
# peers/<peer>.json + .txt (a peer that cannot run is recorded as
# {"status": "not run", "reason": ...} and does not fail the run).
# scripts/gen_baseline_metrics.py <set> renders the set as BASELINE_METRICS.md.
# Every run is also appended to bench/results/bench-history.db.
#
# Exit status: that of `clnrm bench compare` (0 ok, 1 blocker/critical or over
# budget, 3 warnings only), 0 when there is no baseline to compare with yet,
# 2 on usage errors, anything else when a build or a suite failed.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

preset=release
quick=0
instructions=0
baseline=main
save_baseline=""
filter=""
repetitions=""
build=1
suites=()
build_dir=""
out=""
do_compare=1
peers=""  # empty: on for a full run, off for --quick / --instructions

usage() { sed -n '2,36p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while (($#)); do
  case "$1" in
    --quick) quick=1 ;;
    --instructions) instructions=1 ;;
    --baseline) baseline=$2; shift ;;
    --save-baseline) save_baseline=$2; shift ;;
    --filter) filter=$2; shift ;;
    --suite) suites+=("$2"); shift ;;
    --repetitions) repetitions=$2; shift ;;
    --no-build) build=0 ;;
    --preset) preset=$2; shift ;;
    --build-dir) build_dir=$2; build=0; shift ;;
    --out) out=$2; shift ;;
    --no-compare) do_compare=0 ;;
    --peers) peers=1 ;;
    --no-peers) peers=0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run_benchmarks: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if [[ -t 1 ]]; then
  bold=$'\e[1m' red=$'\e[31m' green=$'\e[32m' yellow=$'\e[33m' blue=$'\e[34m' reset=$'\e[0m'
else
  bold="" red="" green="" yellow="" blue="" reset=""
fi
step() { printf '%s==> %s%s\n' "$bold$blue" "$*" "$reset"; }
warn() { printf '%swarning:%s %s\n' "$yellow" "$reset" "$*"; }
fail() { printf '%serror:%s %s\n' "$red" "$reset" "$*" >&2; exit 1; }

if [[ -z $repetitions ]]; then
  if ((quick)); then repetitions=3; else repetitions=10; fi
fi
min_time=0.5
((quick)) && min_time=0.01
if [[ -z $peers ]]; then
  if ((quick || instructions)); then peers=0; else peers=1; fi
fi

[[ -z $build_dir ]] && build_dir="$repo/build/$preset"
build_dir=$(cd "$build_dir" 2>/dev/null && pwd || echo "$build_dir")
# The tools (merge, import, compare, record) come from this checkout's build
# even when the suites come from another one (--build-dir of a base commit).
clnrm="$repo/build/$preset/clnrm"
[[ -x $clnrm ]] || clnrm="$build_dir/clnrm"

# ---- build -------------------------------------------------------------------
if ((build)); then
  step "building preset '$preset' (clnrm and the benchmark suites)"
  cmake --preset "$preset" >/dev/null
  targets=(clnrm_bin)
  for src in bench/*_benchmarks.cpp; do targets+=("$(basename "$src" .cpp)"); done
  cmake --build --preset "$preset" -j "${CLNRM_BUILD_JOBS:-2}" --target "${targets[@]}"
fi
[[ -x $clnrm ]] || fail "$clnrm not built (run without --no-build)"

binaries=()
if ((${#suites[@]})); then
  for s in "${suites[@]}"; do binaries+=("$build_dir/bench/$s"); done
else
  for b in "$build_dir"/bench/*_benchmarks; do [[ -x $b ]] && binaries+=("$b"); done
fi
((${#binaries[@]})) || fail "no benchmark suites in $build_dir/bench"

# ---- result set ----------------------------------------------------------------
# The commit measured is the suites' source tree (--build-dir of a base commit
# is another checkout), as its CMake cache names it.
measured_tree=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build_dir/CMakeCache.txt" 2>/dev/null || true)
[[ -n $measured_tree ]] || measured_tree=$repo
measured_commit=$(git -C "$measured_tree" rev-parse HEAD 2>/dev/null || echo unknown)
commit=${measured_commit:0:7}
# Under callgrind every suite runs at min_time 0.05 (see below).
((instructions)) && min_time=0.05
stamp=$(date -u +%Y%m%dT%H%M%SZ)
results_root="$repo/bench/results"
if [[ -z $out ]]; then
  out="$results_root/$stamp-$commit"
  ((instructions)) && out="$out-instructions"
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)

# ---- system information --------------------------------------------------------
{
  echo "date:      $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit:    $measured_commit"
  echo "cpu:       $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "cores:     $(nproc) online of $(nproc --all)"
  echo "memory:    $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "kernel:    $(uname -sr)"
  echo "compiler:  $(${CXX:-c++} --version | head -1)"
  gov=/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor
  if [[ -r $gov ]]; then echo "governor:  $(cat $gov)"; else echo "governor:  not readable (no cpufreq in this VM/container)"; fi
  echo "load:      $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "preset:    $preset"
  echo "mode:      $( ((instructions)) && echo instructions || echo time), repetitions $repetitions, min_time ${min_time}s"
} > "$out/system.txt"
step "system"
cat "$out/system.txt"
load=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load" -v c="$(nproc)" 'BEGIN { exit !(l > c * 0.5) }'; then
  warn "load average $load on $(nproc) cores: timings will be noisy (the gate tolerates noise; it does not remove it)"
fi

# ---- run -----------------------------------------------------------------------
json_files=()
declare -A peak_kb
if ((instructions)); then
  command -v valgrind >/dev/null || fail "valgrind not installed (scripts/setup-deps.sh)"
  dumps="$out/callgrind"
  mkdir -p "$dumps"
  for bin in "${binaries[@]}"; do
    suite=$(basename "$bin")
    step "$suite under callgrind"
    mapfile -t names < <("$bin" --benchmark_list_tests ${filter:+--benchmark_filter="$filter"})
    i=0
    for name in "${names[@]}"; do
      # Thread-scaling and concurrency benchmarks are not CPU-bound in one
      # thread; callgrind serialises threads, so their counts mean nothing.
      if [[ $name == *threads:* || $name == *Concurrent* ]]; then continue; fi
      i=$((i + 1))
      regex="^$(printf '%s' "$name" | sed 's/[][\.*^$()+?{}|]/\\&/g')\$"
      printf '  %s\n' "$name"
      # min_time 0.05: at 0.01 a repetition under callgrind runs 1-2
      # iterations, and the benchmark loop's fixed ~700 instructions, divided
      # by 1 or 2, moved BM_SessionCreate by 18 % between two identical builds
      # (docs/BASELINE_METRICS.md, "Issue #15 refactor: before vs after").
      CLNRM_BENCH_NAME="$name" valgrind --tool=callgrind --instr-atstart=no \
        --callgrind-out-file="$dumps/$suite.$i.out" "$bin" --benchmark_filter="$regex" \
        --benchmark_min_time="$min_time" --benchmark_repetitions="$repetitions" >/dev/null 2>"$dumps/$suite.$i.log" ||
        fail "$name failed under callgrind (see $dumps/$suite.$i.log)"
    done
  done
  "$clnrm" bench import-callgrind "$dumps"/*.out.* -o "$out/all.json"
  metric=instructions
  baseline="$baseline.instructions"
  [[ -n $save_baseline ]] && save_baseline="$save_baseline.instructions"
else
  for bin in "${binaries[@]}"; do
    suite=$(basename "$bin")
    step "$suite"
    # Random interleaving spreads each benchmark's repetitions over the whole
    # suite run, so a burst of load hits one repetition of many benchmarks
    # instead of every repetition of one: samples closer to independent.
    args=(--benchmark_repetitions="$repetitions" --benchmark_min_time="$min_time"
          --benchmark_enable_random_interleaving=true
          --benchmark_out="$out/$suite.json" --benchmark_out_format=json)
    [[ -n $filter ]] && args+=(--benchmark_filter="$filter")
    if [[ -x /usr/bin/time ]]; then
      /usr/bin/time -v -o "$out/$suite.time.txt" "$bin" "${args[@]}" | tee "$out/$suite.txt" ||
        fail "$suite failed"
      peak_kb[$suite]=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$out/$suite.time.txt")
    else
      warn "/usr/bin/time missing (Debian package 'time'): no peak memory"
      "$bin" "${args[@]}" | tee "$out/$suite.txt" || fail "$suite failed"
    fi
    json_files+=("$out/$suite.json")
  done
  "$clnrm" bench merge "${json_files[@]}" -o "$out/all.json"
  metric=auto
fi

# ---- peers ---------------------------------------------------------------------
# Side-by-side comparisons with other tools (bench/peers/*/compare.sh). Each
# writes peers/<name>.json; one that cannot run (tool missing, npm registry
# unreachable, engine down) is recorded as not run with the reason, never
# faked, and the run goes on.
peer_not_run() {  # name, reproducing command, reason
  python3 -c 'import json, sys
json.dump({"comparison": sys.argv[1], "status": "not run", "command": sys.argv[2], "reason": sys.argv[3]},
          open(sys.argv[4], "w"), indent=2)' "$1" "$2" "$3" "$out/peers/$1.json"
  warn "peer $1 not run: $3"
}
run_peer() {  # name, reproducing command, required tools (space-separated), script, script args
  local name=$1 shown=$2 tools=$3 script=$4 tool rc=0 started=$SECONDS
  shift 4
  step "peer: $name"
  echo "  $shown"
  for tool in $tools; do
    command -v "$tool" >/dev/null || { peer_not_run "$name" "$shown" "$tool is not installed (scripts/setup-deps.sh)"; return; }
  done
  rm -f "$out/peers/$name.json"
  "$script" --json "$out/peers/$name.json" "$@" >"$out/peers/$name.txt" 2>&1 || rc=$?
  cat "$out/peers/$name.txt"
  if ((rc)); then
    peer_not_run "$name" "$shown" "exit $rc: $(grep -v '^[[:space:]]*$' "$out/peers/$name.txt" | tail -1)"
  elif [[ ! -s $out/peers/$name.json ]]; then
    peer_not_run "$name" "$shown" "the script wrote no result (see peers/$name.txt)"
  else
    echo "  ($((SECONDS - started)) s)"
  fi
}
if ((peers)); then
  mkdir -p "$out/peers"
  if ((quick)); then bats_runs=3 tc_rounds=1; else bats_runs=10 tc_rounds=2; fi
  run_peer bats "bench/peers/bats/compare.sh build/$preset/clnrm $bats_runs" "bats hyperfine" \
    bench/peers/bats/compare.sh "$clnrm" "$bats_runs"
  BUILD_DIR="$build_dir" run_peer testcontainers-node "bench/peers/testcontainers-node/compare.sh $tc_rounds" \
    "node npm docker" bench/peers/testcontainers-node/compare.sh "$tc_rounds"
fi

# ---- history, baseline, compare -----------------------------------------------
history="$results_root/bench-history.db"
"$clnrm" bench record "$out/all.json" --db "$history" --metric "$metric" --commit "$measured_commit"
"$clnrm" bench report --db "$history" --metric "$metric" --budgets bench/budgets.toml --html "$out/report.html" >/dev/null

status=0
compared=0
compare_args=("$out/all.json" --baseline "$baseline" --metric "$metric" --budgets bench/budgets.toml)
if ((do_compare)); then
  if "$clnrm" bench compare "${compare_args[@]}" --format markdown -o "$out/compare.md" 2>"$out/compare.err"; then
    status=0
  else
    status=$?
  fi
fi
if ((!do_compare)); then
  :
elif [[ $status -eq 2 ]] && grep -q "no baseline" "$out/compare.err"; then
  warn "$(cat "$out/compare.err")"
  warn "nothing to compare with; save one with: scripts/run_benchmarks.sh --save-baseline $baseline"
  status=0
else
  [[ $status -eq 2 ]] && { cat "$out/compare.err" >&2; exit 2; }
  "$clnrm" bench compare "${compare_args[@]}" --format text -o "$out/compare.txt" || true
  "$clnrm" bench compare "${compare_args[@]}" --format html -o "$out/compare.html" || true
  compared=1
fi

# Saved after the comparison, so saving over the baseline being compared
# with still compares against the previous one first.
if [[ -n $save_baseline ]]; then
  "$clnrm" bench compare "$out/all.json" --metric "$metric" --save-baseline "$save_baseline"
fi

# ---- keep the last 10 result sets --------------------------------------------
mapfile -t sets < <(find "$results_root" -mindepth 1 -maxdepth 1 -type d -name '20*' | sort)
if ((${#sets[@]} > 10)); then
  for old in "${sets[@]:0:${#sets[@]}-10}"; do rm -rf -- "$old"; done
fi

# ---- summary -------------------------------------------------------------------
step "summary"
echo "results:  $out"
for suite in "${!peak_kb[@]}"; do
  printf '  peak RSS %-28s %s MiB\n' "$suite" "$(awk -v k="${peak_kb[$suite]}" 'BEGIN {printf "%.1f", k/1024}')"
done
echo "history:  $history  (report: $out/report.html)"
if ((peers)); then
  for f in "$out"/peers/*.json; do
    printf '  peer %-22s %s\n' "$(basename "$f" .json)" \
      "$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(d["status"] + (": " + d["reason"] if d.get("reason") else ""))' "$f")"
  done
fi
echo "markdown: scripts/gen_baseline_metrics.py $out"
if ((compared)); then
  cat "$out/compare.txt"
  case $status in
    0) printf '%sno regression against baseline %s%s\n' "$green" "$baseline" "$reset" ;;
    3) printf '%swarnings against baseline %s (see compare.md)%s\n' "$yellow" "$baseline" "$reset" ;;
    *) printf '%sREGRESSION against baseline %s (see compare.md)%s\n' "$red" "$baseline" "$reset" ;;
  esac
fi
exit "$status"
