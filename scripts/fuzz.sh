#!/usr/bin/env bash
# Builds (when needed) and runs one libFuzzer target for SECONDS seconds.
#
#   scripts/fuzz.sh TARGET SECONDS [libFuzzer flags...]
#   scripts/fuzz.sh parser 600
#   scripts/fuzz.sh demux 0 -runs=2000      # SECONDS=0: no time limit, stop after the runs
#   scripts/fuzz.sh list                    # the targets
#
# Targets: parser demux benchmark_json duration image_map shard (fuzz/*_fuzzer.cpp).
# The corpus grows in build/fuzz/corpus/TARGET, seeded from fuzz/seeds/TARGET,
# the test data (examples/, tests/unit/data, tests/e2e/data, generated specs)
# and tests/unit/data/fuzz-regressions/TARGET. A crash is written to
# build/fuzz/artifacts/TARGET/; copy it into tests/unit/data/fuzz-regressions/TARGET/
# after fixing it so fuzz_regression_test replays it in every `make test`.
# The last line printed is "fuzz TARGET: N executions in S s (...)".
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(parser demux benchmark_json duration image_map shard)

if [[ ${1:-} == list ]]; then printf '%s\n' "${targets[@]}"; exit 0; fi
if [[ $# -lt 2 ]]; then
  echo "usage: $0 TARGET SECONDS [libFuzzer flags...]   (targets: ${targets[*]})" >&2
  exit 2
fi
target=$1 seconds=$2
shift 2
[[ " ${targets[*]} " == *" $target "* ]] || { echo "unknown target '$target' (targets: ${targets[*]})" >&2; exit 2; }
[[ $seconds =~ ^[0-9]+$ ]] || { echo "SECONDS must be a whole number" >&2; exit 2; }

build=build/fuzz
# FUZZ_NO_BUILD=1: the caller built them (ctest's fuzz-smoke fixture, so six
# parallel tests do not run six builds in one build dir).
if [[ ${FUZZ_NO_BUILD:-0} != 1 ]]; then
  if [[ ! -f $build/CMakeCache.txt ]]; then cmake --preset fuzz >/dev/null; fi
  cmake --build --preset fuzz --target "fuzz_$target" -j "${FUZZ_BUILD_JOBS:-2}" >/dev/null
fi

# FUZZ_CORPUS_ROOT: where the growing corpus lives (the smoke test uses a
# scratch one so it replays the same seeds every time).
corpus=${FUZZ_CORPUS_ROOT:-$build/corpus}/$target
seeds=${FUZZ_CORPUS_ROOT:-$build}/seeds/$target
artifacts=$build/artifacts/$target
# A scratch corpus root starts empty every time (reproducible smoke runs).
[[ -n ${FUZZ_CORPUS_ROOT:-} ]] && rm -rf "$corpus"
mkdir -p "$corpus" "$artifacts"
rm -rf "$seeds" && mkdir -p "$seeds"
[[ -d fuzz/seeds/$target ]] && cp fuzz/seeds/"$target"/* "$seeds"/ 2>/dev/null || true
[[ -d tests/unit/data/fuzz-regressions/$target ]] && cp tests/unit/data/fuzz-regressions/"$target"/* "$seeds"/ 2>/dev/null || true
extra=()
if [[ $target == parser ]]; then
  # Every test file in the repository plus a few generated ones (names made
  # unique by their path so files with the same name do not overwrite each other).
  while IFS= read -r -d '' f; do
    cp "$f" "$seeds/$(echo "$f" | tr '/' '_')"
  done < <(find examples tests -name '*.toml' -print0 2>/dev/null)
  bash scripts/gen-spec-corpus.sh 30 "$build/gen-specs" >/dev/null
  while IFS= read -r -d '' f; do cp "$f" "$seeds/gen_$(basename "$f")"; done \
    < <(find "$build/gen-specs" -name '*.toml' -print0)
  extra+=(-dict=fuzz/parser.dict)
fi

flags=(-artifact_prefix="$artifacts/" -print_final_stats=1 -timeout=10 -rss_limit_mb=1024 -max_len=16384)
((seconds > 0)) && flags+=(-max_total_time="$seconds")
log=${FUZZ_CORPUS_ROOT:-$build}/fuzz-$target.log
start=$(date +%s.%N)
set +e
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
  "$build/fuzz/fuzz_$target" "${flags[@]}" "${extra[@]}" "$@" "$corpus" "$seeds" >"$log" 2>&1
rc=$?
set -e
end=$(date +%s.%N)
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
units=$(find "$corpus" -type f | wc -l)
if ((rc != 0)); then
  tail -n 60 "$log" >&2
  echo "fuzz $target: FAILED (exit $rc) after ${execs:-?} executions; input in $artifacts/, log $log" >&2
  exit 1
fi
printf 'fuzz %s: %s executions in %.0f s (corpus %s files, log %s)\n' "$target" "${execs:-?}" \
  "$(echo "$end - $start" | bc -l 2>/dev/null || python3 -c "print($end-$start)")" "$units" "$log"
