#!/bin/bash
# Install into a scratch prefix, then: the installed layout is complete, the
# installed assay finds its bundled plugins without the source tree, and
# examples/embed/embed.c builds against assay.pc (and a CMake consumer
# against the package config) and runs.
source "$(dirname "$0")/lib.sh"
[ -n "${ASSAY_BINARY_DIR:-}" ] || skip_all "ASSAY_BINARY_DIR not set (run through ctest)"
P=$T/prefix
cmake --install "$ASSAY_BINARY_DIR" --prefix "$P" >/dev/null
LIBDIR=$(dirname "$(find "$P" -name libassay.so -print -quit)")
for f in bin/assay include/assay.h share/assay/plugins/wordfreq.lua \
         share/assay/plugins/stopwords/english.txt; do
  [ -e "$P/$f" ] && pass "installed $f" || fail "missing $P/$f"
done
for f in libassay.so libassay.a pkgconfig/assay.pc cmake/assay/assayConfig.cmake; do
  [ -e "$LIBDIR/$f" ] && pass "installed lib/$f" || fail "missing $LIBDIR/$f"
done

# The installed command uses share/assay, not the source tree.
expect_exit 0 "installed assay plugins" -- env -u ASSAY_PATH "$P/bin/assay" plugins wordfreq
expect_grep "file: $P/share/assay/plugins/wordfreq.lua" "$T/out" "installed assay finds its own plugins"
expect_exit 0 "installed assay runs" -- "$P/bin/assay" run wordfreq "$CORPUS" -O top=3 -q
[ "$(wc -l < "$T/out")" = 4 ] && pass "installed run wrote 3 rows" || fail "installed run: $(cat "$T/out")"

# pkg-config build of the embedding example (sanitized like the library
# when the suite runs in the ASan build: the ASan runtime must come first)
SANFLAGS=
[ "${ASSAY_SANITIZE:-0}" = 1 ] && SANFLAGS="-fsanitize=address,undefined"
export PKG_CONFIG_PATH=$LIBDIR/pkgconfig
cc -Wall -Wextra -Werror $SANFLAGS "$SRC/examples/embed/embed.c" $(pkg-config --cflags --libs assay) -o "$T/embed" \
  && pass "embed.c builds with pkg-config" || fail "embed.c does not build"
expect_exit 0 "embed example runs" -- env LD_LIBRARY_PATH="$LIBDIR" "$T/embed" "$CORPUS/wire.jsonl"
expect_grep "^wordfreq: word=grain count=4 docs=3$" "$T/out" "embed: wordfreq rows through the callback"
expect_grep "^dates: date=2024-07-02 documents=1$" "$T/out" "embed: inline string plugin with metadata"
expect_grep "^documents: 5 read, 5 analysed, 0 skipped" "$T/out" "embed: stats"

# CMake consumer of the installed package config
mkdir -p "$T/consumer"
cat > "$T/consumer/CMakeLists.txt" <<CM
cmake_minimum_required(VERSION 3.20)
project(consumer C)
find_package(assay CONFIG REQUIRED)
add_executable(embed $SRC/examples/embed/embed.c)
target_link_libraries(embed PRIVATE assay::assay)
CM
if cmake -S "$T/consumer" -B "$T/consumer/build" -DCMAKE_PREFIX_PATH="$P" -DCMAKE_C_FLAGS="$SANFLAGS" >"$T/cm.log" 2>&1 &&
   cmake --build "$T/consumer/build" >>"$T/cm.log" 2>&1; then
  pass "CMake find_package(assay) builds the example"
  expect_exit 0 "CMake-built example runs" -- env LD_LIBRARY_PATH="$LIBDIR" "$T/consumer/build/embed"
else
  fail "CMake consumer"; tail -20 "$T/cm.log" >&2
fi
finish
