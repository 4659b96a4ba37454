#!/usr/bin/env bash
# Builds clnrm's offline test images with `docker import` (no registry needed):
#   clnrm-test/busybox  /bin/busybox (busybox-static) + its applet symlinks
#   clnrm-test/redis    the host's redis-server + redis-cli, their shared
#                       libraries (ldd) and busybox
#   clnrm-test/busybox-app  busybox with an image config to honour: Env
#                       APP_MODE=cleanroom, WorkingDir /srv/app, User app (1000)
# Idempotent: an image that already exists is skipped unless --force.
# Needs an engine (scripts/start-docker.sh) and scripts/setup-deps.sh packages.
set -euo pipefail

force=0
for arg in "$@"; do
  case $arg in
    --force) force=1 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "make-test-images: unknown argument $arg (use --force)" >&2; exit 2 ;;
  esac
done

DOCKER=${DOCKER:-docker}
BUSYBOX=${BUSYBOX:-/bin/busybox}
say() { echo "make-test-images: $*" >&2; }

if ! $DOCKER version >/dev/null 2>&1; then
  say "no Docker engine answers: run scripts/start-docker.sh first"
  exit 1
fi
if ! "$BUSYBOX" --list >/dev/null 2>&1 || ldd "$BUSYBOX" >/dev/null 2>&1; then
  say "$BUSYBOX is not a static busybox: install busybox-static (scripts/setup-deps.sh)"
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

have_image() { $DOCKER image inspect "$1" >/dev/null 2>&1; }

# A minimal root: busybox with every applet linked into /bin, plus the few
# files programs expect (/etc/passwd for `id`, /tmp).
make_busybox_root() {
  local root=$1
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,proc,sys,dev,var/tmp}
  chmod 1777 "$root/tmp" "$root/var/tmp"
  cp "$BUSYBOX" "$root/bin/busybox"
  local applet
  for applet in $("$BUSYBOX" --list); do
    [[ $applet == busybox ]] && continue
    ln -sf busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
}

# tar with numeric root ownership so the image does not depend on host users.
import_root() {
  local root=$1 name=$2
  shift 2
  tar --numeric-owner --owner=0 --group=0 -C "$root" -cf - . |
    $DOCKER import "$@" - "$name" >/dev/null
  say "built $name ($($DOCKER image inspect -f '{{.Size}}' "$name") bytes)"
}

build_busybox() {
  local name=clnrm-test/busybox
  if ((force == 0)) && have_image "$name"; then say "$name present (use --force to rebuild)"; return; fi
  local root=$work/busybox
  make_busybox_root "$root"
  import_root "$root" "$name" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/sh"]'
}

# Copies a binary and every shared library ldd resolves for it (plus the
# dynamic loader) into the root at the same paths.
copy_with_libs() {
  local root=$1 bin=$2 lib
  mkdir -p "$root$(dirname "$bin")"
  cp -L "$bin" "$root$bin"
  for lib in $(ldd "$bin" | grep -oE '(/[^ ]+)' | sort -u); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
}

build_redis() {
  local name=clnrm-test/redis
  if ((force == 0)) && have_image "$name"; then say "$name present (use --force to rebuild)"; return; fi
  local server=${REDIS_SERVER:-/usr/bin/redis-server} cli=${REDIS_CLI:-/usr/bin/redis-cli}
  for b in "$server" "$cli"; do
    [[ -x $b ]] || { say "$b missing: install redis-server and redis-tools (scripts/setup-deps.sh)"; exit 1; }
  done
  local root=$work/redis
  make_busybox_root "$root"
  copy_with_libs "$root" "$server"
  copy_with_libs "$root" "$cli"
  # Debian's /lib64 is a symlink on usrmerge hosts; the loader path must exist.
  mkdir -p "$root/data"
  import_root "$root" "$name" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'WORKDIR /data' \
    --change 'CMD ["redis-server", "--port", "6379", "--save", "", "--appendonly", "no", "--protected-mode", "no"]'
}

# An image whose config a backend must honour (tests/e2e/data/images/):
# a non-root User from its own /etc/passwd, a WorkingDir it lacks, an Env.
build_busybox_app() {
  local name=clnrm-test/busybox-app
  if ((force == 0)) && have_image "$name"; then say "$name present (use --force to rebuild)"; return; fi
  local root=$work/busybox-app
  make_busybox_root "$root"
  printf 'app:x:1000:1000:app:/srv/app:/bin/sh\n' >>"$root/etc/passwd"
  printf 'app:x:1000:\n' >>"$root/etc/group"
  import_root "$root" "$name" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV APP_MODE=cleanroom' \
    --change 'WORKDIR /srv/app' \
    --change 'USER app' \
    --change 'CMD ["/bin/sh"]'
}

build_busybox
build_redis
build_busybox_app

# Smoke check: both images start and their programs run.
$DOCKER run --rm --network none clnrm-test/busybox echo busybox-ok >/dev/null
$DOCKER run --rm --network none clnrm-test/redis redis-server --version >/dev/null
[[ $($DOCKER run --rm --network none clnrm-test/busybox-app id -u) == 1000 ]]
say "images ready"
