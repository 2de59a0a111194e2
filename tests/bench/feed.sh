#!/bin/sh
# tests/bench/feed.sh [BUILDDIR] - on-demand benchmark of the feed engine
# (not part of make check).  Prints the figures recorded in
# doc/performance.md:
#  1. a 1,000,000-line mixed log: `pfconsole feed --stats` against
#     `grep -c NOQUEUE` and pflogsumm, in the same run (targets: <= 3x grep,
#     >= 20x faster than pflogsumm); best of 5 for the fast ones, wall and
#     CPU time (run it on an idle machine: feed uses a thread per CPU);
#  2. `feed --follow`: time from a line appended to the log to its event on
#     feed's stdout, 200 samples (target: median < 20 ms);
#  3. back-log: the last 1,000 events of a 1 GB log (`feed -n 1000`),
#     median of 5 (target: < 100 ms).
# Installs pflogsumm with apt-get when missing.  Work files go to
# ${BENCH_DIR:-/tmp/pfc-bench} (about 1.3 GB), removed at the end.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
PFC=$build/pfconsole
dir=${BENCH_DIR:-/tmp/pfc-bench}
[ -x "$PFC" ] || { echo "feed.sh: $PFC not built" >&2; exit 1; }
if ! command -v pflogsumm >/dev/null 2>&1; then
	echo "installing pflogsumm..."
	apt-get install -y -q pflogsumm >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q pflogsumm >/dev/null; }
fi
mkdir -p "$dir"
trap 'rm -rf "$dir"' EXIT
trap 'exit 130' INT; trap 'exit 143' TERM; trap 'exit 129' HUP; trap 'exit 141' PIPE
export LC_ALL=C.UTF-8 TZ=UTC

# now - seconds with nanoseconds
now() { date +%s.%N; }
# best5 CMD... - "WALL CPU": the best wall time of 5 runs and the best
# user+system CPU time, in seconds (CPU time is what a loaded machine does
# not distort)
best5() {
	bw=; bc=
	for _ in 1 2 3 4 5; do
		/usr/bin/time -f '%e %U %S' -o "$dir/time" "$@" >"$dir/out" 2>/dev/null
		read -r w u s <"$dir/time"
		c=$(echo "$u + $s" | bc -l)
		if [ -z "$bw" ] || [ "$(echo "$w < $bw" | bc -l)" = 1 ]; then bw=$w; fi
		if [ -z "$bc" ] || [ "$(echo "$c < $bc" | bc -l)" = 1 ]; then bc=$c; fi
	done
	printf '%.3f %.3f' "$bw" "$bc"
}

echo "== machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
echo "== generating 1,000,000 log lines"
python3 "$top/tests/bench/feedgen.py" 1000000 >"$dir/mail.log"
lines=$(wc -l <"$dir/mail.log"); bytes=$(wc -c <"$dir/mail.log")
echo "   $lines lines, $bytes bytes, $(grep -c NOQUEUE "$dir/mail.log") NOQUEUE lines"
cat "$dir/mail.log" >/dev/null      # warm the page cache

echo "== 1. whole-log statistics"
echo "   load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
set -- $(best5 grep -c NOQUEUE "$dir/mail.log"); gw=$1 gc=$2
set -- $(best5 "$PFC" feed --log "$dir/mail.log" --stats); fw=$1 fc=$2
/usr/bin/time -f '%e %U %S' -o "$dir/time" pflogsumm "$dir/mail.log" >"$dir/pflogsumm.out" 2>&1 || true
read -r pw pu ps <"$dir/time"
pc=$(echo "$pu + $ps" | bc -l)
events=$("$PFC" feed --log "$dir/mail.log" --stats --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
echo "                           wall      cpu (user+sys)"
echo "   grep -c NOQUEUE:        ${gw} s   ${gc} s"
echo "   pfconsole feed --stats: ${fw} s   ${fc} s   ($events events)"
printf '   pflogsumm:              %.3f s  %.3f s\n' "$pw" "$pc"
echo "   feed / grep:            $(echo "scale=2; $fw / $gw" | bc -l)x wall, $(echo "scale=2; $fc / $gc" | bc -l)x cpu (target <= 3x)"
echo "   pflogsumm / feed:       $(echo "scale=1; $pw / $fw" | bc -l)x wall, $(echo "scale=1; $pc / $fc" | bc -l)x cpu (target >= 20x)"

echo "== 2. --follow latency (append -> printed), 200 samples"
python3 - "$PFC" "$dir/follow.log" <<'PY'
import os, subprocess, sys, time, statistics, select
pfc, log = sys.argv[1], sys.argv[2]
open(log, "w").close()
p = subprocess.Popen([pfc, "feed", "--log", log, "--follow", "-n", "0", "--json"], stdout=subprocess.PIPE)
time.sleep(0.5)
fd = os.open(log, os.O_WRONLY | os.O_APPEND)
lat = []
for i in range(200):
    line = ("Nov 22 12:30:27 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from a[192.0.2.1]: 550 5.7.1 no; "
            "from=<s@x> to=<r%d@bar.org> proto=ESMTP helo=<h>\n" % i).encode()
    t0 = time.perf_counter()
    os.write(fd, line)
    out = p.stdout.readline()
    t1 = time.perf_counter()
    assert b"r%d@bar.org" % i in out, out
    lat.append((t1 - t0) * 1000)
    time.sleep(0.01)
p.terminate()
lat.sort()
print("   median %.2f ms, p90 %.2f ms, max %.2f ms" % (statistics.median(lat), lat[int(len(lat) * 0.9)], lat[-1]))
PY

echo "== 3. back-log: last 1,000 events of a 1 GB log"
: >"$dir/big.log"
while [ "$(wc -c <"$dir/big.log")" -lt 1073741824 ]; do cat "$dir/mail.log" >>"$dir/big.log"; done
echo "   $(wc -c <"$dir/big.log") bytes"
cat "$dir/big.log" >/dev/null 2>&1 || true
python3 - "$PFC" "$dir/big.log" <<'PY'
import subprocess, sys, time, statistics
pfc, log = sys.argv[1], sys.argv[2]
ts = []
for _ in range(5):
    t0 = time.perf_counter()
    out = subprocess.run([pfc, "feed", "--log", log, "-n", "1000"], capture_output=True).stdout
    ts.append((time.perf_counter() - t0) * 1000)
    assert out.count(b"\n") == 1000, out.count(b"\n")
print("   feed -n 1000: median %.1f ms (runs: %s)" % (statistics.median(ts), ", ".join("%.1f" % t for t in ts)))
PY
