#!/usr/bin/env bash
# Where the time of `clnrm run one.clnrm.toml` goes, phase by phase, whole
# process (issue 17): a copy of HEAD's sources with a clock reading at each
# phase (bench/peers/phases/phase_probe.py; the repository's own build is
# never touched), built with the release preset, run RUNS times on the
# one-step file of bench/peers/whole_process.sh; prints the median and the
# minimum time from each phase to the next, from the fork of the process to
# the reaping of its exit, then each mark's median time since the fork (the
# first pod is made on a second thread: that table shows who waits).
#
# Usage: bench/peers/run_phases.sh [--alone] [RUNS]
#   RUNS (default 30), after 5 warm-up runs. --alone: 200 ms idle before
#   each run (as whole_process.sh's "alone" rows).
# The copy is a git worktree of HEAD in build/phases/src (kept between
# calls, reset to HEAD each time; ccache makes the rebuild short).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
alone=0
if [[ ${1:-} == --alone ]]; then alone=1; shift; fi
runs=${1:-30}

copy=$root/build/phases/src
if [[ -d $copy ]]; then
  git -C "$copy" reset -q --hard  # the probe of the last call
  git -C "$copy" checkout -q --detach "$(git -C "$root" rev-parse HEAD)"
else
  mkdir -p "$root/build/phases"
  git -C "$root" worktree add -q --detach "$copy" HEAD
fi
python3 "$here/phases/phase_probe.py" "$copy"
(cd "$copy" && cmake --preset release >/dev/null && cmake --build --preset release --target clnrm_bin clnrm_seccomp_exec >/dev/null)
clnrm=$copy/build/release/clnrm
cc -O2 -o "$root/build/phases/spawn_clock" "$here/phases/spawn_clock.c"

work=$(mktemp -d /tmp/clnrm-phases.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
cp "$here/one_step.clnrm.toml" one.clnrm.toml
for ((i = 0; i < 5; i++)); do "$clnrm" run -q one.clnrm.toml >/dev/null 2>&1; done
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((i = 0; i < runs; i++)); do
  ((alone)) && sleep 0.2
  "$root/build/phases/spawn_clock" "$clnrm" run -q one.clnrm.toml 2>"run_$i.phases" >/dev/null
done
python3 "$here/phases/medians.py" run_*.phases
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
