#!/bin/sh
# tests/security/explain-io.sh - explain's input and output are hostile
# text: the text output goes through the feed's sanitizer (no raw ESC, BEL
# or newline from an argument or a table can fake lines); --batch refuses
# \u0000, text after the object, duplicate members, more than 32 members,
# with one error line per bad line; JSON output keeps a byte that is not
# UTF-8 apart from the character with the same number, and escapes C1
# controls and bidi overrides.
. "$top_srcdir/tests/lib/tap.sh"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is missing"
T=$(mktemp -d "${TMPDIR:-/tmp}/pfc-sec-explain.XXXXXX") || bail "mktemp"
trap 'rm -rf "$T"' EXIT
cat >"$T/main.cf" <<CF
compatibility_level = 3.6
mydestination = bar.org
local_recipient_maps =
smtpd_recipient_restrictions = check_sender_access cdb:$T/senders, permit
CF
printf 'evil\033]0;x\007\nfaked.example REJECT\n' >"$T/k"
printf 'bad.example REJECT go\033[2Jaway\n' >"$T/senders"
"$PFCONSOLE" -c "$T" build "cdb:$T/senders" >/dev/null 2>&1 || bail "build failed"
E="$PFCONSOLE -c $T explain"

out=$($E --client 192.0.2.1 --helo "$(printf 'h\033[31m\007\nrule: forged')" --sender "$(printf 'x@bad.example')" --recipient "$(printf 'a\033[2J@bar.org')")
if printf '%s' "$out" | LC_ALL=C grep -q "$(printf '[\001-\011\013-\037\177]')"; then
	fail "text output: no raw control byte" "$(printf '%s' "$out" | od -c | head)"
else
	ok "text output: no raw control byte"
fi
is "text output: exactly one rule: line (a newline cannot fake one)" \
	"$(printf '%s\n' "$out" | grep -c '^rule:')" 1
like "the table's ESC is shown as ^[" "$out" '^rule: .*go\^\[\[2Jaway'

# --batch: one line per probe, each bad line answered with an error
good='"client":"192.0.2.1","sender":"x@ok.example","recipient":"u@bar.org"'
many=$(python3 -c 'print(",".join("\"f%d\":\"v\"" % i for i in range(33)))')
printf '%s\n' \
	"{$good}" \
	'{"client":"1.2.3.4\u0000evil","sender":"x@ok.example","recipient":"u@bar.org"}' \
	"{$good} trailing" \
	"{$good,\"client\":\"203.0.113.9\"}" \
	"{$good,$many}" \
	'{"client":"192.0.2.1","sender":"x@ok.example","recipient":"u@bar.org","n":01}' \
	"{$good}" >"$T/batch"
out=$($E --batch "$T/batch"; echo "rc=$?")
is "batch: one answer per line" "$(printf '%s\n' "$out" | grep -c '^{')" 7
is "batch: exit status 1 (bad lines)" "$(printf '%s\n' "$out" | tail -1)" "rc=1"
line() { printf '%s\n' "$out" | sed -n "${1}p"; }
like "good probe answered" "$(line 1)" '"decision":"accept"'
like "\\u0000 refused" "$(line 2)" '^\{"error":"line 2: invalid JSON: \\\\u0000 in a string"\}$'
like "trailing garbage refused" "$(line 3)" '^\{"error":"line 3: invalid JSON: text after the object"\}$'
like "duplicate member refused" "$(line 4)" '^\{"error":"line 4: invalid JSON: duplicate member"\}$'
like "33 members refused" "$(line 5)" '^\{"error":"line 5: invalid JSON: more than 32 members"\}$'
like "a bad number refused" "$(line 6)" '^\{"error":"line 6: invalid JSON'
like "the next good line is answered" "$(line 7)" '"decision":"accept"'
printf '%s\n' "$out" | sed '$d' | python3 -c 'import json,sys
for l in sys.stdin: json.loads(l)' && ok "every answer is valid JSON" || fail "every answer is valid JSON"

# feed --json: 0xFF and U+00FF differ; C1 and bidi escaped; the event
# goes back into explain --batch byte for byte
p='Nov 22 12:30:27 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from unknown[192.0.2.7]: 554 5.7.1 <x>: Sender address rejected: Access denied;'
printf '%s from=<\377@a.example> to=<\303\277@bar.org> proto=ESMTP helo=<c1\302\233bidi\342\200\256x>\n' "$p" >"$T/log"
j=$("$PFCONSOLE" feed --json --log "$T/log")
like "invalid byte 0xFF is \\udcff" "$j" '"from":"\\udcff@a\.example"'
like "the character U+00FF is itself" "$j" '"to":"ÿ@bar\.org"'
like "C1 and bidi override escaped" "$j" '"helo":"c1\\u009bbidi\\u202ex"'
got=$(printf '%s' "$j" | python3 -c 'import json,sys; o=json.load(sys.stdin); print(o["from"].encode("utf-8","surrogateescape").hex())')
is "a reader gets the original bytes back (surrogateescape)" "$got" "ff40612e6578616d706c65"
out=$(printf '%s\n' "$j" | $E --batch - --sources)
like "the event goes back into explain --batch" "$out" '"decision":'
tap_done
