#!/usr/bin/env bash
# Side by side: clnrm's docker backend (bench/docker_benchmarks.cpp, release
# build) vs testcontainers-node (bench.mjs), same engine, same image, same
# workloads, alternating rounds so both see the same machine load.
#   fresh: one container (clnrm: one pod) + one exec/step + removal
#   warm:  one exec/step in a running container
# Usage: bench/peers/testcontainers-node/compare.sh [rounds=2]
# Env: BUILD_DIR (default build/release; built when the binary is missing).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
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
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
if [[ ! -x $build/bench/docker_benchmarks ]]; then
  (cd "$root" && cmake --preset release >/dev/null && cmake --build --preset release -j2 --target docker_benchmarks)
fi

export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1
for ((r = 1; r <= rounds; r++)); do
  echo "round $r/$rounds: clnrm" >&2
  "$build/bench/docker_benchmarks" \
    --benchmark_filter='BM_DockerFreshPodExecRemove/|BM_DockerFreshPodExecRemoveSequential|BM_DockerRawContainerExecRemove|BM_DockerWarmExec/|BM_DockerWarmEngineExec|BM_DockerTen|BM_DockerServiceReady' \
    --benchmark_min_time=2 --benchmark_repetitions=3 --benchmark_format=json >"$out/clnrm-$r.json" 2>/dev/null
  echo "round $r/$rounds: testcontainers-node" >&2
  (cd "$here" && node bench.mjs 10 50) >"$out/tc-$r.jsonl"
done

python3 - "$out" "$rounds" <<'PY'
import json, statistics, sys, os
out, rounds = sys.argv[1], int(sys.argv[2])
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
print(f"{'workload':58} {'clnrm ms':>9} {'tc-node ms':>10} {'ratio':>6} target")
rows = [
    ("fresh: pod + 1 step + removal (waits for removal)", "BM_DockerFreshPodExecRemove", "fresh", 0.6),
    ("fresh: same, back-to-back suite (removal overlapped)", "BM_DockerFreshPodExecRemoveSequential", "fresh", 0.6),
    ("warm: 1 step in a running container (step agent)", "BM_DockerWarmExec", "warm", 0.5),
    ("warm: 1 step via the engine exec API", "BM_DockerWarmEngineExec", "warm", 0.5),
]
for label, c, t, target in rows:
    if c in clnrm and t in tc:
        ratio = med(clnrm[c]) / med(tc[t])
        print(f"{label:58} {med(clnrm[c]):9.1f} {med(tc[t]):10.1f} {ratio:6.2f} <= {target} {'ok' if ratio <= target else 'MISSED'}")
# The engine's own cost: create + start + exec + remove, sequential raw API calls.
raw = clnrm.get("BM_DockerRawContainerExecRemove")
if raw and "fresh" in tc:
    print(f"{'floor: raw API create+start+exec+remove, no framework':58} {med(raw):9.1f} {med(tc['fresh']):10.1f} {med(raw) / med(tc['fresh']):6.2f}")
print()
print(f"{'service reuse (clnrm only)':58} {'fresh ms':>9} {'reused ms':>10} {'ratio':>6} target")
for label, name in [("10-step test, steps = redis-cli incr (at 127.0.0.1)", "TenStepTest"),
                    ("10-step test, steps = true", "TenTrivialStepTest"),
                    ("service ready only (create/adopt + ping)", "ServiceReady")]:
    f = clnrm.get(f"BM_Docker{name}FreshService") or clnrm.get(f"BM_Docker{name}Fresh")
    w = clnrm.get(f"BM_Docker{name}ReusedService") or clnrm.get(f"BM_Docker{name}Reused")
    if f and w:
        r = med(f) / med(w)
        print(f"{label:58} {med(f):9.1f} {med(w):10.1f} {r:5.1f}x >= 10x {'ok' if r >= 10 else 'MISSED'}")
# The reused redis test cannot be faster than its 11 redis-cli processes.
f, floor = clnrm.get("BM_DockerTenStepTestFreshService"), clnrm.get("BM_DockerTenStepTestRedisCliFloor")
if f and floor:
    print(f"{'floor: its 11 redis-cli runs in one step (best possible)':58} {med(f):9.1f} {med(floor):10.1f} {med(f) / med(floor):5.1f}x")
print(f"(medians over {rounds} round(s); clnrm: 3 repetitions x 2s each; testcontainers-node: 10 fresh, 50 warm per round)")
PY
