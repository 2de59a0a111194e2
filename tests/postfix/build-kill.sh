#!/bin/sh
# tests/postfix/build-kill.sh - "pfconsole build" killed with SIGKILL at
# random moments, many times (100 per type, cdb and hash): after every kill
# the index is readable by the real postmap -q and holds entirely the old or
# entirely the new content, never a mix; the next clean build leaves no
# temporary file behind (it removes those of killed runs).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/postfix.sh"
pf_require
pf_instance_create || bail "cannot create a Postfix instance"
export MAIL_CONFIG="$PF_CONF"
w=$PF_DIR/kill
mkdir -p "$w"
: "${KILL_ROUNDS:=100}"

for type in cdb hash; do
	out=$(python3 - "$PFCONSOLE" "$PF_CONF" "$w" "$type" "$KILL_ROUNDS" <<'PY'
import os, random, signal, subprocess, sys, time
pfc, conf, w, typ, rounds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
src = os.path.join(w, "t-" + typ)
sizes = {1: 20000, 2: 30000}
def write_src(v):
    tmp = src + ".new"
    with open(tmp, "w") as f:
        for i in range(sizes[v]):
            f.write("key%d.example REJECT v%d entry %d\n" % (i, v, i))
    os.rename(tmp, src)
keys = "".join("key%d.example\n" % i for i in range(max(sizes.values()))).encode()
def content():
    p = subprocess.run(["postmap", "-c", conf, "-q", "-", "%s:%s" % (typ, src)],
                       input=keys, capture_output=True)
    if p.returncode not in (0, 1) or b"fatal" in p.stderr:
        return ("unreadable", p.stderr.decode(errors="replace")[:200])
    vers = set()
    n = 0
    for line in p.stdout.decode().splitlines():
        k, v = line.split("\t", 1)
        vers.add(v.split()[1])
        n += 1
    if len(vers) != 1:
        return ("mixed", sorted(vers))
    v = int(vers.pop()[1:])
    if n != sizes[v]:
        return ("partial", "v%d with %d of %d entries" % (v, n, sizes[v]))
    return ("ok", v)
def build():
    return subprocess.Popen([pfc, "build", "-c", conf, "%s:%s" % (typ, src)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
# a complete first build, and its duration
write_src(1)
t0 = time.monotonic(); build().wait(); dur = time.monotonic() - t0
current = 1
window = dur * 1.6
bad = 0; killed = 0; completed = 0; switched = 0
rng = random.Random(42)
for r in range(rounds):
    new = 2 if current == 1 else 1
    write_src(new)
    p = build()
    time.sleep(rng.uniform(0, window))
    p.send_signal(signal.SIGKILL)
    p.wait()
    # adapt the window so that about half the builds finish, however
    # loaded the machine is
    if p.returncode == -signal.SIGKILL:
        killed += 1
        window *= 1.08
    else:
        completed += 1
        window /= 1.08
    st, v = content()
    if st != "ok" or v not in (current, new):
        bad += 1
        print("# round %d: %s %s" % (r, st, v))
        continue
    if v != current:
        switched += 1
    current = v
print("bad=%d killed=%d completed=%d switched=%d dur_ms=%d" % (bad, killed, completed, switched, dur * 1000))
PY
)
	echo "$out" | grep '^#'
	summary=$(echo "$out" | grep '^bad=')
	like "$type: $KILL_ROUNDS builds killed at random moments ($summary)" "$summary" '^bad=0 '
	killed=$(echo "$summary" | sed 's/.*killed=\([0-9]*\).*/\1/')
	switched=$(echo "$summary" | sed 's/.*switched=\([0-9]*\).*/\1/')
	check "$type: many builds were killed ($killed)" [ "${killed:-0}" -ge $((KILL_ROUNDS / 4)) ]
	check "$type: the index changed version many times ($switched)" [ "${switched:-0}" -ge $((KILL_ROUNDS / 10)) ]
	check "$type: and stayed old many times" [ "${switched:-0}" -le $((KILL_ROUNDS * 9 / 10)) ]
	stray=$(ls -A "$w" | grep -c pfctmp)
	echo "# $type: $stray temporaries left by killed builds"
	"$PFCONSOLE" build -c "$PF_CONF" "$type:$w/t-$type" 2>/dev/null
	check "$type: a clean build afterwards succeeds" [ $? -eq 0 ]
	left=$(ls -A "$w" | grep pfctmp)
	is "$type: no temporary left after the clean build" "$left" ""
	v=$(pf_postmap -q key0.example "$type:$w/t-$type")
	like "$type: the clean build holds the current source" "$v" '^REJECT v[12] entry 0$'
done
tap_done
