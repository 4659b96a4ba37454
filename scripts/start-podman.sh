#!/usr/bin/env bash
# Starts Podman's Docker-compatible API service (`podman system service`) on a
# private socket for clnrm's Podman test, unless it already answers, and
# copies the test images from the Docker engine into Podman's storage.
# Idempotent. Prints the socket path on stdout.
#
# This machine needs two adjustments (found by trying): rootful Podman asks
# runc for RLIMIT_NOFILE=1048576 and a large RLIMIT_NPROC by default, which
# fails without CAP_SYS_RESOURCE ("error setting rlimit type 7/6: operation
# not permitted"), so a private containers.conf lowers the defaults to what
# the host allows; and Podman keeps no network config for a bridge-less
# setup, so clnrm only uses NetworkMode none / container:<id> / host anyway.
set -euo pipefail

SOCKET=${CLNRM_PODMAN_SOCKET:-/run/clnrm-podman/podman.sock}
DIR=$(dirname "$SOCKET")
LOG=${CLNRM_PODMAN_LOG:-/var/log/clnrm-podman.log}
say() { echo "start-podman: $*" >&2; }

if ! command -v podman >/dev/null; then
  say "podman is not installed (apt-get install podman; scripts/setup-deps.sh does)"
  exit 1
fi
mkdir -p "$DIR"
ping_podman() { curl -fsS --max-time 2 --unix-socket "$SOCKET" http://localhost/_ping >/dev/null 2>&1; }

exec 9>"$DIR/start.lock"
flock 9

nofile=$(ulimit -Hn)
((nofile > 1048576)) && nofile=1048576
nproc=$(ulimit -Hu)
[[ $nproc == unlimited ]] && nproc=32768
((nproc > 32768)) && nproc=32768
cat >"$DIR/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=${nproc}:${nproc}"]
CONF
export CONTAINERS_CONF=$DIR/containers.conf

if ! ping_podman; then
  rm -f "$SOCKET"
  say "starting podman system service on unix://$SOCKET (log $LOG)"
  # 9>&-: the service must not inherit (and hold forever) our start lock.
  setsid nohup podman system service --time=0 "unix://$SOCKET" >>"$LOG" 2>&1 </dev/null 9>&- &
  # Lets a caller that asked for a private socket (the tests) stop it again.
  echo $! >"$DIR/podman.pid"
  for _ in $(seq 100); do ping_podman && break; sleep 0.1; done
  if ! ping_podman; then
    say "podman did not answer on $SOCKET; last lines of $LOG:"
    tail -n 20 "$LOG" >&2 || true
    exit 1
  fi
fi

# Test images: Podman has its own storage; copy them from the Docker engine.
for image in clnrm-test/busybox clnrm-test/redis; do
  if ! podman image exists "$image"; then
    if ! docker image inspect "$image" >/dev/null 2>&1; then
      say "$image missing in Docker too: run scripts/start-docker.sh && scripts/make-test-images.sh"
      exit 1
    fi
    docker save "$image" | podman load -q >/dev/null
    say "loaded $image into podman"
  fi
done
echo "$SOCKET"
