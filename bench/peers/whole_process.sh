#!/usr/bin/env bash
# What a user waits for, whole process, side by side in rounds of hyperfine
# (issue 17): the clnrm binary as it is run from a shell, against the floors
# of the same machine at the same moment.
#   /bin/true                        a process that does nothing
#   clnrm --version                  start-up alone            target <= 3x /bin/true
#   clnrm validate small.clnrm.toml  start-up + one parse      target <= 4x /bin/true
#   unshare --pid --mount --net --uts --ipc --fork /bin/true
#                                    the namespaces of a cleanroom, nothing else
#   bwrap --unshare-all ... /bin/true   bubblewrap, a peer sandbox (for reference)
#   clnrm run one.clnrm.toml         one test, one `/bin/true` step, sandbox,
#                                    history recorded (as a user gets it)
#                                                              target <= 2x unshare
#   the last two again, each run alone (200 ms idle before each run, as a
#   user runs one file; back-to-back runs can hide kernel costs)
# Prints min and median of each and the ratios to their anchors (min,
# median and mean: hyperfine's own summary compares means; a min is one
# sample, the luckiest run of each). Builds
# nothing: pass the binary (default build/release/clnrm).
#
# Usage: bench/peers/whole_process.sh [--json FILE] [--instructions] [--rounds R] [CLNRM_BINARY] [RUNS]
#   RUNS (default 100) per command, in R rounds (default 10): each round is
#   one hyperfine invocation of every command (RUNS/R runs each, after 3
#   warm-up runs), the commands in another order each round, and the
#   samples of all rounds are pooled. hyperfine times each command's runs in
#   one block; on a VM whose speed drifts by a fifth within minutes (the
#   same binary's median 11.4 then 9.7 ms three minutes apart, 2026-12-07),
#   one block per command gave whichever ran in the slow stretch the worse
#   ratio (docs/SANDBOX.md, "Interleaved rounds"). --rounds 1 is one block
#   per command, as hyperfine alone times them.
#   --instructions also counts the instructions of the single-process commands
#   (/bin/true, --version, validate) under callgrind: unlike times, these do
#   not move with the machine's load (perf's hardware counters, where the
#   machine has them, give the same figure; callgrind works in a VM too). A
#   sandbox run cannot be counted that way (valgrind cannot start namespaced
#   processes); its user+sys CPU time is printed instead.
#   --json FILE writes every figure (ms) machine-readable.
# Needs hyperfine, unshare (util-linux), bwrap (bubblewrap) and, for
# --instructions, valgrind: scripts/setup-deps.sh installs them.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
json_out=""
instructions=0
rounds=10
while [[ ${1:-} == --* ]]; do
  case $1 in
    --json)
      [[ -n ${2:-} ]] || { echo "whole_process.sh: --json needs a file" >&2; exit 2; }
      json_out=$(realpath -m "$2")  # the script changes directory below
      shift 2 ;;
    --instructions) instructions=1; shift ;;
    --rounds)
      [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || { echo "whole_process.sh: --rounds needs a positive number" >&2; exit 2; }
      rounds=$2
      shift 2 ;;
    *) echo "whole_process.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
clnrm=$(realpath -m "${1:-$root/build/release/clnrm}")
runs=${2:-100}

[[ -x $clnrm ]] || { echo "whole_process.sh: no clnrm binary at $clnrm (build the release preset first)" >&2; exit 2; }
for tool in hyperfine unshare bwrap python3; do
  command -v "$tool" >/dev/null || { echo "whole_process.sh: $tool is not installed (scripts/setup-deps.sh)" >&2; exit 2; }
done
if ((instructions)); then
  command -v valgrind >/dev/null || { echo "whole_process.sh: valgrind is not installed (scripts/setup-deps.sh)" >&2; exit 2; }
fi

