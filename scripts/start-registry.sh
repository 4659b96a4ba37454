#!/usr/bin/env bash
# Runs Debian's docker-registry (the OCI distribution reference server) for
# clnrm's image tests, on loopback only, with its storage in DIR:
#
#   scripts/start-registry.sh DIR PORT [REALM CERT]
#
# With REALM and CERT the registry wants a token (`auth: token`): a client is
# sent to the token service at REALM (http://127.0.0.1:TPORT/token,
# scripts/registry-token-server.py), whose tokens must be signed by the key of
# certificate CERT (its rootcertbundle), issued by "clnrm-test-token-server"
# for the service "clnrm-test-registry".
#
# Writes DIR/config.yml and then execs the registry in the foreground, so the
# caller owns the process: tests/support/loopback_registry.h forks it with
# PR_SET_PDEATHSIG and kills it in the fixture's teardown (no orphan even when
# the test binary dies). Images are pushed with skopeo by the test itself.
# Environment: DOCKER_REGISTRY (default /usr/bin/docker-registry).
set -euo pipefail

DIR=${1:?usage: start-registry.sh DIR PORT}
PORT=${2:?usage: start-registry.sh DIR PORT}
REALM=${3:-}
CERT=${4:-}
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
if [[ -n $REALM ]]; then
  cat >>"$DIR/config.yml" <<YAML
auth:
  token:
    realm: $REALM
    service: clnrm-test-registry
    issuer: clnrm-test-token-server
    rootcertbundle: ${CERT:?usage: start-registry.sh DIR PORT REALM CERT}
YAML
fi
# Its log (404s of every HEAD skopeo makes, among others) stays in DIR.
exec "$REGISTRY" serve "$DIR/config.yml" >>"$DIR/registry.log" 2>&1
