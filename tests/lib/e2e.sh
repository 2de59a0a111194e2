# tests/lib/e2e.sh - sourced by tests/explain/e2e.sh and recorded.sh (after
# tap.sh): one TAP line per configuration from e2e.py's first output line
# "PASS|FAIL|SKIP NAME - A/N probes agree ...", '#' lines as the detail.
e2e_total=0
e2e_agree=0

# e2e_tally PREFIX OUTPUT - report OUTPUT, add its counts to e2e_total/e2e_agree
e2e_tally() {
	_first=$(printf '%s\n' "$2" | head -1)
	_detail=$(printf '%s\n' "$2" | tail -n +2 | sed 's/^# //')
	_n=$(printf '%s\n' "$_first" | sed -n 's|.* \([0-9]*\)/\([0-9]*\) probes.*|\2|p')
	_a=$(printf '%s\n' "$_first" | sed -n 's|.* \([0-9]*\)/\([0-9]*\) probes.*|\1|p')
	e2e_total=$((e2e_total + ${_n:-0}))
	e2e_agree=$((e2e_agree + ${_a:-0}))
	case $_first in
	PASS*) ok "$1${_first#PASS }" ;;
	SKIP*) ok "$1${_first#SKIP } # SKIP" ;;
	*) fail "$1${_first#FAIL }" "$_detail" ;;
	esac
}
