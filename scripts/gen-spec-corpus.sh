#!/usr/bin/env bash
# Generates N upstream-style *.clnrm.toml files in DIR for measuring
# `clnrm validate` throughput. Files vary (services, steps, scenarios, vars)
# so the parser does real work; all of them are valid.
#
#   scripts/gen-spec-corpus.sh 10000 /tmp/spec-corpus
#   time build/release/clnrm validate /tmp/spec-corpus
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 N DIR" >&2
  exit 2
fi
n=$1
dir=$2
[[ $n =~ ^[0-9]+$ ]] || { echo "N must be a number" >&2; exit 2; }
mkdir -p "$dir"

# awk writes all files in one process: spawning a shell per file would make
# generating 10,000 files slower than validating them.
awk -v n="$n" -v dir="$dir" 'BEGIN {
  for (i = 1; i <= n; i++) {
    sub_dir = sprintf("%s/group%02d", dir, i % 20)
    if (i <= 20) system("mkdir -p \"" sub_dir "\"")
    f = sprintf("%s/test_%05d.clnrm.toml", sub_dir, i)
    printf "# generated test %d\n", i > f
    if (i % 3 == 0) {
      printf "[vars]\nsvc = \"svc%d\"\nport = %d\n\n[meta]\nname = \"{{ vars.svc }}_test\"\nversion = \"1.0\"\ndescription = \"generated\"\n\n", i, 1000 + i % 50000 > f
    } else {
      printf "[test.metadata]\nname = \"generated_%d\"\ndescription = \"generated test %d\"\ntimeout = \"60s\"\ntags = [\"gen\", \"bench\"]\n\n", i, i > f
    }
    printf "[services.db]\ntype = \"generic_container\"\nimage = \"clnrm-test/redis\"\nargs = [\"redis-server\", \"--port\", \"6379\"]\nports = [6379]\nenv = { MODE = \"test\", INDEX = \"%d\" }\nwait_for = { port = 6379, timeout = \"10s\" }\n\n", i > f
    if (i % 2 == 0)
      printf "[services.cache]\nplugin = \"process\"\nargs = [\"sleep\", \"100\"]\ndepends_on = [\"db\"]\nwait_for = { log = \"ready.*accept\", timeout = \"5s\" }\n\n" > f
    steps = 3 + i % 5
    for (s = 1; s <= steps; s++) {
      printf "[[steps]]\nname = \"step_%d\"\ncommand = [\"sh\", \"-c\", \"echo value-%d-%d\"]\nexpected_output_regex = \"^value-%d-[0-9]+$\"\nexpected_exit_code = 0\ntimeout = \"5s\"\n", s, i, s, i > f
      if (s == 1) printf "service = \"db\"\nenv = { STEP = \"%d\" }\n", s > f
      printf "\n" > f
    }
    if (i % 4 == 0)
      printf "[[scenario]]\nname = \"scen\"\nconcurrent = true\nsteps = [\n  { name = \"a\", command = [\"echo\", \"a\"] },\n  { name = \"b\", command = [\"echo\", \"b\"], expected_output_regex = \"b\" },\n]\n\n" > f
    printf "[assertions]\nexecution_should_be_hermetic = true\n\n[policy]\nsecurity_level = \"medium\"\n\n[determinism]\nseed = %d\nfreeze_clock = \"2025-01-01T00:00:00Z\"\n", i > f
    close(f)
  }
}'
echo "wrote $n files under $dir"
