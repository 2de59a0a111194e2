#!/bin/sh
# tests/bench/explain.sh [BUILDDIR] - explain --batch against postmap -q (on demand).
#
# Builds a 1,000,000-entry access table as cdb and as hash with the real
# postmap, then measures in the same run:
#   - 'pfconsole explain --batch' over 100,000 probes (sender lookups in
#     both tables: up to 5 keys each, half of the probes hit) and over
#     10,000 of them, with the maximum resident set size of each;
#   - one 'postmap -q KEY cdb:big' and 'postmap -q KEY hash:big' process
#     per lookup (300 each).
# Prints a table for doc/performance.md.  Targets: explain per probe at
# least 500x faster than one postmap -q; memory that does not grow with the
# number of probes (100k vs 10k).
set -eu
B=${1:-$(pwd)}
PFC="$B/pfconsole"
[ -x "$PFC" ] || { echo "no pfconsole in $B" >&2; exit 2; }
N=${BENCH_ENTRIES:-1000000}
P=${BENCH_PROBES:-100000}
T=$(mktemp -d "${TMPDIR:-/tmp}/pfc-bench-explain.XXXXXX")
trap 'rm -rf "$T"' EXIT
cat >"$T/main.cf" <<CF
compatibility_level = 3.6
mydestination = local.test
local_recipient_maps =
smtpd_sender_restrictions = check_sender_access cdb:$T/big, check_sender_access hash:$T/big2
smtpd_recipient_restrictions = permit_auth_destination, reject
CF
python3 - "$T" "$N" "$P" <<'PY'
import random, sys
t, n, p = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
r = random.Random(1)
with open(t + "/big", "w") as f, open(t + "/big2", "w") as g:
    for i in range(n):
        f.write("user%d@d%d.example REJECT listed %d\n" % (i, i % 5000, i))
        g.write("sender%d@h%d.example DUNNO\n" % (i, i % 5000))
with open(t + "/probes", "w") as f:
    for i in range(p):
        k = r.randrange(n)
        s = ("user%d@d%d.example" % (k, k % 5000)) if i % 2 else ("nobody%d@d%d.example" % (k, k % 5000))
        f.write('{"client":"192.0.2.%d","helo":"h.example","sender":"%s","recipient":"u@local.test"}\n'
                % (i % 250 + 1, s))
with open(t + "/keys", "w") as f:
    for i in range(300):
        k = r.randrange(n)
        f.write("user%d@d%d.example\n" % (k, k % 5000))
PY
head -n $((P / 10)) "$T/probes" >"$T/probes10"
s=$(date +%s.%N)
/usr/sbin/postmap -c "$T" "cdb:$T/big"
c=$(date +%s.%N)
/usr/sbin/postmap -c "$T" "hash:$T/big2"
h=$(date +%s.%N)
echo "built: cdb $(echo "$c - $s" | bc) s, hash $(echo "$h - $c" | bc) s ($N entries each)"

run() {   # run PROBES -> "seconds maxrss_kb"
	/usr/bin/time -f '%e %M' -o "$T/time" "$PFC" -c "$T" explain --batch "$1" >"$T/out" 2>"$T/err"
	cat "$T/time"
}
set -- $(run "$T/probes10"); t10=$1; m10=$2
set -- $(run "$T/probes");   t100=$1; m100=$2
lines=$(wc -l <"$T/out")
rej=$(grep -c '"decision":"reject"' "$T/out" || true)
echo "explain --batch: $P probes in $t100 s (max RSS $m100 KiB); $((P / 10)) probes in $t10 s (max RSS $m10 KiB); $lines answers, $rej rejects"

pm() {    # pm TYPE:NAME -> seconds for 300 postmap -q processes
	s=$(date +%s.%N)
	while read -r k; do /usr/sbin/postmap -c "$T" -q "$k" "$1" >/dev/null || :; done <"$T/keys"
	e=$(date +%s.%N)
	echo "$e - $s" | bc
}
tc=$(pm "cdb:$T/big")
th=$(pm "hash:$T/big2")
python3 - "$t100" "$P" "$tc" "$th" "$m10" "$m100" <<'PY'
import sys
t, p, tc, th, m10, m100 = float(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
per = t / p
pc, ph = tc / 300, th / 300
print("| measurement | result |")
print("|---|---|")
print("| explain --batch, per probe (%d probes, 2 tables, up to 10 lookups) | %.1f us |" % (p, per * 1e6))
print("| one postmap -q cdb (300 processes) | %.2f ms = %.0fx explain per probe |" % (pc * 1e3, pc / per))
print("| one postmap -q hash (300 processes) | %.2f ms = %.0fx explain per probe |" % (ph * 1e3, ph / per))
print("| max RSS, %d vs %d probes | %d KiB vs %d KiB (%+.1f %%) |" % (p // 10, p, m10, m100, 100.0 * (m100 - m10) / m10))
ok = pc / per >= 500 and ph / per >= 500 and m100 <= m10 * 1.05
print("targets (>= 500x, flat memory): %s" % ("met" if ok else "NOT met"))
PY
