# Medians and minimums of the time between consecutive phases of many runs
# (each file: the "PHASE <ms> <name>" lines of one run), then the median
# time of each mark since the fork: with two threads at work (the standby
# worker makes the first pod while the runner's thread walks and opens the
# history, docs/SANDBOX.md "The first pod") "since the previous one" mixes
# their marks, the second table shows which thread waits for which. Used by
# bench/peers/run_phases.sh.
import statistics
import sys

steps, order, totals = {}, [], []
for path in sys.argv[1:]:
    marks = {}
    for line in open(path):
        parts = line.rstrip("\n").split(" ", 2)
        if len(parts) == 3 and parts[0] == "PHASE":
            marks.setdefault(parts[2], float(parts[1]))  # a phase seen twice: its first time
    if "spawn" not in marks or "exited" not in marks:
        continue
    previous = marks["spawn"]
    for name, at in sorted(marks.items(), key=lambda kv: kv[1]):
        if name == "spawn":
            continue
        steps.setdefault(name, []).append(at - previous)
        previous = at
        if name not in order:
            order.append(name)
    totals.append(marks["exited"] - marks["spawn"])
print(f"{'phase (time since the previous one)':40s} {'median ms':>10s} {'min ms':>8s}")
for name in order:
    v = steps[name]
    print(f"{name:40s} {statistics.median(v):10.3f} {min(v):8.3f}")
print(f"{'TOTAL (fork to reaped exit)':40s} {statistics.median(totals):10.3f} {min(totals):8.3f}   ({len(totals)} runs)")
since_fork = {}
for path in sys.argv[1:]:
    marks = {}
    for line in open(path):
        parts = line.rstrip("\n").split(" ", 2)
        if len(parts) == 3 and parts[0] == "PHASE":
            marks.setdefault(parts[2], float(parts[1]))
    if "spawn" not in marks or "exited" not in marks:
        continue
    for name, at in marks.items():
        if name != "spawn":
            since_fork.setdefault(name, []).append(at - marks["spawn"])
print()
print(f"{'mark (time since the fork)':40s} {'median ms':>10s}")
for name, v in sorted(since_fork.items(), key=lambda kv: statistics.median(kv[1])):
    print(f"{name:40s} {statistics.median(v):10.3f}")
