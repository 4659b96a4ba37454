#!/usr/bin/env bash
# CPU that one step costs inside a step container, by agent form: the step
# agent's current form (a forked subshell ending in `exec setsid <argv>`,
# src/backend/docker/step_agent.cpp) against its former form (`setsid sh -c
# <line>`, one more exec per step) and against a bare shell loop (no agent,
# the floor). Load-independent: it reads the container's cpuacct counter
# (cgroup v1, as the test engine runs), not the wall clock.
# Usage: bench/docker_step_cpu.sh [steps=200] [rounds=3]
# Needs the engine and clnrm-test/redis (scripts/start-docker.sh,
# scripts/make-test-images.sh). Prints microseconds of CPU per step.
set -euo pipefail
steps=${1:-200}
rounds=${2:-3}
image=clnrm-test/redis

# The agents, copied from step_agent.cpp (current) and its history (former).
current_agent='clnrm_nl='"'"'
'"'"'; clnrm_setsid=$(command -v setsid); clnrm_sh=$(command -v sh); clnrm_run() { exec ${clnrm_setsid:+"$clnrm_setsid"} "$@"; }; while IFS= read -r l; do n=${l%% *}; (eval "${l#* }") </dev/null & p=$!; printf '"'"'\036%s:pid:%s\n'"'"' "$n" "$p" >&2; wait "$p"; r=$?; printf '"'"'\036%s:%s\n'"'"' "$n" "$r"; printf '"'"'\036%s:%s\n'"'"' "$n" "$r" >&2; done'
former_agent='CLNRM_NL='"'"'
'"'"'; export CLNRM_NL; while IFS= read -r l; do n=${l%% *}; setsid sh -c "${l#* }" </dev/null & p=$!; printf '"'"'\036%s:pid:%s\n'"'"' "$n" "$p" >&2; wait "$p"; r=$?; printf '"'"'\036%s:%s\n'"'"' "$n" "$r"; printf '"'"'\036%s:%s\n'"'"' "$n" "$r" >&2; done'

tmp=$(mktemp -d)
server=""
cleanup() {
  [[ -n $server ]] && docker rm -f "$server" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
server=$(docker run -d --network none "$image" redis-server --port 6379 --save '')
sleep 0.5

# One input line per step, as StepAgent::run writes them.
for cmd in true redis; do
  if [[ $cmd == true ]]; then argv="'true'"; else argv="'redis-cli' 'incr' 'n'"; fi
  for ((i = 1; i <= steps; i++)); do
    echo "n$i export CLNRM_STEP='step'; clnrm_run $argv" >>"$tmp/current-$cmd"
    echo "n$i nl=\$CLNRM_NL; unset CLNRM_NL; export CLNRM_STEP='step'; exec $argv" >>"$tmp/former-$cmd"
    if [[ $cmd == true ]]; then echo /bin/true >>"$tmp/loop-$cmd"; else echo "redis-cli incr n >/dev/null" >>"$tmp/loop-$cmd"; fi
  done
done

# Runs `program` (the agent, or plain sh for the loop) on the step lines in a
# container that shares the redis container's loopback; prints us/step.
measure() {
  local program=$1 input=$2
  docker run -i --rm --network "container:$server" --entrypoint sh "$image" -c "
    u=/sys/fs/cgroup/cpuacct/cpuacct.usage
    c0=\$(cat \$u)
    $program
    c1=\$(cat \$u)
    echo CPU \$c0 \$c1" <"$input" 2>/dev/null | awk -v n="$steps" '/^CPU/ {printf "%.0f", ($3 - $2) / 1000 / n}'
}

printf '%-10s %-8s %s\n' step form 'CPU us/step per round'
for cmd in true redis; do
  for form in current former loop; do
    line=""
    for ((r = 1; r <= rounds; r++)); do
      case $form in
        current) line+=" $(measure "$current_agent" "$tmp/current-$cmd")" ;;
        former) line+=" $(measure "$former_agent" "$tmp/former-$cmd")" ;;
        loop) line+=" $(measure 'while IFS= read -r l; do eval "$l"; done' "$tmp/loop-$cmd")" ;;
      esac
    done
    printf '%-10s %-8s%s\n' "$cmd" "$form" "$line"
  done
done
