#!/bin/sh
# tests/feed/hostile.sh - attacker-chosen bytes in log fields: escape
# sequences, C0/C1 controls, invalid UTF-8, bidi overrides; binary junk and
# an over-long line between real lines.  The text output must hold no raw
# control byte and be valid UTF-8; --json must be valid JSON that keeps the
# bytes; no line after the junk may be lost.
. "$top_srcdir/tests/lib/tap.sh"
command -v python3 >/dev/null 2>&1 || bail "python3 is missing"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log=$tmp/mail.log

python3 - "$log" <<'PY'
import sys
p = b"Nov 22 12:30:27 mx postfix/smtpd[4711]: "
def ev(n, helo, sender):
    return (p + b"NOQUEUE: reject: RCPT from unknown[192.0.2.%d]: 501 5.5.2 <" % n + helo +
            b">: Helo command rejected: Invalid name; from=<" + sender +
            b"> to=<victim%d@bar.org> proto=ESMTP helo=<" % n + helo + b">\n")
out = b""
out += ev(1, b"evil\x1b[31mred\x1b[0m.example", b"x\x1b]0;owned\x07@iris.test")
out += ev(2, b"bidi\xe2\x80\xaetxt.exe", b"\xc3\xa9t\xc3\xa9@caf\xc3\xa9.example")
out += ev(3, b"bad\xff\xfeutf8\xc3", b"c1\xc2\x9b31m@x.example")
out += b"\x00" * 300 + b"\x89PNG\r\n\x1a\n\x00\x00binary junk\xff\xd8\xff\n"
out += b"\x00" * 50 + ev(4, b"after.nul.junk", b"a@b.example")
out += b"A" * 100000 + b"\n"
out += ev(5, b"after.long.line", b"tab\there@x.example")
out += b"\x1b[2J\x1b[H screen clear as a whole line\n"
out += ev(6, b"last\r\x08\x7f", b"del@x.example")
open(sys.argv[1], "wb").write(out)
PY

text=$("$PFCONSOLE" feed --log "$log" 2>"$tmp/err"; echo "rc=$?")
is "exit status 0" "$(printf '%s\n' "$text" | tail -1)" "rc=0"
printf '%s\n' "$text" | sed '$d' >"$tmp/text"
is "six events in text form" "$(wc -l <"$tmp/text" | tr -d ' ')" 6
if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$tmp/text"; then
	fail "no raw control bytes in text output" "$(od -c "$tmp/text" | head -20)"
else
	ok "no raw control bytes in text output"
fi
if python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); d.decode("utf-8"); bad=[c for c in d.decode() if 0x80<=ord(c)<=0x9f or 0x202a<=ord(c)<=0x202e]; sys.exit(1 if bad else 0)' "$tmp/text"; then
	ok "text output is valid UTF-8 without C1 or bidi controls"
else
	fail "text output is valid UTF-8 without C1 or bidi controls" "$(od -c "$tmp/text" | head -20)"
fi
like "escape shown visibly" "$(cat "$tmp/text")" 'evil\^\[\[31mred\^\[\[0m\.example'
like "bidi override shown as a code" "$(cat "$tmp/text")" 'bidi\\u202Etxt\.exe'
like "invalid UTF-8 shown as hex" "$(cat "$tmp/text")" 'bad\\xFF\\xFEutf8\\xC3'
like "valid UTF-8 kept" "$(cat "$tmp/text")" 'été@café\.example'
like "line after NUL junk kept" "$(cat "$tmp/text")" 'helo=<after\.nul\.junk>'
like "line after an over-long line kept" "$(cat "$tmp/text")" 'helo=<after\.long\.line>'
like "junk counted on stderr" "$(cat "$tmp/err")" 'skipped [0-9]+ lines? that were not log lines'

"$PFCONSOLE" feed --log "$log" --json >"$tmp/json" 2>/dev/null
if python3 - "$tmp/json" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert len(rows) == 6, len(rows)
assert rows[0]["helo"] == "evil\x1b[31mred\x1b[0m.example", rows[0]["helo"]
assert rows[0]["from"] == "x\x1b]0;owned\x07@iris.test", rows[0]["from"]
assert rows[1]["helo"] == "bidi\u202etxt.exe"
assert rows[5]["helo"] == "last\r\x08\x7f"
PY
then ok "--json is valid and keeps the bytes as read"
else fail "--json is valid and keeps the bytes as read" "$(head -c 2000 "$tmp/json")"
fi
# crash holes: NUL runs of any length right before a line (no newline in
# between) never lose it; lines up to 64 KiB are read whole, longer ones are
# cut and marked (text TRUNCATED, JSON "truncated":true, a count on stderr)
python3 - "$tmp/holes.log" <<'PY'
import sys
def ev(n, pad=b""):
    return (b"Nov 22 12:30:27 mx postfix/smtpd[4711]: NOQUEUE: reject: RCPT from unknown[192.0.2.9]: "
            b"554 5.7.1 <" + pad + b">: Sender address rejected; from=<s%d@x.example> to=<r%d@bar.org> "
            b"proto=ESMTP helo=<h%d>\n" % (n, n, n))
out = ev(0)
for i, run in enumerate([8193, 20000, 65536, 70000, 500000, 2000000]):
    out += b"\x00" * run + ev(i + 1)
out += ev(7, b"x" * 60000) + ev(8, b"x" * 100000) + ev(9)
open(sys.argv[1], "wb").write(out)
PY
"$PFCONSOLE" feed --log "$tmp/holes.log" >"$tmp/holes.text" 2>"$tmp/holes.err"
is "NUL holes (8 KiB to 2 MiB): the line after each kept" \
	"$(grep -o 'to=<r[0-9]*@' "$tmp/holes.text" | tr -dc '0-9\n' | tr '\n' ' ')" "0 1 2 3 4 5 6 7 9 "
like "a 60 KiB line is read whole" "$(cat "$tmp/holes.text")" 'from=<s7@x\.example> to=<r7@bar\.org> helo=<h7>'
like "a 100 KiB line is marked TRUNCATED" "$(sed -n 9p "$tmp/holes.text")" '^[^ ]+ reject RCPT TRUNCATED unknown\[192\.0\.2\.9\] 554 5\.7\.1: '
like "cut lines counted on stderr" "$(cat "$tmp/holes.err")" 'cut 1 line longer than 64 KiB'
"$PFCONSOLE" feed --log "$tmp/holes.log" --json >"$tmp/holes.json" 2>/dev/null
if python3 - "$tmp/holes.json" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert len(rows) == 10, len(rows)
assert [r["to"] for r in rows[:8]] == ["r%d@bar.org" % i for i in range(8)], [r["to"] for r in rows]
assert not any(r.get("truncated") for r in rows[:8] + rows[9:])
assert rows[8]["truncated"] is True and rows[8]["from"] is None and rows[8]["to"] is None
assert rows[8]["helo"] is None and rows[8]["client_ip"] == "192.0.2.9"
PY
then ok "--json: truncated:true on the cut line only, its field list null"
else fail "--json: truncated:true on the cut line only, its field list null" "$(cut -c1-300 "$tmp/holes.json")"
fi
tap_done
