#!/usr/bin/env bash
# Runs Debian's docker-registry (the OCI distribution reference server) for
# clnrm's image tests, on loopback only, with its storage in DIR:
#
#   scripts/start-registry.sh DIR PORT
#
# Writes DIR/config.yml and then execs the registry in the foreground, so the
# caller owns the process: tests/integration/image_registry.h forks it with
# PR_SET_PDEATHSIG and kills it in the fixture's teardown (no orphan even when
# the test binary dies). Images are pushed with skopeo by the test itself.
# Environment: DOCKER_REGISTRY (default /usr/bin/docker-registry).
set -euo pipefail

DIR=${1:?usage: start-registry.sh DIR PORT}
PORT=${2:?usage: start-registry.sh DIR PORT}
REGISTRY=${DOCKER_REGISTRY:-/usr/bin/docker-registry}

mkdir -p "$DIR/data"
cat >"$DIR/config.yml" <<YAML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $DIR/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$PORT
YAML
# Its log (404s of every HEAD skopeo makes, among others) stays in DIR.
exec "$REGISTRY" serve "$DIR/config.yml" >>"$DIR/registry.log" 2>&1
