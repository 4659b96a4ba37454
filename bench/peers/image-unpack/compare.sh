#!/usr/bin/env bash
# First use of an image: clnrm unpacking it from an OCI image layout vs
# `docker load` of the same image's tarball, side by side (issue target:
# clnrm within 1.5x of docker load).
#   clnrm:  `clnrm image pull --no-engine --cache-dir EMPTY oci:LAYOUT:latest`
#           (every blob copied into the store and verified, every layer
#           unpacked; the cache is emptied before each run)
#   docker: `docker load -i IMAGE.tar` into a private engine whose store is
#           emptied (`docker rmi`) before each run, so every layer is really
#           loaded (the shared engine already has the image's layers)
# The tarball is `docker save IMAGE` from the shared engine; the layout is
# `skopeo copy docker-archive:IMAGE.tar oci:LAYOUT:latest` of it.
#
# Usage: bench/peers/image-unpack/compare.sh [CLNRM_BINARY] [RUNS] [IMAGE]
#   defaults: build/release/clnrm, 10, clnrm-test/redis.
# Needs (scripts/setup-deps.sh): docker.io, skopeo, hyperfine; root (the
# private engine).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
clnrm=$(realpath -m "${1:-$root/build/release/clnrm}")
runs=${2:-10}
image=${3:-clnrm-test/redis}

[[ -x $clnrm ]] || { echo "compare.sh: no clnrm binary at $clnrm" >&2; exit 2; }
for tool in docker skopeo hyperfine; do
  command -v $tool >/dev/null || { echo "compare.sh: $tool is not installed (scripts/setup-deps.sh)" >&2; exit 2; }
done

work=$(mktemp -d /tmp/clnrm-image-unpack.XXXXXX)
private_sock=$work/engine/docker.sock
stop_private() {
  if [[ -f $work/engine/exec/dockerd.pid ]]; then
    kill "$(cat "$work/engine/exec/dockerd.pid")" 2>/dev/null || true
    for _ in $(seq 50); do [[ -S $private_sock ]] || break; sleep 0.2; done
  fi
  umount -R "$work/engine" 2>/dev/null || true
  rm -rf "$work"
}
trap stop_private EXIT

docker save "$image" -o "$work/image.tar"
skopeo copy --quiet --insecure-policy "docker-archive:$work/image.tar" "oci:$work/layout:latest"
echo "image $image: tarball $(du -h "$work/image.tar" | cut -f1), layout $(du -sh "$work/layout" | cut -f1)" >&2

mkdir -p "$work/engine"
CLNRM_DOCKER_SOCKET=$private_sock CLNRM_DOCKER_ROOT=$work/engine/root CLNRM_DOCKER_EXEC=$work/engine/exec \
  CLNRM_DOCKER_LOG=$work/engine/dockerd.log "$root/scripts/start-docker.sh" >&2
pd="docker -H unix://$private_sock"
loaded=$(docker image inspect -f '{{.Id}}' "$image")

hyperfine --runs "$runs" --warmup 1 --export-json "$work/result.json" \
  --prepare "rm -rf $work/cache" \
  -n clnrm "$clnrm image pull --no-engine --cache-dir $work/cache oci:$work/layout:latest" \
  --prepare "$pd rmi -f $loaded >/dev/null 2>&1 || true" \
  -n "docker load" "$pd load -q -i $work/image.tar"

python3 - "$work/result.json" <<'PY'
import json, statistics, sys
r = {x["command"]: statistics.median(x["times"]) for x in json.load(open(sys.argv[1]))["results"]}
c, d = r["clnrm"], r["docker load"]
print(f"median clnrm {c*1000:.0f} ms, docker load {d*1000:.0f} ms, ratio clnrm/docker {c/d:.2f} (target <= 1.5)")
PY
