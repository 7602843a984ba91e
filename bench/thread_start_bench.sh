#!/bin/sh
# thread_start_bench.sh — build bench/thread_start_bench.c with -O2 against
# core/src/thread.c (no CMake needed) and run it: rounds of two equal
# tasks, one on a thread started for it, with pthread_create and with
# asy_thread_start, alternating (see the program's comment).
#   bench/thread_start_bench.sh [ROUNDS=200] [TASK_US=700]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
out=${TMPDIR:-/tmp}/assay-thread-start-bench
${CC:-gcc} -std=gnu11 -O2 -Wall -Wextra -I"$root/core/src" \
  "$here/thread_start_bench.c" "$root/core/src/thread.c" -o "$out" -pthread
"$out" "${1:-200}" "${2:-700}"
echo "kernel: $(uname -r); cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
