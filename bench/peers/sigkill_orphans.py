#!/usr/bin/env python3
# How often a SIGKILLed `clnrm run` leaves a process behind: RUNS runs, each
# SIGKILLed at a seeded random moment LO..HI ms after its start, then a scan
# of /proc for a process whose command line holds the run's temp directory
# (a pod init shares the runner's memory, so it shows the runner's command
# line). Prints each run that left one (and kills what it left) and the
# count. FaultSignalStress.SigkillAsTheRunStartsLeavesNoPodInit is the test;
# this counts instead of stopping at the first (docs/RELIABILITY.md, §1).
#
# Usage: bench/peers/sigkill_orphans.py CLNRM RUNS LO_MS HI_MS [--suite]
#   --suite: four one-step files run with --jobs 2 (else one file, -q).
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

if len(sys.argv) < 5:
    sys.exit("usage: sigkill_orphans.py CLNRM RUNS LO_MS HI_MS [--suite]")
binary = os.path.abspath(sys.argv[1])
runs, lo, hi = int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
suite = "--suite" in sys.argv[5:]

work = tempfile.mkdtemp(prefix="clnrm-sigkill-orphans.")
if suite:
    for i in range(4):
        with open(f"{work}/s{i}.clnrm.toml", "w") as f:
            f.write(f'[test.metadata]\nname = "t{i}"\n[[steps]]\nname = "s"\ncommand = ["sh", "-c", "sleep 0.05"]\n')
    command = [binary, "run", "--jobs", "2", "-q", work]
else:
    with open(f"{work}/one.clnrm.toml", "w") as f:
        f.write('[test.metadata]\nname = "one"\n[[steps]]\nname = "t"\ncommand = ["/bin/true"]\n')
    command = [binary, "run", "-q", f"{work}/one.clnrm.toml"]


def left_behind():
    pids = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/cmdline", "rb") as f:
                if work.encode() in f.read():
                    pids.append(int(p))
        except OSError:
            pass
    return pids


random.seed(1)
found = 0
try:
    for i in range(runs):
        p = subprocess.Popen(command, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(random.uniform(lo, hi) / 1000)
        p.send_signal(signal.SIGKILL)
        p.wait()
        # What the runner's death reached is gone within milliseconds.
        deadline = time.monotonic() + 0.5
        while left_behind() and time.monotonic() < deadline:
            time.sleep(0.02)
        pids = left_behind()
        if pids:
            found += 1
            print(f"run {i}: left {len(pids)} process(es)")
            for pid in pids:
                os.kill(pid, signal.SIGKILL)
finally:
    shutil.rmtree(work, ignore_errors=True)
print(f"runs that left a process: {found} of {runs}")
