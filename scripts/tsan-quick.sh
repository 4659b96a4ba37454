#!/usr/bin/env bash
# ThreadSanitizer on the concurrency unit tests that need only a few sources
# (SignalCancellation's handler + watcher thread, ThreadElsewhere): the `tsan` preset's
# configure, then only its clnrm_tsan_quick_tests target (tests/CMakeLists.txt
# says which sources), in ~30 s instead of the whole instrumented build
# (~40 min on a shared 2-core machine). The runner's lane tests need the
# whole library: they run in the nightly `tsan` job
# (.github/workflows/nightly-reliability.yml).
#
#   scripts/tsan-quick.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset tsan >/dev/null
cmake --build --preset tsan --target clnrm_tsan_quick_tests -j "${TSAN_BUILD_JOBS:-2}" >/dev/null
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 build/tsan/tests/clnrm_tsan_quick_tests --gtest_brief=1
echo "tsan-quick: no data race reported"
