#!/bin/sh
# tests/postfix/compat-query.sh - for generated maps and keys (random case,
# non-ASCII, quoted keys, <>, duplicates, continuation lines, CRLF),
# three answers agree for cdb and hash, over thousands of keys:
#   pfconsole query on pfconsole-built files,
#   postmap -q - on pfconsole-built files,
#   postmap -q - on postmap-built files (the reference).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/postfix.sh"
pf_require
pf_instance_create || bail "cannot create a Postfix instance"
export MAIL_CONFIG="$PF_CONF"
w=$PF_DIR/work
mkdir -p "$w/ours" "$w/ref"

# gen SEED - write $w/src and $w/keys
gen() {
	python3 - "$1" "$w/src" "$w/keys" <<'PY'
import random, sys
seed, src, keys = int(sys.argv[1]), sys.argv[2], sys.argv[3]
r = random.Random(seed)
words = ["mail", "spam", "example", "qq", "bar", "foo", "relay", "mx1", "café",
         "straße", "ΣΊΣΥΦΟΣ", "bücher", "ångström", "ﬁle", "İstanbul", "δοκιμή"]
def rcase(s):
    return "".join(c.upper() if r.random() < 0.5 else c.lower() for c in s)
def key():
    k = r.random()
    if k < 0.35:
        return ".".join(r.choice(words) for _ in range(r.randint(1, 3))) + r.choice([".com", ".org", ".de", ""])
    if k < 0.55:
        return "%s@%s.com" % (r.choice(words), r.choice(words))
    if k < 0.65:
        return '"%s %s"@%s.net' % (r.choice(words), r.choice(words), r.choice(words))
    if k < 0.72:
        return "%d.%d.%d" % (r.randint(1, 223), r.randint(0, 255), r.randint(0, 255))
    if k < 0.76:
        return "%s\\ %s" % (r.choice(words), r.choice(words))
    if k < 0.80:
        return "user+%s@%s" % (r.choice(words), r.choice(words))
    return "k%d-%s" % (r.randint(0, 10**6), r.choice(words))
vals = ["OK", "REJECT", "REJECT go away", "DUNNO", "550 5.7.1 no thanks", "DEFER try later",
        "smtp:[192.0.2.1]:2525", "HOLD", "REJECT ünïcödé text", "PREPEND X-Tag: yes"]
entries, seen = [], []
lines = ["# generated, seed %d" % seed, "<> DUNNO"]
seen.append("<>")
for i in range(3000):
    k = rcase(key())
    v = r.choice(vals)
    if seen and r.random() < 0.05:
        k = rcase(r.choice(seen))        # a duplicate, maybe in another case
    seen.append(k)
    form = r.random()
    if form < 0.05:
        lines.append("%s\t%s" % (k, v.split(" ")[0]))
        lines.append("# a comment inside")
        lines.append("   " + " ".join(v.split(" ")[1:] or ["cont"]))
    elif form < 0.08:
        lines.append("%s   %s  \r" % (k, v))
    else:
        lines.append("%s %s" % (k, v))
with open(src, "w", encoding="utf-8", errors="surrogateescape") as f:
    f.write("\n".join(l.replace("\xff", "\udcff") for l in lines))
qs = ["<>", "absent.example", "ABSENT@x", '"no such"@x']
for k in seen:
    qs.append(k); qs.append(rcase(k)); qs.append(k.lower())
for i in range(300):
    qs.append(rcase(key()))
r.shuffle(qs)
with open(keys, "w", encoding="utf-8") as f:
    f.write("\n".join(q for q in qs if "\r" not in q) + "\n")
PY
}

