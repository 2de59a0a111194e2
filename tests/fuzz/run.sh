#!/bin/sh
# tests/fuzz/run.sh BUILDDIR [SECONDS] - build the libFuzzer harness for the
# log line parser with clang (ASan + UBSan) and run it for a fixed time
# (default 30 s) over the corpus kept in tests/fuzz/corpus/.  New inputs go
# to a scratch directory (BUILDDIR/fuzz-new); the kept corpus is read only.
# Exit 0 when no crash was found; a crash input is left in BUILDDIR/fuzz-new.
# A missing clang or libFuzzer runtime is a failure, not a skip.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=$(cd "${1:?usage: run.sh BUILDDIR [SECONDS]}" && pwd)
secs=${2:-30}
CLANG=${CLANG:-clang}
out=$build/fuzz-new
bin=$build/fuzz_logline

command -v "$CLANG" >/dev/null 2>&1 || { echo "run.sh: clang not found (apt-get install clang libclang-rt-14-dev)"; exit 1; }
[ -f "$build/config.h" ] || { echo "run.sh: $build/config.h missing (configure first)"; exit 1; }
pcre_cflags=$(pkg-config --cflags libpcre2-8 2>/dev/null)
pcre_libs=$(pkg-config --libs libpcre2-8 2>/dev/null || echo -lpcre2-8)
echo "building $bin"
# shellcheck disable=SC2086
"$CLANG" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-I"$top" -I"$build" $pcre_cflags -o "$bin" \
	"$here/fuzz_logline.c" "$top/core/logline.c" "$top/core/textsafe.c" \
	"$top/core/feed.c" "$top/util/strbuf.c" "$top/util/utf8.c" "$top/util/hash.c" "$top/util/textwidth.c" $pcre_libs || { echo "run.sh: build failed"; exit 1; }
rm -rf "$out"
mkdir -p "$out"
echo "fuzzing for $secs s (corpus: $here/corpus, $(ls "$here/corpus" | wc -l) inputs)"
cd "$out" || exit 1
LC_ALL=C.UTF-8 "$bin" -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
	-dict="$here/logline.dict" -print_final_stats=1 "$out" "$here/corpus" 2>&1 | tail -25
rc=$?
# the pipeline's status is tail's; a crash leaves crash-*/leak-*/timeout-* files
if ls "$out" | grep -Eq '^(crash|leak|timeout|oom)-'; then
	echo "run.sh: the fuzzer found a failing input:"; ls "$out" | grep -E '^(crash|leak|timeout|oom)-'
	exit 1
fi
[ "$rc" -eq 0 ] || exit 1
echo "fuzzing: no failure in $secs s"
