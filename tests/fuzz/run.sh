#!/bin/sh
# tests/fuzz/run.sh BUILDDIR [SECONDS] - build the libFuzzer harnesses with
# clang (ASan + UBSan) and run each for a fixed time: the log line parser
# for SECONDS (default 30 s, corpus tests/fuzz/corpus/), table sources and
# main.cf for half of it each (tests/fuzz/corpus-table/, corpus-maincf/).
# Hours on demand: run.sh BUILDDIR 36000.  New inputs go to scratch
# directories (BUILDDIR/fuzz-new*); the kept corpora are read only.
# Exit 0 when no crash was found; a crash input is left in BUILDDIR/fuzz-new*.
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

# table sources and main.cf: the whole of core/, maps/ and util/ (what
# check runs), compiled once into an archive with the sanitizers
icu_cflags=$(pkg-config --cflags icu-uc 2>/dev/null)
icu_libs=$(pkg-config --libs icu-uc 2>/dev/null || echo -licuuc)
objdir=$build/fuzz-obj
mkdir -p "$objdir"
srcs=$(cd "$top" && ls core/*.c maps/*.c util/*.c | grep -v -e watch_kqueue -e watch_none)
echo "building the table and main.cf harnesses ($(echo "$srcs" | wc -l) files)"
# shellcheck disable=SC2086
echo "$srcs" | CLANG=$CLANG top=$top objdir=$objdir flags="$pcre_cflags $icu_cflags -I$top -I$build" \
	xargs -P "$(nproc)" -I{} sh -c 'o=$objdir/$(echo {} | tr / _).o; [ "$o" -nt "$top/{}" ] ||
		"$CLANG" -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
		$flags -c -o "$o" "$top/{}"' || { echo "run.sh: build failed"; exit 1; }
for h in table maincf; do
	# shellcheck disable=SC2086
	"$CLANG" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-I"$top" -I"$build" $pcre_cflags -o "$build/fuzz_$h" "$here/fuzz_$h.c" "$objdir"/*.o \
		-lcdb -ldb $pcre_libs $icu_libs -lpthread || { echo "run.sh: build of fuzz_$h failed"; exit 1; }
done

# fuzz1 BIN SECS CORPUS OUT [OPTIONS] - one run; 1 on a failing input
fuzz1() {
	b=$1 t=$2 c=$3 o=$4; shift 4
	rm -rf "$o"
	mkdir -p "$o"
	echo "fuzzing $(basename "$b") for $t s (corpus: $c, $(ls "$c" | wc -l) inputs)"
	(cd "$o" && LC_ALL=C.UTF-8 "$b" -max_total_time="$t" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 "$@" "$o" "$c" 2>&1 | tail -25)
	if ls "$o" | grep -Eq '^(crash|leak|timeout|oom)-'; then
		echo "run.sh: the fuzzer found a failing input:"; ls "$o" | grep -E '^(crash|leak|timeout|oom)-'
		return 1
	fi
	return 0
}

half=$(( secs / 2 > 5 ? secs / 2 : 5 ))
rc=0
fuzz1 "$bin" "$secs" "$here/corpus" "$out" -max_len=4096 -dict="$here/logline.dict" || rc=1
fuzz1 "$build/fuzz_table" "$half" "$here/corpus-table" "$out-table" -max_len=8192 || rc=1
fuzz1 "$build/fuzz_maincf" "$half" "$here/corpus-maincf" "$out-maincf" -max_len=8192 || rc=1
[ "$rc" -eq 0 ] || exit 1
echo "fuzzing: no failure"