for seed in 1 2; do
	gen $seed || bail "generator failed"
	nkeys=$(wc -l <"$w/keys")
	for type in cdb hash; do
		cp "$w/src" "$w/ours/t"; cp "$w/src" "$w/ref/t"
		"$PFCONSOLE" build -c "$PF_CONF" "$type:$w/ours/t" >/dev/null 2>&1
		check "seed $seed $type: pfconsole build exits 0" [ $? -eq 0 ]
		pf_postmap "$type:$w/ref/t" 2>/dev/null || fail "seed $seed $type: postmap build failed"
		pf_postmap -q - "$type:$w/ref/t" <"$w/keys" >"$w/ref.out" 2>/dev/null
		pf_postmap -q - "$type:$w/ours/t" <"$w/keys" >"$w/pm-ours.out" 2>/dev/null
		"$PFCONSOLE" query -c "$PF_CONF" "$type:$w/ours/t" - <"$w/keys" >"$w/pfc.out" 2>"$w/pfc.err"
		hits=$(wc -l <"$w/ref.out")
		check "seed $seed $type: postmap finds most of $nkeys keys ($hits)" [ "$hits" -gt $((nkeys / 2)) ]
		if cmp -s "$w/ref.out" "$w/pm-ours.out"; then
			ok "seed $seed $type: postmap -q on our file = postmap -q on postmap's ($hits hits)"
		else
			fail "seed $seed $type: postmap -q differs on our file" "$(diff "$w/ref.out" "$w/pm-ours.out" | head -10)"
		fi
		if cmp -s "$w/ref.out" "$w/pfc.out"; then
			ok "seed $seed $type: pfconsole query = postmap -q ($hits hits)"
		else
			fail "seed $seed $type: pfconsole query differs" "$(diff "$w/ref.out" "$w/pfc.out" | head -10)" "$(head -3 "$w/pfc.err")"
		fi
		# pfconsole query on the postmap-built file too
		"$PFCONSOLE" query -c "$PF_CONF" "$type:$w/ref/t" - <"$w/keys" >"$w/pfc-ref.out" 2>/dev/null
		if cmp -s "$w/ref.out" "$w/pfc-ref.out"; then
			ok "seed $seed $type: pfconsole query on postmap's file = postmap -q"
		else
			fail "seed $seed $type: pfconsole query on postmap's file differs" "$(diff "$w/ref.out" "$w/pfc-ref.out" | head -10)"
		fi
		# single-key form: output and exit status
		k=$(sed -n 5p "$w/keys")
		a=$("$PFCONSOLE" query -c "$PF_CONF" "$type:$w/ours/t" "$k" 2>/dev/null); ra=$?
		b=$(pf_postmap -q "$k" "$type:$w/ref/t" 2>/dev/null); rb=$?
		is "seed $seed $type: single key '$k' value" "$a" "$b"
		is "seed $seed $type: single key exit status" "$ra" "$rb"
		"$PFCONSOLE" query -c "$PF_CONF" "$type:$w/ours/t" absent.invalid >/dev/null 2>&1
		is "seed $seed $type: absent key exits 1" "$?" 1
		left=$(ls -A "$w/ours" | grep -c pfctmp)
		is "seed $seed $type: no temporary left" "$left" 0
	done
done
# a line postmap skips (non-UTF-8 here) is an error: nothing is written
printf 'ok.example OK\nbad\377.example OK\n' >"$w/ours/u"
out=$("$PFCONSOLE" build -c "$PF_CONF" "cdb:$w/ours/u" 2>&1)
is "a non-UTF-8 line: build refuses (exit 1)" "$?" 1
like "a non-UTF-8 line: reported at its line" "$out" "u:2:.*non-UTF-8"
check "a non-UTF-8 line: no index written" [ ! -e "$w/ours/u.cdb" ]
rm -f "$w/ours/t.cdb"
"$PFCONSOLE" query -c "$PF_CONF" "cdb:$w/ours/t" x >/dev/null 2>"$w/err"
is "missing index exits 1" "$?" 1
like "missing index is reported as postmap does" "$(cat "$w/err")" 'fatal: open database .*/t\.cdb: No such file or directory'
tap_done
