#!/usr/bin/env bash
# How long moving a process into a cgroup v1 group takes, by how long ago
# the previous move was, two ways (docs/SANDBOX.md, "Joining a group"):
#   procs  another process's pid written to cgroup.procs (what the sandbox did
#          until 2026-12-06): the kernel's cgroup_threadgroup_rwsem makes the
#          writer wait for an RCU grace period unless another writer was
#          there shortly before;
#   tasks  a single-threaded process writing "0" to `tasks`, moving itself
#          (what pod init and a spawned step's first child do now): no
#          global lock.
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
    # The child moves itself and prints how long the write took.
    self_move = ("import os, sys, time\n"
                 "fd = os.open(sys.argv[1], os.O_WRONLY)\n"
                 "t = time.perf_counter(); os.write(fd, b'0')\n"
                 "print((time.perf_counter() - t) * 1000)\n")
    print(f"{'gap before each move':>22}  {'way':>5}  move into {d} (ms)")
    for gap in (0.0, 0.002, 0.005, 0.01, 0.02, 0.05, 0.2):
        procs, tasks = [], []
        for _ in range(moves):
            p = subprocess.Popen(["sleep", "10"])
            time.sleep(gap)
            t = time.perf_counter()
            with open(d + "/cgroup.procs", "w") as f:
                f.write(str(p.pid))
            procs.append((time.perf_counter() - t) * 1000)
            p.kill()
            p.wait()
            time.sleep(gap)
            out = subprocess.run([sys.executable, "-c", self_move, d + "/tasks"],
                                 capture_output=True, text=True, check=True).stdout
            tasks.append(float(out))
        print(f"{gap * 1000:19.0f} ms  procs  " + " ".join(f"{x:6.2f}" for x in procs))
        print(f"{'':>22}  tasks  " + " ".join(f"{x:6.2f}" for x in tasks))
finally:
    for _ in range(100):
        try:
            os.rmdir(d)
            break
        except OSError:
            time.sleep(0.01)
PY
