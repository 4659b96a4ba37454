#!/usr/bin/env bash
# The package test (ctest label `package`, tests/CMakeLists.txt): installs
# this build into a scratch prefix, builds examples/embed/ against it the way
# another project would (find_package(clnrm CONFIG) via CMAKE_PREFIX_PATH,
# its own build dir, Ninja), and runs it on tests/package/data/ (one test
# that passes, one that fails) on the real sandbox backend. Also checks the
# installed layout (with the man page and completion scripts) and that the
# installed clnrm finds its seccomp helper in libexec/clnrm/ with no path of
# this build tree.
#
#   tests/package/install_and_embed.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd -P)
source_dir=$(cd "$(dirname "$0")/../.." && pwd -P)
# A fixed path (not mktemp) so ccache finds the example's object from the last
# run; removed before and after.
scratch=$build/package-test
rm -rf "$scratch"
trap 'rm -rf "$scratch"' EXIT
prefix=$scratch/prefix

fail() { echo "package test: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$prefix" >/dev/null
for f in include/clnrm/runner.h include/clnrm/version.h lib/libclnrm.a bin/clnrm \
         libexec/clnrm/clnrm-seccomp-exec lib/cmake/clnrm/clnrmConfig.cmake \
         lib/cmake/clnrm/clnrmConfigVersion.cmake lib/cmake/clnrm/clnrmTargets.cmake \
         share/man/man1/clnrm.1 share/bash-completion/completions/clnrm \
         share/zsh/site-functions/_clnrm share/fish/vendor_completions.d/clnrm.fish; do
  [[ -e $prefix/$f ]] || fail "cmake --install left out $f"
done
# The library's private headers stay private.
[[ -z $(find "$prefix/include" -path '*/backend/*' -print -quit) ]] || fail "src/ headers were installed"

# The installed man page is the installed binary's, and man reads it.
[[ $(cat "$prefix/share/man/man1/clnrm.1") == "$("$prefix/bin/clnrm" man)" ]] ||
  fail "share/man/man1/clnrm.1 is not what the installed clnrm man prints"
MANPATH=$prefix/share/man MANWIDTH=100 man clnrm 2>&1 | grep -q "clnrm run" ||
  fail "man clnrm with MANPATH=$prefix/share/man did not show the page"

# The installed binary finds the helper beside it in libexec/clnrm/ (health's
# seccomp row), the way every user's install does.
health=$("$prefix/bin/clnrm" health 2>&1 || true)
grep -qF "$prefix/libexec/clnrm/clnrm-seccomp-exec: at high" <<<"$health" ||
  fail "the installed clnrm did not find libexec/clnrm/clnrm-seccomp-exec: $health"

launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S "$source_dir/examples/embed" -B "$scratch/build" -G Ninja \
  -DCMAKE_PREFIX_PATH="$prefix" "${launcher[@]}" >/dev/null
cmake --build "$scratch/build" >/dev/null

set +e
out=$("$scratch/build/clnrm-embed" "$source_dir/tests/package/data" 2>&1)
code=$?
set -e
want=$'embed_fails: failed\nembed_passes: passed\nembed_times_out: timed_out\n1 of 3 passed'
[[ $out == "$want" ]] || fail "clnrm-embed printed:
$out
expected:
$want"
[[ $code == 1 ]] || fail "clnrm-embed exited $code, expected 1 (one test failed)"
echo "package test: installed, built examples/embed against it, verdict '1 of 3 passed' (cleanroom.toml's timeout acted), exit 1"
