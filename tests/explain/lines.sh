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

# keys the line index cannot take a word at a time: upper case, non-ASCII,
# a quote, a backslash, a tab or CR after the key, comments, continuation
# lines, a duplicate (the first line wins), no newline at the end
mkdir "$d/odd"
printf '# comment\n\nplain@x.example REJECT p\n  continued\nUpper@Example.COM REJECT u\n#\n%s REJECT n\ntab@x.example\tREJECT t\ncr@x.example REJECT c\r\nq"a b"@x.example REJECT q\nbs\\@x.example REJECT b\nplain@x.example REJECT again\nlast@x.example REJECT l' \
    "$(printf 'J\303\274rgen@Ex\303\244mple.org')" >"$d/odd/t"
cat >"$d/odd/main.cf" <<EOF
compatibility_level = 3.6
smtputf8_enable = yes
smtpd_sender_restrictions = check_sender_access hash:$d/odd/t
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
mydestination = x.example
EOF
"$PFCONSOLE" -c "$d/odd" build "hash:$d/odd/t" >/dev/null 2>&1
is "the odd table builds" "$?" 0
for kl in "plain@x.example 3" "upper@example.com 5" "$(printf 'j\303\274rgen@ex\303\244mple.org') 7" \
    "tab@x.example 8" "cr@x.example 9" "last@x.example 13"; do
    k=${kl% *}; want=${kl##* }
    got=$("$PFCONSOLE" -c "$d/odd" explain --json --client 192.0.2.1 --helo h.example \
        --sender "$k" --recipient a@x.example 2>&1 |
        python3 -c 'import json,sys; r=json.load(sys.stdin)["rule"]; print(r["line"] if r else "none")')
    is "line of $k" "$got" "$want"
done
tap_done
