#!/usr/bin/env bash
# Installs every Debian package clnrm needs to build, test and benchmark.
# Idempotent: packages already present are not reinstalled, and apt-get update
# runs only when something is missing. Nothing is fetched from outside Debian.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config ccache
  # libraries (CMakeLists.txt finds them; docs/ARCHITECTURE.md says what uses them)
  libtomlplusplus-dev nlohmann-json3-dev libcli11-dev libfmt-dev libre2-dev
  libcurl4-openssl-dev libsqlite3-dev libseccomp-dev libarchive-dev
  # libyaml: `clnrm import compose` reads YAML (opened at run time, src/compose/yaml_library.h)
  libyaml-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  # benchmark tooling: peak memory (/usr/bin/time -v), instruction counts and
  # heap profiles (valgrind: callgrind, massif, and the client-request headers)
  time valgrind python3-yaml
  # test-only runtime: engines, test images, clock freezing, services, peers,
  # process and network tools; hyperfine times commands in docs' measurements
  docker.io podman busybox-static faketime redis-server redis-tools python3 bats
  iproute2 procps util-linux curl hyperfine
  # editor and shell support (docs/editor-support.md): the schema checked the
  # way taplo does (tests/scripts/check_toml_schema.py), completion scripts
  # loaded by real shells, the man page rendered (groff-base, man-db)
  python3-jsonschema zsh fish groff-base man-db bsdextrautils
  # tests/unit/git_head_test.cpp compares with real repositories
  git
  # OCI images (src/image/, docs/images.md): a loopback registry and the tools
  # that fill it and convert test images (tests/integration/image_*_test.cpp);
  # its token service for the registry-auth tests signs with
  # python3-cryptography (scripts/registry-token-server.py)
  docker-registry skopeo umoci python3-cryptography
  # promtool (package prometheus) checks the --metrics-file output in e2e tests
  prometheus
  # HTML report e2e: rendered headless to a PNG
  chromium
  # fuzzing (preset `fuzz`, scripts/fuzz.sh): clang + the libFuzzer/ASan runtime
  clang libclang-rt-14-dev
  # sandbox benchmark peer (bench/sandbox_benchmarks.cpp)
  bubblewrap
  # a ptrace user for tests/integration/seccomp_exec_test.cpp (libseccomp-dev
  # above also ships libseccomp.a, which the static clnrm-seccomp-exec links)
  strace
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "setup-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup-deps: done"
