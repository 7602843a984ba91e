#!/bin/bash
# The whole test suite: a release build and an AddressSanitizer +
# UndefinedBehaviorSanitizer build, each running every ctest test.
# Usage: tests/run-all.sh   (from the repository root; after .ci/install-deps)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
# a test that hangs (a lost wake-up between threads) fails after 10
# minutes instead of holding the run; the slowest takes under a minute
# under the sanitizers
timeout=600

echo "== release build =="
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build -j"$jobs" --timeout "$timeout" --output-on-failure

echo "== ASan + UBSan build =="
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DASSAY_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan -j"$jobs" --timeout "$timeout" --output-on-failure