work=$(mktemp -d /tmp/clnrm-whole-process.XXXXXX)
trap 'rm -rf "$work"' EXIT
# clnrm run records history in ./.clnrm/history.db, as it does for a user:
# the runs below keep adding to one database in the temp directory.
cd "$work"
cp "$here/one_step.clnrm.toml" one.clnrm.toml
cat > small.clnrm.toml <<'TOML'
[test.metadata]
name = "small"
timeout = "30s"

[services.web]
plugin = "process"
args = ["python3", "-m", "http.server", "8000", "--bind", "127.0.0.1"]
wait_for = { port = 8000, timeout = "10s" }

[[steps]]
name = "fetch"
command = ["curl", "-fsS", "http://127.0.0.1:8000/"]
expected_exit_code = 0

[[steps]]
name = "greet"
command = ["echo", "hello"]
expected_output_regex = "^hello"
TOML

unshare_cmd="unshare --pid --mount --net --uts --ipc --fork /bin/true"
bwrap_cmd="bwrap --unshare-all --ro-bind / / --proc /proc --dev /dev --tmpfs /tmp /bin/true"

# Sanity: every command works before anything is timed.
"$clnrm" --version >/dev/null
"$clnrm" validate small.clnrm.toml >/dev/null
$unshare_cmd
$bwrap_cmd
"$clnrm" run one.clnrm.toml >/dev/null

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
# One hyperfine invocation per round, its commands rotated by one each round
# (so each takes every place in the order as often), its JSON kept apart;
# the summary below pools the rounds' samples.
per_round() {  # the runs of one round: at least 2, RUNS spread over the rounds
  local n=$(( $1 / rounds ))
  echo $(( n < 2 ? 2 : n ))
}
timed_rounds() {  # timed_rounds PREFIX RUNS [hyperfine options --] NAME CMD NAME CMD ...
  local prefix=$1 total=$2
  shift 2
  local opts=()
  while [[ $1 != -- ]]; do opts+=("$1"); shift; done
  shift
  local names=() cmds=()
  while (($#)); do names+=("$1"); cmds+=("$2"); shift 2; done
  local n=${#names[@]} r i k args
  for ((r = 0; r < rounds; r++)); do
    args=()
    for ((i = 0; i < n; i++)); do
      k=$(( (i + r) % n ))
      args+=(-n "${names[k]}" "${cmds[k]}")
    done
    hyperfine -N --style none --warmup 3 --runs "$(per_round "$total")" "${opts[@]}" \
      --export-json "$work/${prefix}_$r.json" "${args[@]}" >/dev/null
  done
}
timed_rounds result "$runs" -- \
  "/bin/true" "/bin/true" \
  "clnrm --version" "$clnrm --version" \
  "clnrm validate small.clnrm.toml" "$clnrm validate small.clnrm.toml" \
  "unshare (5 namespaces) /bin/true" "$unshare_cmd" \
  "bwrap --unshare-all /bin/true" "$bwrap_cmd" \
  "clnrm run one.clnrm.toml" "$clnrm run one.clnrm.toml"
# The same two, each run alone (200 ms idle before each), as a user runs one
# file: back-to-back runs share kernel state a lone run pays for (an RCU grace
# period for a cgroup v1 move done the slow way: docs/SANDBOX.md, "Joining a
# group").
lone_runs=$(( runs / 2 > 10 ? runs / 2 : 10 ))
timed_rounds lone "$lone_runs" --prepare "sleep 0.2" -- \
  "unshare (5 namespaces) /bin/true, alone" "$unshare_cmd" \
  "clnrm run one.clnrm.toml, alone" "$clnrm run one.clnrm.toml"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

counts="{}"
if ((instructions)); then
  count() {  # instructions of one process (callgrind's Ir), children not followed
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
      sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
  }
  counts=$(printf '{"/bin/true": %s, "clnrm --version": %s, "clnrm validate small.clnrm.toml": %s}' \
    "$(count /bin/true)" "$(count "$clnrm" --version)" "$(count "$clnrm" validate small.clnrm.toml)")
fi

python3 - "$work" "$rounds" "$json_out" "$counts" "${clnrm#"$root"/}" "$runs" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import json, statistics, sys
work, rounds, json_out, counts, binary, runs, load = sys.argv[1:]
rounds = int(rounds)
counts = json.loads(counts)
# Each command's samples pooled over the rounds; its rounds kept too, for
# the spread of the ratios from round to round.
rows, per_round = {}, {}
for prefix in ("result", "lone"):
    for r in range(rounds):
        for res in json.load(open(f"{work}/{prefix}_{r}.json"))["results"]:
            row = rows.setdefault(res["command"], {"times": [], "cpu": []})
            row["times"] += res["times"]
            row["cpu"].append(res["user"] + res["system"])  # a round's mean
            per_round.setdefault(res["command"], []).append(res["times"])
anchors = {  # command -> (anchor, target ratio)
    "clnrm --version": ("/bin/true", 3.0),
    "clnrm validate small.clnrm.toml": ("/bin/true", 4.0),
    "bwrap --unshare-all /bin/true": ("unshare (5 namespaces) /bin/true", None),
    "clnrm run one.clnrm.toml": ("unshare (5 namespaces) /bin/true", 2.0),
    "clnrm run one.clnrm.toml, alone": ("unshare (5 namespaces) /bin/true, alone", 2.0),
}
ms = lambda s: s * 1000
def fig(name):
    t = rows[name]["times"]
    return {"min_ms": ms(min(t)), "median_ms": ms(statistics.median(t)), "mean_ms": ms(statistics.mean(t)),
            "cpu_ms": ms(statistics.mean(rows[name]["cpu"]))}
print(f"\n{rounds} rounds, {len(rows['/bin/true']['times'])} runs of each back-to-back command in all")
print(f"{'command':40} {'min ms':>8} {'median ms':>10} {'cpu ms':>7}  ratio to anchor (min / median / mean), target")
out = []
for name in rows:
    f = fig(name)
    line = f"{name:40} {f['min_ms']:8.2f} {f['median_ms']:10.2f} {f['cpu_ms']:7.2f}"
    row = {"command": name, **{k: round(v, 3) for k, v in f.items()},
           "samples_ms": [round(ms(t), 3) for t in rows[name]["times"]]}
    if name in anchors:
        anchor, target = anchors[name]
        a = fig(anchor)
        rmin, rmed = f["min_ms"] / a["min_ms"], f["median_ms"] / a["median_ms"]
        rmean = f["mean_ms"] / a["mean_ms"]  # what hyperfine's own summary compares
        line += f"  {rmin:.2f}x / {rmed:.2f}x / {rmean:.2f}x of {anchor}" + (f", target <= {target:g}x" if target else "")
        # The median ratio of each round alone: how far one block moves it.
        spread = [statistics.median(mine) / statistics.median(theirs)
                  for mine, theirs in zip(per_round[name], per_round[anchor])]
        if rounds > 1:
            line += f"  (rounds: {min(spread):.2f}x-{max(spread):.2f}x)"
        row.update(anchor=anchor, ratio_min=round(rmin, 3), ratio_median=round(rmed, 3), ratio_mean=round(rmean, 3),
                   ratio_median_by_round=[round(x, 3) for x in spread], target=target)
    if name in counts:
        line += f"  [{int(counts[name]):,} instructions]"
        row["instructions"] = int(counts[name])
    print(line)
    out.append(row)
if counts:
    base = int(counts["/bin/true"])
    print("instructions (callgrind, load-independent): " +
          ", ".join(f"{k} {int(v):,} ({int(v) / base:.1f}x /bin/true)" for k, v in counts.items()))
print(f"load after the run (1/5/15 min): {load}")
if json_out:
    with open(json_out, "w") as fh:
        json.dump({"comparison": "whole-process", "status": "ok",
                   "command": f"bench/peers/whole_process.sh --rounds {rounds} {binary} {runs}",
                   "rounds": rounds, "load": load, "rows": out}, fh, indent=2)
PY
