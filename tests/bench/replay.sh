#!/bin/sh
# tests/bench/replay.sh [BUILDDIR] - impact and hits on a 1,000,000-line log (on demand).
#
# Input (tests/bench/replaygen.py, fixed seed): a 1,000,000-line mail log of
# the demo traffic mix (rejected and accepted sessions, own users sending
# out, the END-OF-MESSAGE INFO line of LOGGING ACCEPTED MAIL), the same
# transactions as explain --batch probes, and tests/bench/explain.sh's
# 1,000,000-entry sender access table (cdb) placed first in the demo
# configuration's smtpd_sender_restrictions.  The pending edit: one line
# appended to the demo's access_sender (a sender of the legitimate mix).
# Measured in the same run, ROUNDS (default 3) interleaved rounds, median:
#   grep -c '' maillog                        the read floor
#   pfconsole impact / pfconsole hits
#   pfconsole explain --batch (live) + explain --sources --batch (pending)
#                                             the obvious alternative
# Wall time and CPU time (user + system) are both reported.
set -eu
B=${1:-$(pwd)}
PFC="$B/pfconsole"
top=$(cd "$(dirname "$0")/../.." && pwd)
[ -x "$PFC" ] || { echo "no pfconsole in $B" >&2; exit 2; }
N=${BENCH_LINES:-1000000}
E=${BENCH_ENTRIES:-1000000}
R=${ROUNDS:-3}
T=$(mktemp -d "${TMPDIR:-/tmp}/pfc-bench-replay.XXXXXX")
trap 'rm -rf "$T"' EXIT
python3 "$top/tests/bench/replaygen.py" "$T" "$N" "$E"
sh "$top/demo/setup.sh" "$T/etc" >/dev/null 2>&1
mv "$T/big" "$T/etc/big"
cat >>"$T/etc/main.cf" <<EOC
mynetworks = 127.0.0.0/8
local_recipient_maps =
EOC
/usr/sbin/postconf -c "$T/etc" -e "smtpd_sender_restrictions = check_sender_access cdb:$T/etc/big, $(/usr/sbin/postconf -c "$T/etc" -h smtpd_sender_restrictions)"
for t in access_sender null_sender protected_destinations access_recipient restricted_senders transport; do
	/usr/sbin/postmap -c "$T/etc" "hash:$T/etc/$t" 2>/dev/null
done
/usr/sbin/postmap -c "$T/etc" "cdb:$T/etc/big"
sleep 1
echo "delta@delta.example REJECT no more delta" >>"$T/etc/access_sender"
python3 - "$T" "$PFC" "$R" <<'PY'
import os, resource, subprocess, sys, time
t, pfc, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
d = t + "/etc"
def cpu():
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime
def timed(argv, out):
    c0, w0 = cpu(), time.time()
    with open(out, "w") as f:
        subprocess.run(argv, stdout=f, stderr=subprocess.DEVNULL)
    return time.time() - w0, cpu() - c0
cmds = {
    "grep": ["grep", "-c", "", t + "/maillog"],
    "impact": [pfc, "-c", d, "impact", "--log", t + "/maillog"],
    "hits": [pfc, "-c", d, "hits", "--log", t + "/maillog"],
    "explain live": [pfc, "-c", d, "explain", "--batch", t + "/probes.json"],
    "explain pending": [pfc, "-c", d, "explain", "--sources", "--batch", t + "/probes.json"],
}
res = {k: [] for k in cmds}
for r in range(rounds):
    for k, argv in cmds.items():
        res[k].append(timed(argv, t + "/out." + k.replace(" ", "_")))
med = lambda v: sorted(v)[len(v) // 2]
w = {k: med([x[0] for x in v]) for k, v in res.items()}
c = {k: med([x[1] for x in v]) for k, v in res.items()}
txn = sum(1 for _ in open(t + "/probes.json"))
head = open(t + "/out.impact").readline().strip()
print("log: %d lines, %d transactions; %s" % (sum(1 for _ in open(t + "/maillog")), txn, head))
print("| measurement (median of %d) | wall | CPU |" % rounds)
print("|---|---|---|")
for k in cmds:
    print("| %s | %.2f s | %.2f s |" % (k, w[k], c[k]))
alt_w = w["explain live"] + w["explain pending"]
alt_c = c["explain live"] + c["explain pending"]
print("| explain --batch, both versions | %.2f s | %.2f s |" % (alt_w, alt_c))
print("impact: %.1fx faster than explain --batch per version (wall), %.1fx (CPU); %.0fx grep -c wall"
      % (alt_w / w["impact"], alt_c / c["impact"], w["impact"] / w["grep"]))
print("hits: %.1fx grep -c wall; target < 1 s each: impact %s, hits %s"
      % (w["hits"] / w["grep"], "met" if w["impact"] < 1 else "NOT met", "met" if w["hits"] < 1 else "NOT met"))
PY
