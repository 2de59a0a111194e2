#!/bin/sh
# demo/run-demo.sh PFCONSOLE - the README's first command, after the build.
#
# Copies the demo configuration (demo/etc, see demo/setup.sh) to a scratch
# directory and makes its mail log move:
#  - as root with Postfix installed: a real throwaway Postfix instance on the
#    scratch configuration (tests/lib/postfix.sh: own queue, loopback port,
#    maillog_file, nothing delivered), and demo/traffic.py sending it SMTP
#    sessions (spam from qq.com and 163.com, forged senders, DSNs, relay
#    attempts, legitimate mail) so the log keeps receiving new reject lines;
#  - otherwise (or with DEMO_SYNTHETIC=1): demo/traffic.py --synthetic writes
#    the lines Postfix would log into the scratch maillog_file.
# Then it runs the console, `PFCONSOLE -c SCRATCH/etc` (until the console is
# built: `pfconsole check` on it, and the newest rejects).  When that ends,
# everything started here is stopped and the scratch directory removed
# (kept with DEMO_KEEP=1).
#
# For tests: DEMO_CMD, when set, is run (sh -c) instead of the console, with
# DEMO_DIR, DEMO_CONF, DEMO_LOG, DEMO_PORT (empty when synthetic) and
# DEMO_MODE (real|synthetic) in its environment; run-demo.sh exits with its
# status.  DEMO_DELAY is the mean pause between sessions (default 1 s).
set -u
demo=$(cd "$(dirname "$0")" && pwd)
top_srcdir=$(dirname "$demo")
[ $# -eq 1 ] || { echo "usage: $0 PFCONSOLE" >&2; exit 2; }
pfc=$1
case $pfc in /*) ;; *) pfc=$(pwd)/$pfc ;; esac
[ -x "$pfc" ] || { echo "run-demo.sh: $pfc is not built" >&2; exit 2; }
python=${PF_PYTHON:-python3}
delay=${DEMO_DELAY:-1}

# the helpers of tests/lib/postfix.sh use these two from tests/lib/tap.sh
skip_all() { echo "run-demo.sh: $*" >&2; exit 1; }
bail() { echo "run-demo.sh: $*" >&2; exit 1; }
. "$top_srcdir/tests/lib/postfix.sh"

mode=synthetic
if [ "${DEMO_SYNTHETIC:-0}" != 1 ] && [ "$(id -u)" -eq 0 ] && [ -x "$PF_POSTFIX" ]; then
	mode=real
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/pfconsole-demo.XXXXXX") || exit 1
gen_pid=""
stop_generator() {
	[ -n "$gen_pid" ] && kill -TERM "$gen_pid" 2>/dev/null && wait "$gen_pid" 2>/dev/null
	gen_pid=""
}

if [ "$mode" = real ]; then
	pf_instance_create "$scratch" || bail "cannot create a Postfix instance in $scratch"
	# pf_cleanup_all (the EXIT trap) stops it; it removes directories marked so
	[ "${DEMO_KEEP:-0}" = 1 ] || : >"$scratch/.pf-owned"
	pf_atexit stop_generator
	conf=$PF_CONF log=$PF_LOG port=$PF_PORT
	sh "$demo/setup.sh" "$conf" || bail "demo/setup.sh failed"
	pf_start || bail "the demo's Postfix instance did not start (see $log)"
	"$python" "$demo/traffic.py" --port "$port" --delay "$delay" \
		>"$scratch/traffic.out" 2>&1 &
	gen_pid=$!
else
	chmod 755 "$scratch"
	trap 'stop_generator; [ "${DEMO_KEEP:-0}" = 1 ] || rm -rf "$scratch"' EXIT
	trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 143' TERM
	conf=$scratch/etc log=$scratch/maillog port=""
	sh "$demo/setup.sh" "$conf" "$log" || bail "demo/setup.sh failed"
	: >"$log"
	"$python" "$demo/traffic.py" --synthetic "$log" --host mx --delay "$delay" \
		>"$scratch/traffic.out" 2>&1 &
	gen_pid=$!
fi

DEMO_DIR=$scratch DEMO_CONF=$conf DEMO_LOG=$log DEMO_PORT=$port DEMO_MODE=$mode
export DEMO_DIR DEMO_CONF DEMO_LOG DEMO_PORT DEMO_MODE
if [ -n "${DEMO_CMD:-}" ]; then
	sh -c "$DEMO_CMD"
	exit $?
fi

echo "pfconsole demo: configuration $conf, log $log ($mode traffic)"
"$pfc" -c "$conf"
