#!/bin/sh
# tests/bench/build.sh [BUILDDIR] - on demand, not part of make check.
#
# A 1,000,000-entry access table (hosts, addresses, networks; fixed seed):
# "pfconsole build" (validation by core/check + atomic build) for cdb and
# hash against the real postmap on the same file in the same run, and
# against tinycdb's "cdb -c -m" (the practical floor for cdb).  Each command
# runs ROUNDS times (default 3); the best elapsed time and the peak memory
# (/usr/bin/time -v "Maximum resident set size") are reported, with the
# ratios the targets are stated in: cdb <= 1/4 postmap and <= 1.5x cdb -c -m,
# hash <= 1/2 postmap.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
pfc=${PFCONSOLE:-$build/pfconsole}
: "${ROUNDS:=3}" "${ENTRIES:=1000000}"
[ -x "$pfc" ] || { echo "no pfconsole at $pfc (give the build directory)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is missing: apt-get install time" >&2; exit 2; }
command -v postmap >/dev/null || { echo "postmap is missing" >&2; exit 2; }
command -v cdb >/dev/null || { echo "cdb (tinycdb) is missing" >&2; exit 2; }

w=$(mktemp -d "${TMPDIR:-/tmp}/pfc-bench.XXXXXX")
trap 'rm -rf "$w"' EXIT
mkdir "$w/pf"
printf 'compatibility_level = 3.6\n' >"$w/pf/main.cf"
export MAIL_CONFIG="$w/pf"

python3 - "$w/access" "$ENTRIES" <<'PY'
import random, sys
r = random.Random(1)
acts = ["OK", "REJECT", "REJECT spam source", "550 5.7.1 go away", "DUNNO", "DEFER try later",
        "521 5.7.1 closed", "DISCARD", "HOLD"]
with open(sys.argv[1], "w") as f:
    f.write("# benchmark access table\n")
    for i in range(int(sys.argv[2])):
        k = r.random()
        if k < 0.4:
            key = "host%d.example%d.com" % (i, i % 977)
        elif k < 0.7:
            key = "user%d@domain%d.example" % (i, i % 5003)
        else:
            key = "%d.%d.%d.%d" % ((i >> 24 & 255) | 1, i >> 16 & 255, i >> 8 & 255, i & 255)
        f.write("%s %s\n" % (key, r.choice(acts)))
PY

# measure NAME CMD... - best elapsed of ROUNDS runs, peak RSS; sets $best
measure() {
	name=$1; shift
	best=""; rss=0
	i=0
	while [ $i -lt "$ROUNDS" ]; do
		i=$((i + 1))
		/usr/bin/time -v -o "$w/time" "$@" >/dev/null 2>"$w/err" || {
			echo "$name failed:" >&2; cat "$w/err" >&2; exit 1; }
		e=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0;
			for (k = 1; k <= n; k++) s = s * 60 + t[k]; print s }' "$w/time")
		m=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$w/time")
		c=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { print u + s }' "$w/time")
		[ "$m" -gt "$rss" ] && rss=$m
		if [ -z "$best" ] || awk "BEGIN { exit !($e < $best) }"; then best=$e; cpu=$c; fi
	done
	printf '%-34s %8.2f s (cpu %5.2f s) %9d KiB\n' "$name" "$best" "$cpu" "$rss"
	eval "t_$(echo "$name" | tr -c 'a-z0-9\n' '_')=$best"
}

echo "# $ENTRIES entries, $(wc -c <"$w/access") bytes; best of $ROUNDS"
echo "# $(nproc) CPU, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/MemTotal/ { printf "%d MiB", $2 / 1024 }' /proc/meminfo) RAM; $(uname -sr)"
measure "pfconsole build cdb (check+build)" "$pfc" build "cdb:$w/access"
cdb_pfc=$best
measure "postmap cdb" postmap "cdb:$w/access"
cdb_pm=$best
measure "cdb -c -m" sh -c "cdb -c -m '$w/floor.cdb' <'$w/access'"
cdb_floor=$best
measure "pfconsole build hash (check+build)" "$pfc" build "hash:$w/access"
hash_pfc=$best
measure "postmap hash" postmap "hash:$w/access"
hash_pm=$best
awk -v a="$cdb_pfc" -v b="$cdb_pm" -v c="$cdb_floor" -v d="$hash_pfc" -v e="$hash_pm" 'BEGIN {
	printf "cdb:  pfconsole/postmap = %.2f (target <= 0.25), pfconsole/cdb -c -m = %.2f (target <= 1.5)\n", a / b, a / c
	printf "hash: pfconsole/postmap = %.2f (target <= 0.50)\n", d / e }'
# the results agree
k=$(sed -n '500000p' "$w/access" | cut -d' ' -f1)
a=$("$pfc" query "cdb:$w/access" "$k"); b=$(postmap -q "$k" "cdb:$w/access")
[ "$a" = "$b" ] || { echo "cdb answers differ for $k: '$a' vs '$b'" >&2; exit 1; }
