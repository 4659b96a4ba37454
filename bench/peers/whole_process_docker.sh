#!/usr/bin/env bash
# The docker backend as a user runs it, whole process, side by side in one
# hyperfine run (issue 17): one test with one busybox service and one step
# inside it, against testcontainers-node starting the same image, one exec,
# stop + remove, also as a whole process (`node one.mjs`), and the docker CLI.
#   clnrm run --backend docker --no-pool ...     cold: no container of clnrm's exists before
#   clnrm run --backend docker --reuse ...       warm: the service container is adopted (shared state)
#   clnrm run --backend docker --pool 2 ...      warm pool: the service container is a fresh, never-used
#                                                one the previous run's teardown process started (each
#                                                timed run waits, as --prepare, until one is there)
#   clnrm run --backend sandbox one.clnrm.toml   the same file on the sandbox: the image's layers
#                                                from clnrm's cache, a fresh pod (issue 16)
#   node one.mjs                                 testcontainers-node 10.28: start + exec + stop
#   docker run --rm --network none IMAGE echo    the docker CLI's create + start + wait + remove
# Prints min and median of each and the ratios of clnrm's rows to
# testcontainers-node's; then the step's own duration as clnrm reports it
# (JSON report, median of RUNS runs) cold, warm and pooled; and, for a step in
# an already running service container, the 2nd..6th of six `echo` steps in
# one service (the first pays for the step agent's start).
#
# Usage: bench/peers/whole_process_docker.sh [CLNRM_BINARY] [RUNS]
#   RUNS (default 10) per command, after 2 warm-up runs each.
# Needs hyperfine, node + npm (bench/peers/testcontainers-node: `npm ci`),
# the docker CLI and the engine of scripts/start-docker.sh with the test images.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
clnrm=$(realpath -m "${1:-$root/build/release/clnrm}")
runs=${2:-10}
tc=$here/testcontainers-node

[[ -x $clnrm ]] || { echo "whole_process_docker.sh: no clnrm binary at $clnrm" >&2; exit 2; }
for tool in hyperfine node docker python3; do
  command -v "$tool" >/dev/null || { echo "whole_process_docker.sh: $tool is not installed" >&2; exit 2; }
done
[[ -d $tc/node_modules/testcontainers ]] ||
  { echo "whole_process_docker.sh: run (cd $tc && npm ci) first" >&2; exit 2; }

work=$(mktemp -d /tmp/clnrm-whole-docker.XXXXXX)
trap 'rm -rf "$work"; "$clnrm" services stop whole_docker_warm/box >/dev/null 2>&1 || true
      [[ -n ${pool_key:-} ]] && docker rm -f $(docker ps -aq --filter "label=clnrm.pool=$pool_key") >/dev/null 2>&1 || true' EXIT
cd "$work"
service='[services.box]
plugin = "generic_container"
image = "clnrm-test/busybox"
args = ["sleep", "2147483647"]'
step='[[steps]]
name = "echo"
service = "box"
command = ["echo", "hello"]
expected_output_regex = "^hello"'
mkdir cold warm pool steps
printf '[test.metadata]\nname = "whole_docker_cold"\n\n%s\n\n%s\n' "$service" "$step" > cold/one.clnrm.toml
printf '[test.metadata]\nname = "whole_docker_pool"\n\n%s\n\n%s\n' "$service" "$step" > pool/one.clnrm.toml
printf '[test.metadata]\nname = "whole_docker_warm"\n\n%s\nreuse = true\n\n%s\n' "$service" "$step" > warm/one.clnrm.toml
{
  printf '[test.metadata]\nname = "whole_docker_steps"\n\n%s\n' "$service"
  for ((i = 0; i < 6; i++)); do printf '\n%s\n' "${step/name = \"echo\"/name = \"echo$i\"}"; done
} > steps/six.clnrm.toml

export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1
cold="$clnrm run --backend docker --no-pool cold/one.clnrm.toml"
pool="$clnrm run --backend docker --pool 2 pool/one.clnrm.toml"
warm="$clnrm run --backend docker warm/one.clnrm.toml"
sandbox="$clnrm run --backend sandbox cold/one.clnrm.toml"
node_one="node $tc/one.mjs"
docker_run="docker run --rm --network none clnrm-test/busybox echo hello"

