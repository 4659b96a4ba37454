#!/usr/bin/env python3
"""Writes docs/BASELINE_METRICS.md from one result set of scripts/run_benchmarks.sh.

    scripts/gen_baseline_metrics.py bench/results/<set> > docs/BASELINE_METRICS.md

Every table says which command produced it and on what machine (system.txt of
the set). Medians are over the repetitions; the spread is the range of the
repetitions around the median, which is what a rerun should land in.

The "Peers, side by side" section comes first: the sandbox ratios from
sandbox_benchmarks.json of the set, and the peer comparisons that
`scripts/run_benchmarks.sh --peers` wrote to <set>/peers/*.json
(bench/peers/*/compare.sh --json), each against its issue's target.
"""
import json
import os
import re
import statistics
import sys


def fmt_time(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def fmt_count(v):
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(v) >= scale:
            return f"{v / scale:.3g}{unit}"
    return f"{v:.3g}"


SCALE = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
MEMORY = ("allocs/iter", "bytes/iter", "peak_bytes")


def load(path):
    text = open(path).read()
    for token in ("-Infinity", "Infinity", "NaN"):
        text = text.replace(f": {token}", ": null")
    return json.loads(text)


def iterations(doc):
    """Per benchmark (run_name, in first-seen order), its iteration entries, errors excluded."""
    rows = {}
    for b in doc.get("benchmarks", []):
        if b.get("run_type") == "aggregate" or b.get("error_occurred"):
            continue
        rows.setdefault(b.get("run_name") or b["name"], []).append(b)
    return rows


def median_real_ns(runs):
    vals = [r["real_time"] * SCALE[r.get("time_unit", "ns")] for r in runs if r.get("real_time") is not None]
    return statistics.median(vals) if vals else None


# Sandbox rows (issue 3), all from one sandbox_benchmarks run: (label, peer
# benchmark, peer label, target operator, target, target text).
SANDBOX_CLNRM = "IsolatedStep_FreshPod"
# (clnrm benchmark, label, peer benchmark, peer label, op, target, target text)
SANDBOX_COLD = "IsolatedStep_FreshPodCold"
SANDBOX_ROWS = [
    (SANDBOX_CLNRM, "isolated step (fresh pod, `/bin/true`) vs the raw floor", "RawFloor_AllNamespaces",
     "bare `clone()`, same namespace flags + exec + wait", "<=", 1.3, "≤ 1.3×"),
    (SANDBOX_COLD, "same, every pod made on the measured path (no standby pod)", "RawFloor_AllNamespaces",
     "bare `clone()`, same namespace flags + exec + wait", "<=", 1.3, "≤ 1.3×"),
    (SANDBOX_CLNRM, "isolated step vs `unshare --pid --mount --net --uts --ipc --fork /bin/true`", "Peer_Unshare",
     "`unshare` (util-linux)", None, None, "– (reference)"),
    (SANDBOX_CLNRM, "isolated step vs `bwrap`", "Peer_Bwrap", "`bwrap` (bubblewrap)", "<", 1.0,
     "< 1× (closer to the floor than bwrap)"),
]
OPS = {"<=": lambda r, t: r <= t, ">=": lambda r, t: r >= t, "<": lambda r, t: r < t}


def ratio_cells(clnrm_ms, ref_ms, kind, op, target, target_text=None):
    """Ratio, target and verdict cells. kind "clnrm/ref": lower is better;
    "ref/clnrm": how many times faster clnrm is than the reference."""
    ratio = clnrm_ms / ref_ms if kind == "clnrm/ref" else ref_ms / clnrm_ms
    shown = f"{ratio:.3g}×" if kind == "clnrm/ref" else f"{ratio:.3g}× faster"
    if target is None:
        return shown, target_text or "–", "–"
    op = op or ("<=" if kind == "clnrm/ref" else ">=")
    text = target_text or f"{op.replace('<=', '≤').replace('>=', '≥')} {target:g}×"
    return shown, text, "met" if OPS[op](ratio, target) else "**not met**"


def fmt_ms(ms):
    return fmt_time(ms * 1e6)


def peers_section(result_set, repetitions, min_time):
    out = ["\n## Peers, side by side\n",
           "clnrm against the raw kernel floor and against the tools people use instead, measured in the "
           "same run on the machine above, each against the target of its issue (ratio = clnrm / peer: "
           "lower is better; reuse rows: how many times faster the reused service is). Medians of wall "
           "time. A comparison that could not run says why; nothing here is estimated.\n"]
    header = "| comparison | clnrm | peer / reference | ratio | target | |"
    sep = "|---|---:|---|---:|---|---|"

    # Sandbox (issue 3): one binary, random interleaving, so the floor and
    # the backend see the same load.
    out.append("### Isolated step vs the kernel floor, `unshare`, `bwrap` (issue 3)\n")
    names = "|".join(dict.fromkeys([SANDBOX_CLNRM, SANDBOX_COLD] + [row[2] for row in SANDBOX_ROWS]))
    out.append("Command: `build/release/bench/sandbox_benchmarks "
               f"--benchmark_filter='^({names})/real_time$' --benchmark_repetitions={repetitions} "
               f"--benchmark_min_time={min_time} --benchmark_enable_random_interleaving=true` "
               "(measured within the whole suite's run)\n")
    path = os.path.join(result_set, "sandbox_benchmarks.json")
    if not os.path.exists(path):
        out.append("not run: sandbox_benchmarks is not in this result set (run scripts/run_benchmarks.sh "
                   "with it, e.g. `--suite sandbox_benchmarks`)\n")
    else:
        doc = load(path)
        errors = {(b.get("run_name") or b["name"]).split("/")[0]: b.get("error_message", "error")
                  for b in doc.get("benchmarks", []) if b.get("error_occurred")}
        medians = {name.split("/")[0]: median_real_ns(runs) for name, runs in iterations(doc).items()}
        out.append(header)
        out.append(sep)
        for clnrm_name, label, peer, peer_label, op, target, target_text in SANDBOX_ROWS:
            clnrm = medians.get(clnrm_name)
            ref = medians.get(peer)
            if clnrm is None or ref is None:
                missing = clnrm_name if clnrm is None else peer
                reason = errors.get(missing, f"`{missing}` has no result in this set")
                out.append(f"| {label} | not run: {reason} | {peer_label} | – | {target_text} | – |")
                continue
            ratio, target_cell, verdict = ratio_cells(clnrm, ref, "clnrm/ref", op, target, target_text)
            out.append(f"| {label} | {fmt_time(clnrm)} | {peer_label}: {fmt_time(ref)} | {ratio} | "
                       f"{target_cell} | {verdict} |")
        out.append("")

    # bench/peers/*/compare.sh --json, written by run_benchmarks.sh --peers.
    peers_dir = os.path.join(result_set, "peers")
    for name, title, rerun in PEERS:
        out.append(f"### {title}\n")
        path = os.path.join(peers_dir, f"{name}.json")
        if not os.path.exists(path):
            out.append(f"Command: `{rerun}`\n")
            out.append("not run: this result set has no peers/" + name + ".json (scripts/run_benchmarks.sh "
                       "was run with --quick or --no-peers)\n")
            continue
        doc = json.load(open(path))
        out.append(f"Command: `{doc.get('command', rerun)}`\n")
        if doc.get("status") != "ok":
            out.append(f"not run: {doc.get('reason', 'no reason recorded')}\n")
            continue
        if not doc.get("rows"):
            out.append("not run: the comparison produced no rows\n")
            continue
        if doc.get("note"):
            out.append(f"({doc['note']})\n")
        out.append(header)
        out.append(sep)
        for row in doc["rows"]:
            ratio, target_cell, verdict = ratio_cells(row["clnrm_ms"], row["ref_ms"], row["ratio"],
                                                      row.get("target_op"), row.get("target"))
            out.append(f"| {row['workload']} | {fmt_ms(row['clnrm_ms'])} | {row['ref_label']}: "
                       f"{fmt_ms(row['ref_ms'])} | {ratio} | {target_cell} | {verdict} |")
        out.append("")
    return out


# Peer comparisons: (peers/<name>.json, section title, command when none was recorded).
PEERS = [
    ("bats", "100 one-step tests: clnrm vs bats (issue 3)", "bench/peers/bats/compare.sh build/release/clnrm 10"),
    ("testcontainers-node", "Docker backend vs testcontainers-node, and service reuse (issue 4)",
     "bench/peers/testcontainers-node/compare.sh 2"),
]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    result_set = sys.argv[1].rstrip("/")
    system = open(os.path.join(result_set, "system.txt")).read().strip()
    suites = sorted(f for f in os.listdir(result_set) if f.endswith("_benchmarks.json"))
    if not suites:
        sys.exit(f"{result_set}: no <suite>.json files (run scripts/run_benchmarks.sh first)")
    out = []
    out.append("# Baseline metrics\n")
    mode = re.search(r"repetitions (\d+), min_time ([0-9.]+)s", system)
    if not mode:
        sys.exit(f"{result_set}/system.txt has no 'mode:' line")
    repetitions, min_time = mode.group(1), mode.group(2)
    out.append("Generated by `scripts/gen_baseline_metrics.py` from one run of "
               f"`scripts/run_benchmarks.sh` ({repetitions} repetitions per benchmark, "
               f"`--benchmark_min_time={min_time}`). Do not edit by hand: rerun the two commands below.\n")
    out.append("```sh\nscripts/run_benchmarks.sh   # full run, peer comparisons included\n"
               f"scripts/gen_baseline_metrics.py bench/results/<that run> > docs/BASELINE_METRICS.md\n```\n")
    out.append("Machine (`system.txt` of the run):\n\n```\n" + system + "\n```\n")
    out.append("Medians are over the repetitions, per iteration, for wall time (`real_time`) and CPU time "
               "(`cpu_time`); *range* is the lowest and highest repetition relative to that median — a rerun "
               "on the same kind of machine under similar load should land inside it. The regression gate "
               "(`clnrm bench compare`, default `--metric auto`) compares CPU time, and wall time for the "
               "`/real_time` rows. This machine is a shared 2-core VM with a high load average (see `load:` "
               "above): wall-time ranges are wide, CPU-time ranges much less so.\n")
    out += peers_section(result_set, repetitions, min_time)
    for suite_file in suites:
        rows = iterations(load(os.path.join(result_set, suite_file)))
        suite = suite_file[: -len(".json")]
        out.append(f"\n## {suite}\n")
        out.append(f"Command: `build/release/bench/{suite} --benchmark_repetitions={repetitions} "
                   f"--benchmark_min_time={min_time} --benchmark_out=... --benchmark_out_format=json`\n")
        has_memory = any(all(k in r[0] for k in MEMORY) for r in rows.values())
        header = "| benchmark | n | wall median | wall range | CPU median | CPU range | items/s (median) |"
        sep = "|---|---:|---:|---|---:|---|---:|"
        if has_memory:
            header += " allocs/iter | bytes/iter | peak bytes |"
            sep += "---:|---:|---:|"
        out.append(header)
        out.append(sep)
        def natural(name):
            return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]

        def cells(runs, field):
            vals = [r[field] * SCALE[r.get("time_unit", "ns")] for r in runs if r.get(field) is not None]
            if not vals:
                return None
            med = statistics.median(vals)
            lo, hi = min(vals) / med - 1, max(vals) / med - 1
            return len(vals), f"{fmt_time(med)} | {lo * 100:+.0f}% … {hi * 100:+.0f}%"

        for name in sorted(rows, key=natural):
            runs = rows[name]
            wall, cpu = cells(runs, "real_time"), cells(runs, "cpu_time")
            if not wall or not cpu:
                continue
            ips = [r["items_per_second"] for r in runs if r.get("items_per_second")]
            line = (f"| `{name}` | {wall[0]} | {wall[1]} | {cpu[1]} | "
                    f"{fmt_count(statistics.median(ips)) + '/s' if ips else '–'} |")
            if has_memory:
                for key in MEMORY:
                    vals = [r[key] for r in runs if r.get(key) is not None]
                    line += f" {fmt_count(statistics.median(vals)) if vals else '–'} |"
            out.append(line)
        peak = os.path.join(result_set, f"{suite}.time.txt")
        if os.path.exists(peak):
            for line in open(peak):
                if "Maximum resident set size" in line:
                    kb = int(line.split(":")[1])
                    out.append(f"\nPeak RSS of the whole suite run: {kb / 1024:.1f} MiB (`/usr/bin/time -v`).\n")
    print("\n".join(out))


if __name__ == "__main__":
    main()
