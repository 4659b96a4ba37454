#!/usr/bin/env bash
# clnrm vs bats, side by side, on the same 100 one-step checks
# (`echo hello` whose output must match /hello/).
#   clnrm: 100 *.clnrm.toml files, `clnrm run --jobs 2` (each test in its own
#          cleanroom: fresh PID/mount/net/UTS/IPC namespaces)
#   bats:  one .bats file with 100 @test blocks (plain subshells, no isolation)
# Prints both medians and the ratio clnrm/bats (target: <= 0.25).
#
# Usage: bench/peers/bats/compare.sh [--json FILE] [CLNRM_BINARY] [RUNS]
#   CLNRM_BINARY defaults to build/release/clnrm (cmake --preset release &&
#   cmake --build --preset release --target clnrm_bin). RUNS defaults to 10.
#   --json FILE also writes the result machine-readable (read by
#   scripts/gen_baseline_metrics.py): the command, both medians and every
#   run's time, in ms.
# Uses hyperfine (Debian package, installed by scripts/setup-deps.sh).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
json_out=""
if [[ ${1:-} == --json ]]; then
  [[ -n ${2:-} ]] || { echo "compare.sh: --json needs a file" >&2; exit 2; }
  json_out=$(realpath -m "$2")  # the script changes directory below
  shift 2
fi
clnrm=$(realpath -m "${1:-$root/build/release/clnrm}")  # absolute: the script changes directory below
runs=${2:-10}
backend=${CLNRM_BACKEND:-sandbox}
count=100

[[ -x $clnrm ]] || { echo "compare.sh: no clnrm binary at $clnrm (build the release preset first)" >&2; exit 2; }
command -v bats >/dev/null || { echo "compare.sh: bats is not installed (scripts/setup-deps.sh)" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "compare.sh: hyperfine is not installed (scripts/setup-deps.sh)" >&2; exit 2; }

work=$(mktemp -d /tmp/clnrm-vs-bats.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/clnrm"
# clnrm records every run in ./.clnrm/history.db (as users get it): keep it in the temp dir.
cd "$work"

for i in $(seq -w 1 $count); do
  cat > "$work/clnrm/echo_$i.clnrm.toml" <<TOML
[test.metadata]
name = "echo_$i"

[[steps]]
name = "echo"
command = ["echo", "hello"]
expected_output_regex = "hello"
TOML
done

{
  for i in $(seq -w 1 $count); do
    cat <<BATS
@test "echo_$i" {
  run echo hello
  [ "\$status" -eq 0 ]
  [[ "\$output" =~ hello ]]
}

BATS
  done
} > "$work/echo.bats"

# Sanity: both pass before anything is timed.
"$clnrm" run --jobs 2 --quiet --backend "$backend" "$work/clnrm" >/dev/null
bats "$work/echo.bats" >/dev/null

hyperfine --style basic --warmup 1 --runs "$runs" --export-json "$work/result.json" \
  -n "clnrm run --jobs 2 ($count tests, $backend)" "$clnrm run --jobs 2 --quiet --backend $backend $work/clnrm" \
  -n "bats ($count tests)" "bats $work/echo.bats"

python3 - "$work/result.json" "$json_out" "$count" "$backend" "$runs" "${clnrm#"$root"/}" <<'PY'
import json, sys
result, json_out, count, backend, runs, clnrm_binary = sys.argv[1:]
r = json.load(open(result))["results"]
clnrm, bats = r[0]["median"], r[1]["median"]
print(f"clnrm median {clnrm*1000:.1f} ms, bats median {bats*1000:.1f} ms, ratio clnrm/bats = {clnrm/bats:.3f} (target <= 0.25)")
if json_out:
    ms = lambda xs: [round(x * 1000, 3) for x in xs]
    doc = {
        "comparison": "bats",
        "status": "ok",
        "command": (f"CLNRM_BACKEND={backend} " if backend != "sandbox" else "")
                   + f"bench/peers/bats/compare.sh {clnrm_binary} {runs}",
        "rows": [{
            "workload": f"{count} one-step tests (`echo hello` + regex), `clnrm run --jobs 2` vs one .bats file",
            "clnrm_ms": round(clnrm * 1000, 3), "ref_ms": round(bats * 1000, 3), "ref_label": "bats",
            "clnrm_samples_ms": ms(r[0]["times"]), "ref_samples_ms": ms(r[1]["times"]),
            "ratio": "clnrm/ref", "target": 0.25, "issue": 3,
        }],
    }
    with open(json_out, "w") as f:
        json.dump(doc, f, indent=2)
PY
