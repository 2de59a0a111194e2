#!/bin/sh
# explain names the right FILE:LINE for every key of a 1,000,000-entry
# table: the line index compares the whole 64-bit key hash (with 32 bits,
# about 17 of 60,000 answers named another key's line).
. "$top_srcdir/tests/lib/tap.sh"
command -v python3 >/dev/null 2>&1 || bail "python3 is missing"
d=$(mktemp -d) || bail "mktemp"
trap 'rm -rf "$d"' EXIT
python3 - "$d" <<'PY' || bail "cannot generate the table"
import json, random, sys
d = sys.argv[1]
with open(d + "/big", "w") as f:
    for i in range(1000000):
        f.write("user%d@d%d.example REJECT listed %d\n" % (i, i % 1000, i))
open(d + "/main.cf", "w").write(
    "compatibility_level = 3.6\n"
    "smtpd_sender_restrictions = check_sender_access cdb:%s/big\n"
    "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n"
    "mydestination = x.example\n" % d)
random.seed(1)
with open(d + "/probes", "w") as f:
    for _ in range(60000):
        i = random.randrange(1000000)
        f.write(json.dumps({"client": "192.0.2.1", "helo": "h.example",
                            "sender": "user%d@d%d.example" % (i, i % 1000),
                            "recipient": "a@x.example"}) + "\n")
PY
"$PFCONSOLE" -c "$d" build "cdb:$d/big" >/dev/null 2>&1
is "the 1,000,000-entry table builds" "$?" 0
"$PFCONSOLE" -c "$d" explain --batch "$d/probes" >"$d/out" 2>&1
is "explain --batch answers" "$?" 0
res=$(python3 - "$d/out" <<'PY'
import json, sys
n = bad = 0
for l in open(sys.argv[1]):
    o = json.loads(l); n += 1
    r = o.get("rule")
    i = int(o["text"].rsplit(" ", 1)[1])
    if not r or r["line"] != i + 1:
        bad += 1
print(n, bad)
PY
)
is "60000 answers, each naming its own key's line (answers, wrong)" "$res" "60000 0"
tap_done
