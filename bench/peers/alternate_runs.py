#!/usr/bin/env python3
# Whole-process A/B of two or more commands on a busy machine: each round
# runs every command once, in a new random order, so load drift hits all of
# them alike (docs/history.md uses it). Five warm-up rounds are not counted.
# Prints, per command, the wall time (mean, median, p10) and the CPU time
# (user + system of the process and its children: mean, median), in ms.
#
# Usage: bench/peers/alternate_runs.py ROUNDS 'COMMAND A' 'COMMAND B' ...
#   each COMMAND is split like a shell would (no pipes or redirections);
#   its stdout and stderr go to /dev/null.
# Comparing two builds of an executable, run two copies of each, in files of
# their own: on a VM two files of identical bytes ran 0.2-0.5 ms apart
# (docs/SANDBOX.md, "Faults in one call").
import os
import random
import shlex
import statistics
import sys
import time

if len(sys.argv) < 4:
    sys.exit("usage: alternate_runs.py ROUNDS 'COMMAND A' 'COMMAND B' ...")
rounds = int(sys.argv[1])
commands = [shlex.split(c) for c in sys.argv[2:]]
devnull = os.open(os.devnull, os.O_WRONLY)
samples = [[] for _ in commands]
warmup = 5
for r in range(warmup + rounds):
    order = list(enumerate(commands))
    random.shuffle(order)
    for index, argv in order:
        started = time.perf_counter()
        pid = os.posix_spawnp(argv[0], argv, os.environ,
                              file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1),
                                            (os.POSIX_SPAWN_DUP2, devnull, 2)])
        _, _, usage = os.wait4(pid, 0)
        wall = (time.perf_counter() - started) * 1000
        if r >= warmup:
            samples[index].append((wall, (usage.ru_utime + usage.ru_stime) * 1000))
for text, runs in zip(sys.argv[2:], samples):
    wall = sorted(w for w, _ in runs)
    cpu = sorted(c for _, c in runs)
    print(f"wall mean {statistics.mean(wall):.2f} median {statistics.median(wall):.2f} "
          f"p10 {wall[len(wall) // 10]:.2f} | cpu mean {statistics.mean(cpu):.2f} "
          f"median {statistics.median(cpu):.2f} ms : {text}")