# Sanity: every command works before anything is timed.
$cold >/dev/null
$warm >/dev/null
$pool >/dev/null
# The pool's key (its service's create body): what each timed pool run waits for.
for ((i = 0; i < 600; i++)); do
  pool_key=$(docker ps --filter label=clnrm.pool --filter label=clnrm.role=service --filter name=clnrm-pool- \
    --format '{{.Label "clnrm.pool"}}' | head -n 1)
  [[ -n $pool_key ]] && break
  sleep 0.1
done
[[ -n $pool_key ]] || { echo "whole_process_docker.sh: the pool run left no pool entry" >&2; exit 1; }
wait_pool="sh -c 'until [ -n \"\$(docker ps -q --filter label=clnrm.pool=$pool_key --filter name=clnrm-pool- --filter status=running)\" ]; do sleep 0.05; done'"
$sandbox >/dev/null  # the first use puts the image into clnrm's cache
(cd "$tc" && node one.mjs)
$docker_run >/dev/null

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine -N --style basic --warmup 2 --runs "$runs" --export-json "$work/result.json" \
  --prepare true --prepare true --prepare "$wait_pool" --prepare true --prepare true --prepare true \
  -n "clnrm run --backend docker (cold)" "$cold" \
  -n "clnrm run --backend docker, reuse (warm)" "$warm" \
  -n "clnrm run --backend docker, pool (warm, fresh)" "$pool" \
  -n "clnrm run --backend sandbox (same file, image cached)" "$sandbox" \
  -n "testcontainers-node start+exec+stop" "$node_one" \
  -n "docker run --rm" "$docker_run"
load=$(cut -d' ' -f1-3 /proc/loadavg)
echo "load after: $load"

# The step as clnrm reports it (from the CLI's JSON report).
for kind in cold warm pool; do
  for ((i = 0; i < runs; i++)); do
    flags=(--no-pool)
    if [[ $kind == pool ]]; then flags=(--pool 2); eval "$wait_pool"; fi
    "$clnrm" run --backend docker "${flags[@]}" --no-history --json "$work/$kind-$i.json" "$kind/one.clnrm.toml" >/dev/null
  done
done
for ((i = 0; i < runs; i++)); do
  "$clnrm" run --backend docker --no-pool --no-history --json "$work/steps-$i.json" steps/six.clnrm.toml >/dev/null
done

python3 - "$work" "$runs" "$load" <<'PY'
import json, statistics, sys
work, runs, load = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = {r["command"]: r for r in json.load(open(f"{work}/result.json"))["results"]}
peer = rows["testcontainers-node start+exec+stop"]
print(f"\n{'command':44} {'min ms':>8} {'median ms':>10}  ratio to testcontainers-node (min / median)")
for name, r in rows.items():
    line = f"{name:44} {1000 * min(r['times']):8.1f} {1000 * r['median']:10.1f}"
    if name.startswith("clnrm"):
        line += f"  {min(r['times']) / min(peer['times']):.2f}x / {r['median'] / peer['median']:.2f}x"
    print(line)
for kind in ("cold", "warm", "pool"):
    steps = [json.load(open(f"{work}/{kind}-{i}.json"))["tests"][0]["steps"][0]["duration_ms"] for i in range(runs)]
    print(f"step `echo hello` inside the service, {kind}, as clnrm reports it: min {min(steps):.1f} ms, median {statistics.median(steps):.1f} ms")
later = []
for i in range(runs):
    later += [s["duration_ms"] for s in json.load(open(f"{work}/steps-{i}.json"))["tests"][0]["steps"][1:]]
print(f"a step in a running service (2nd..6th of six, {len(later)} steps): min {min(later):.1f} ms, "
      f"median {statistics.median(later):.1f} ms, max {max(later):.1f} ms")
print(f"load after the run (1/5/15 min): {load}")
PY
