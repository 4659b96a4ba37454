#!/usr/bin/env bash
# ThreadSanitizer on the concurrency unit tests that need only a few sources
# (SignalCancellation's handler + watcher thread), compiled straight with g++
# in ~30 s per binary instead of the full `tsan` preset build (~40 min on a shared 2-core machine). The
# runner's lane tests need the whole library: they run in the nightly `tsan`
# job (.github/workflows/nightly-reliability.yml).
#
#   scripts/tsan-quick.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/tsan-quick
mkdir -p "$out"
flags=(-std=c++20 -fsanitize=thread -fno-omit-frame-pointer -g -O1 -Iinclude -Isrc -pthread)
libs=(-lgtest -lgtest_main -lfmt)
build_and_run() {
  local name=$1
  shift
  g++ "${flags[@]}" "$@" "${libs[@]}" -o "$out/$name"
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 "$out/$name" --gtest_brief=1
}
build_and_run signal_cancellation tests/unit/signal_cancellation_test.cpp src/run/signal_cancellation.cpp src/base/error.cpp
echo "tsan-quick: no data race reported"
