#!/usr/bin/env bash
# Side by side: clnrm's docker backend (bench/docker_benchmarks.cpp, release
# build) vs testcontainers-node (bench.mjs), same engine, same image, same
# workloads, alternating rounds so both see the same machine load.
#   fresh: one container (clnrm: one pod) + one exec/step + removal
#   warm:  one exec/step in a running container
# Usage: bench/peers/testcontainers-node/compare.sh [--json FILE] [rounds=2]
#   --json FILE also writes the result machine-readable (read by
#   scripts/gen_baseline_metrics.py): the command and, per workload, both
#   medians in ms and the target.
# Env: BUILD_DIR (default build/release; built when the binary is missing).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
json_out=""
if [[ ${1:-} == --json ]]; then
  [[ -n ${2:-} ]] || { echo "compare.sh: --json needs a file" >&2; exit 2; }
  json_out=$(realpath -m "$2")
  shift 2
fi
rounds=${1:-2}
build=${BUILD_DIR:-$root/build/release}
out=$(mktemp -d)
# The reuse benchmarks leave warm units by design (docker_benchmarks removes
# its own at exit); after a crashed run remove those whose benchmark process
# is gone, never the units of another live run on the same engine.
cleanup() {
  rm -rf "$out"
  local id pid
  docker ps -a --filter "label=clnrm.reuse-name=bench-ten-step/db" --format '{{.ID}} {{.Label "clnrm.pid"}}' 2>/dev/null |
    while read -r id pid; do
      if [[ -z $pid ]] || ! kill -0 "$pid" 2>/dev/null; then docker rm -f "$id" >/dev/null 2>&1 || true; fi
    done
}
trap cleanup EXIT

"$root/scripts/start-docker.sh"
"$root/scripts/make-test-images.sh"
if [[ ! -d $here/node_modules/testcontainers ]]; then
  if ! (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) 2>"$out/npm.err"; then
    cat "$out/npm.err" >&2
    # One line that says why (callers record the last line as the reason).
    why=$( { grep -m1 'FetchError' "$out/npm.err" || grep -m1 'npm error code' "$out/npm.err"; } | sed 's/^npm error //' | cut -c1-200)
    echo "compare.sh: cannot install testcontainers from the npm registry: ${why:-see the npm output above}" >&2
    exit 1
  fi
fi
if [[ ! -x $build/bench/docker_benchmarks ]]; then
  (cd "$root" && cmake --preset release >/dev/null && cmake --build --preset release -j2 --target docker_benchmarks)
fi

export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1
for ((r = 1; r <= rounds; r++)); do
  echo "round $r/$rounds: clnrm" >&2
  "$build/bench/docker_benchmarks" \
    --benchmark_filter='BM_DockerFreshPodExecRemove/|BM_DockerFreshPodExecRemoveSequential|BM_DockerRawContainerExecRemove|BM_DockerWarmExec/|BM_DockerWarmEngineExec|BM_DockerTen|BM_DockerServiceReady' \
    --benchmark_min_time=2 --benchmark_repetitions=3 --benchmark_format=json >"$out/clnrm-$r.json" 2>"$out/clnrm-$r.err" ||
    { status=$?; tail -5 "$out/clnrm-$r.err" >&2; echo "compare.sh: docker_benchmarks failed (exit $status)" >&2; exit 1; }
  echo "round $r/$rounds: testcontainers-node" >&2
  (cd "$here" && node bench.mjs 10 50) >"$out/tc-$r.jsonl"
done

