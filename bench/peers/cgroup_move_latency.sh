#!/usr/bin/env bash
# How long moving a process into a cgroup v1 group takes, by how long ago
# the previous move was: what a sandbox pod's join of its memory and pids
# groups costs a whole `clnrm run` (docs/SANDBOX.md, "Whole process"). The
# kernel's cgroup_threadgroup_rwsem makes a writer wait for an RCU grace
# period unless another writer was there shortly before.
#
# Usage: bench/peers/cgroup_move_latency.sh [CONTROLLER] [MOVES_PER_GAP]
#   CONTROLLER (default memory): a v1 hierarchy under /sys/fs/cgroup.
# Needs root and a writable v1 hierarchy; makes and removes
# <hierarchy>/clnrm-latency-probe.
set -euo pipefail
controller=${1:-memory}
moves=${2:-6}
dir=/sys/fs/cgroup/$controller/clnrm-latency-probe
[[ -f /sys/fs/cgroup/$controller/cgroup.procs ]] ||
  { echo "cgroup_move_latency.sh: no cgroup v1 hierarchy at /sys/fs/cgroup/$controller" >&2; exit 2; }
python3 - "$dir" "$moves" <<'PY'
import os, subprocess, sys, time
d, moves = sys.argv[1], int(sys.argv[2])
os.makedirs(d, exist_ok=True)
try:
    print(f"{'gap before each move':>22}  move into {d} (ms)")
    for gap in (0.0, 0.002, 0.005, 0.01, 0.02, 0.05, 0.2):
        times = []
        for _ in range(moves):
            p = subprocess.Popen(["sleep", "10"])
            time.sleep(gap)
            t = time.perf_counter()
            with open(d + "/cgroup.procs", "w") as f:
                f.write(str(p.pid))
            times.append((time.perf_counter() - t) * 1000)
            p.kill()
            p.wait()
        print(f"{gap * 1000:19.0f} ms  " + " ".join(f"{x:6.2f}" for x in times))
finally:
    for _ in range(100):
        try:
            os.rmdir(d)
            break
        except OSError:
            time.sleep(0.01)
PY
