#!/usr/bin/env bash
# Starts a private Docker engine for clnrm's tests and benchmarks, unless one
# already answers on the socket. Idempotent: a second call is a no-op.
#
# The engine gets no bridge, no iptables and no NAT (docs/docker-backend.md, "The pod model"): containers
# can only use NetworkMode none / container:<id> / host. It keeps its own
# data-root, exec-root and pidfile, so it never touches a system engine's state.
#
# Environment overrides:
#   CLNRM_DOCKER_SOCKET   socket path          (default /var/run/docker.sock)
#   CLNRM_DOCKER_ROOT     data-root            (default /var/lib/clnrm-docker)
#   CLNRM_DOCKER_EXEC     exec-root            (default /run/clnrm-docker)
#   CLNRM_DOCKER_LOG      log file             (default /var/log/clnrm-dockerd.log)
#   CLNRM_DOCKER_TIMEOUT  seconds to wait      (default 60)
#   CLNRM_DOCKER_STORAGE  storage driver       (default: overlay2 if it works, else vfs)
#   CLNRM_DOCKER_USERNS   1: --userns-remap=default (a container's root is
#                         not the host's root; docs/security.md)
#
# As root it always makes sure the dockremap user and its /etc/subuid,
# /etc/subgid ranges exist (idempotent): --userns-remap=default needs them,
# here and in the private remapping engine of
# tests/integration/docker_user_namespace_test.cpp.
set -euo pipefail

SOCKET=${CLNRM_DOCKER_SOCKET:-/var/run/docker.sock}
DATA_ROOT=${CLNRM_DOCKER_ROOT:-/var/lib/clnrm-docker}
EXEC_ROOT=${CLNRM_DOCKER_EXEC:-/run/clnrm-docker}
LOG=${CLNRM_DOCKER_LOG:-/var/log/clnrm-dockerd.log}
TIMEOUT=${CLNRM_DOCKER_TIMEOUT:-60}
PIDFILE=$EXEC_ROOT/dockerd.pid
DOCKERD=${DOCKERD:-/usr/sbin/dockerd}

say() { echo "start-docker: $*" >&2; }

# --userns-remap=default maps container uid/gid 0..65535 onto the subordinate
# ranges of the dockremap user. Creates the user (system, no home, no login)
# and one 65536-id range per file after every range already there; a second
# call changes nothing.
ensure_dockremap() {
  if ! getent passwd dockremap >/dev/null; then
    useradd --system --no-create-home --shell /usr/sbin/nologin --user-group dockremap
  fi
  local f start
  for f in /etc/subuid /etc/subgid; do
    touch "$f"
    grep -q '^dockremap:' "$f" && continue
    start=$(awk -F: 'BEGIN { m = 100000 } NF == 3 && $2 + $3 > m { m = $2 + $3 } END { print m }' "$f")
    echo "dockremap:$start:65536" >>"$f"
  done
}
if [[ $(id -u) -eq 0 ]]; then ensure_dockremap; fi

ping_engine() {
  [[ -S $SOCKET ]] && curl -fsS --max-time 2 --unix-socket "$SOCKET" http://localhost/_ping >/dev/null 2>&1
}

if ping_engine; then
  say "engine already answers on $SOCKET"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  say "no engine on $SOCKET and starting one needs root (run: sudo $0)"
  exit 1
fi
if [[ ! -x $DOCKERD ]]; then
  say "$DOCKERD not found: run scripts/setup-deps.sh (installs Debian's docker.io)"
  exit 1
fi

mkdir -p "$DATA_ROOT" "$EXEC_ROOT" "$(dirname "$LOG")" "$(dirname "$SOCKET")"

# Serialise concurrent callers (parallel CI jobs): the second one waits for
# the first and then finds the engine answering.
exec 9>"$EXEC_ROOT/start.lock"
flock 9
if ping_engine; then
  say "engine already answers on $SOCKET"
  exit 0
fi

# A dockerd from our pidfile that is alive but not answering is still starting
# (or wedged): wait for it rather than starting a second one on the same roots.
if [[ -f $PIDFILE ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
  say "dockerd (pid $(cat "$PIDFILE")) is running but not answering yet; waiting"
else
  rm -f "$PIDFILE"
  # A stale socket from a killed engine makes dockerd refuse to start.
  [[ -S $SOCKET ]] && rm -f "$SOCKET"

  # overlay2 needs a filesystem that supports it under the data-root (ext4/xfs
  # do; overlayfs-on-overlayfs does not). Probe with a real mount; fall back
  # to vfs, which always works but copies layers.
  storage=${CLNRM_DOCKER_STORAGE:-}
  if [[ -z $storage ]]; then
    storage=vfs
    if grep -qw overlay /proc/filesystems; then
      probe=$(mktemp -d "$DATA_ROOT/.overlay-probe.XXXXXX")
      mkdir -p "$probe"/{lower,upper,work,merged}
      if mount -t overlay overlay -o "lowerdir=$probe/lower,upperdir=$probe/upper,workdir=$probe/work" "$probe/merged" 2>/dev/null; then
        umount "$probe/merged"
        storage=overlay2
      fi
      rm -rf "$probe"
    fi
  fi

  # cgroup v1 hybrid (this machine) and v2 both work with cgroupfs; systemd
  # may not be PID 1 in a container/VM, so never ask for the systemd driver.
  userns=()
  if [[ ${CLNRM_DOCKER_USERNS:-0} == 1 ]]; then
    userns=(--userns-remap=default)
  fi
  say "starting $DOCKERD (storage $storage, data-root $DATA_ROOT, socket $SOCKET, log $LOG${userns:+, ${userns[*]}})"
  # setsid + nohup: the engine must outlive this script and the CI step.
  setsid nohup "$DOCKERD" \
    --host "unix://$SOCKET" \
    --data-root "$DATA_ROOT" \
    --exec-root "$EXEC_ROOT" \
    --pidfile "$PIDFILE" \
    --storage-driver "$storage" \
    --exec-opt native.cgroupdriver=cgroupfs \
    --bridge=none --iptables=false --ip-masq=false --ip6tables=false \
    --userland-proxy=false \
    "${userns[@]}" \
    --log-level=warn \
    >>"$LOG" 2>&1 </dev/null 9>&- &
  started_pid=$!
fi

deadline=$((SECONDS + TIMEOUT))
until ping_engine; do
  if ((SECONDS >= deadline)); then
    say "engine did not answer on $SOCKET within ${TIMEOUT}s; last lines of $LOG:"
    tail -n 40 "$LOG" >&2 || true
    exit 1
  fi
  if [[ -n ${started_pid:-} ]] && ! kill -0 "$started_pid" 2>/dev/null; then
    say "dockerd exited; last lines of $LOG:"
    tail -n 40 "$LOG" >&2 || true
    exit 1
  fi
  sleep 0.2
done
say "engine ready on $SOCKET ($(curl -fsS --unix-socket "$SOCKET" http://localhost/version | sed -n 's/.*"Version":"\([^"]*\)".*/\1/p' | head -1))"