python3 - "$out" "$rounds" "$json_out" <<'PY'
import json, statistics, sys, os
out, rounds, json_out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
clnrm = {}
for r in range(1, rounds + 1):
    for b in json.load(open(os.path.join(out, f"clnrm-{r}.json")))["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue
        name = b["run_name"].split("/")[0]
        scale = {"ms": 1, "us": 1e-3, "ns": 1e-6, "s": 1e3}[b["time_unit"]]
        clnrm.setdefault(name, []).append(b["real_time"] * scale)
tc = {}
for r in range(1, rounds + 1):
    for line in open(os.path.join(out, f"tc-{r}.jsonl")):
        j = json.loads(line)
        tc.setdefault(j["name"], []).append(j["median_ms"])
med = lambda xs: statistics.median(xs)
# ratio "clnrm/ref": clnrm vs testcontainers-node, at most the target;
# ratio "ref/clnrm": clnrm's fresh service vs the reused one, at least the target.
rows = []
for label, c, t, target in [
    ("fresh: pod + 1 step + removal (waits for removal)", "BM_DockerFreshPodExecRemove", "fresh", 0.6),
    ("fresh: same, back-to-back suite (removal overlapped)", "BM_DockerFreshPodExecRemoveSequential", "fresh", 0.6),
    ("warm: 1 step in a running container (step agent)", "BM_DockerWarmExec", "warm", 0.5),
    ("warm: 1 step via the engine exec API", "BM_DockerWarmEngineExec", "warm", None),
]:
    if c in clnrm and t in tc:
        rows.append({"workload": label, "clnrm_ms": med(clnrm[c]), "ref_ms": med(tc[t]),
                     "ref_label": f"testcontainers-node {t}", "ratio": "clnrm/ref", "target": target,
                     "issue": 4, "clnrm_benchmark": c})
for label, name, target in [("10-step test, steps = redis-cli incr (at 127.0.0.1)", "TenStepTest", 10),
                            ("10-step test, steps = true", "TenTrivialStepTest", 10),
                            ("service ready only (create/adopt + ping)", "ServiceReady", None)]:
    f = clnrm.get(f"BM_Docker{name}FreshService") or clnrm.get(f"BM_Docker{name}Fresh")
    w = clnrm.get(f"BM_Docker{name}ReusedService") or clnrm.get(f"BM_Docker{name}Reused")
    if f and w:
        rows.append({"workload": f"service reuse: {label}", "clnrm_ms": med(w), "ref_ms": med(f),
                     "ref_label": "clnrm, fresh service", "ratio": "ref/clnrm", "target": target, "issue": 4,
                     "clnrm_benchmark": f"BM_Docker{name}"})
# Floors (no target): the engine's own create + start + exec + remove as
# sequential raw API calls, and the 11 redis-cli runs of the redis test in one
# step, which the reused test cannot beat.
raw = clnrm.get("BM_DockerRawContainerExecRemove")
if raw and "fresh" in tc:
    rows.append({"workload": "floor: raw API create+start+exec+remove, no framework", "clnrm_ms": med(raw),
                 "ref_ms": med(tc["fresh"]), "ref_label": "testcontainers-node fresh", "ratio": "clnrm/ref",
                 "target": None, "issue": 4, "clnrm_benchmark": "BM_DockerRawContainerExecRemove"})
fresh_redis, redis_floor = clnrm.get("BM_DockerTenStepTestFreshService"), clnrm.get("BM_DockerTenStepTestRedisCliFloor")
if fresh_redis and redis_floor:
    rows.append({"workload": "service reuse: floor: its 11 redis-cli runs in one step (best possible)",
                 "clnrm_ms": med(redis_floor), "ref_ms": med(fresh_redis), "ref_label": "clnrm, fresh service",
                 "ratio": "ref/clnrm", "target": None, "issue": 4,
                 "clnrm_benchmark": "BM_DockerTenStepTestRedisCliFloor"})
def table(kind, header):
    """kind "clnrm/ref": clnrm vs testcontainers-node (columns clnrm, tc);
    "ref/clnrm": fresh vs reused service (columns fresh, reused), a speedup."""
    print(header)
    for row in rows:
        if row["ratio"] != kind:
            continue
        lower = kind == "clnrm/ref"
        a, b = (row["clnrm_ms"], row["ref_ms"]) if lower else (row["ref_ms"], row["clnrm_ms"])
        ratio, target = a / b, row["target"]
        met = target and (ratio <= target if lower else ratio >= target)
        verdict = f"{'<=' if lower else '>='} {target}{'' if lower else 'x'} {'ok' if met else 'MISSED'}" if target else "-"
        shown = f"{ratio:6.2f}" if lower else f"{ratio:5.1f}x"
        print(f"{row['workload'].removeprefix('service reuse: '):58} {a:9.1f} {b:10.1f} {shown} {verdict}")


table("clnrm/ref", f"{'workload':58} {'clnrm ms':>9} {'tc-node ms':>10} {'ratio':>6} target")
print()
table("ref/clnrm", f"{'service reuse (clnrm only)':58} {'fresh ms':>9} {'reused ms':>10} {'ratio':>6} target")
note = f"medians over {rounds} round(s); clnrm: 3 repetitions x 2s each; testcontainers-node: 10 fresh, 50 warm per round"
print(f"({note})")
if json_out:
    for row in rows:
        row["clnrm_ms"], row["ref_ms"] = round(row["clnrm_ms"], 3), round(row["ref_ms"], 3)
    with open(json_out, "w") as f:
        json.dump({"comparison": "testcontainers-node", "status": "ok",
                   "command": f"bench/peers/testcontainers-node/compare.sh {rounds}", "note": note,
                   "rows": rows}, f, indent=2)
PY
