#!/bin/sh
# run_wordbreak.sh — build bench/wordbreak_bench.c with -O2 against the
# word-break sources (no CMake needed) and run it: assay's UAX #29 word
# iterator vs ICU's, same in-memory text, median of RUNS runs.
#   bench/run_wordbreak.sh [MB=200] [RUNS=5]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
out=${TMPDIR:-/tmp}/assay-wordbreak-bench
${CC:-gcc} -std=gnu11 -O2 -Wall -Wextra -I"$root/core/src" \
  "$here/wordbreak_bench.c" "$root/core/src/wordbreak.c" \
  "$root/core/src/wordbreak_simd.c" "$root/core/src/ucd_tables.c" -o "$out" \
  $(pkg-config --cflags --libs icu-uc icu-i18n libutf8proc)
cd "$root"
ASSAY_CORPORA=${ASSAY_CORPORA:-$root/../shared/corpora} "$out" "${1:-200}" "${2:-5}"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "cc: $(${CC:-gcc} --version | head -1)"
