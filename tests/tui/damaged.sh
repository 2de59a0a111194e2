#!/bin/sh
# tests/tui/damaged.sh - a damaged index (every bucket page's first item
# pointing outside its page, so lookups go to Berkeley DB in its child)
# never takes the console down: Maps shows unreadable-map with what is
# damaged, an Explain probe that looks the table up gets an answer, and
# the console leaves with status 0.
. "$top_srcdir/tests/tui/lib.sh"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"

tui_fixture
python3 - "$TUI_DIR/etc/access_client.db" <<'PY' || bail "python3 failed"
import struct, sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
ps = struct.unpack("<I", b[20:24])[0]
for off in range(ps, len(b), ps):
    if b[off + 25] == 13 and struct.unpack("<H", b[off + 20:off + 22])[0] > 0:
        b[off + 26:off + 28] = b"\xff\xff"
open(p, "wb").write(b)
PY
tui_start -c "$TUI_DIR/etc" console --log "$TUI_DIR/mail.log"
tui_expect "Maps" 'pfconsole \| Maps'
tui_expect "the damaged index is reported" 'access_client\.db is damaged: page [0-9]+'
tui_expect "its table is to be rebuilt" 'hash:.*/access_client +client +[0-9]+ +stale index'
tui_keys 3
tui_expect "the Explain dialog" 'pfconsole \| Explain'
tui_keys Enter; tui_type 192.0.2.66; tui_keys Enter
tui_keys Enter; tui_keys Enter
tui_keys Enter; tui_type a@example.com; tui_keys Enter
tui_keys Enter; tui_type foo@bar.org; tui_keys Enter
tui_expect "a probe through the damaged table gets a reply" '^reply +[a-z]+'
tui_keys 1
tui_expect "back on Maps" 'pfconsole \| Maps'
tui_quit
tap_done
