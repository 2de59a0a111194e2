#!/bin/sh
# tests/security/damaged-index.sh - damaged hash and cdb indexes built by the
# real postmap never crash or hang `pfconsole query`, `check` or `explain`,
# and query never answers differently from postmap -q on the same damaged
# file without saying so (tests/security/damaged_index.py).  A short run
# here; DAMAGE_ROUNDS=1000 for a long one, DAMAGE_SEED=N repeats one.  The
# 1,000-round in-process run under ASan is tests/unit/test_map_damaged.
. "$top_srcdir/tests/lib/tap.sh"
[ -x /usr/sbin/postmap ] || skip_all "postmap not installed"
command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"
seed=${DAMAGE_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
out=$(timeout -k 5 100 python3 "$top_srcdir/tests/security/damaged_index.py" "$PFCONSOLE" \
	"${DAMAGE_ROUNDS:-25}" "$seed" 2>&1); rc=$?
like "damaged indexes: no crash, hang or silent difference (seed $seed; DAMAGE_SEED=$seed repeats it)" \
	"$out" " 0 failures"
is "the run ended by itself (exit 0)" "$rc" 0
tap_done
