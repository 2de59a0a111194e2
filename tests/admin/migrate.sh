#!/bin/sh
# pfconsole migrate hash TO (TO: $MIGRATE_TO, cdb by default;
# tests/admin/migrate-lmdb.sh runs this with lmdb), end to end against a
# real Postfix with the demo configuration (plus a master.cf -o override
# naming a hash table), the configuration directory in a git repository
# with an unrelated uncommitted change:
#  - --dry-run prints the plan and writes nothing;
#  - the migration builds the TO indexes, rewrites main.cf and master.cf,
#    postfix check is clean, Postfix is reloaded; explain (for the smtpd
#    service the probes reach) gives the same answer on every recorded
#    probe before and after, and the real smtpd answers every probe as
#    explain says, before and after;
#  - the old .db files stay (no --remove-old); with a reload that fails
#    (a fake postfix) main.cf is restored, the .db files stay too and
#    nothing is committed;
#  - the migration makes exactly one commit: main.cf and master.cf, the
#    audit line as its message, no index; the unrelated change is left as
#    it was and the output says so;
#  - --remove-old removes them after a successful reload.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/postfix.sh"
pf_require
to=${MIGRATE_TO:-cdb}
case $to in cdb) sfx=cdb ;; lmdb) sfx=lmdb ;; *) bail "MIGRATE_TO=$to" ;; esac
command -v git >/dev/null 2>&1 || skip_all "git not installed"
unset PFCONSOLE_POSTFIX
pf_instance_create || bail "cannot create a Postfix instance"
pf_postconf -m 2>/dev/null | grep -qx "$to" || skip_all "Postfix has no $to support (postfix-$to)"
sh "$top_srcdir/demo/setup.sh" "$PF_CONF" >/dev/null 2>&1 || bail "demo/setup.sh failed"
# a client table used only through master.cf
printf '192.0.2.66 REJECT listed client\n' >"$PF_CONF/clients"
pf_postmap "hash:$PF_CONF/clients" || bail "postmap clients"
svc=$(pf_postconf -M | awk '$2 == "inet" && $NF == "smtpd" {print $1; exit}')
pf_postconf -P "$svc/inet/smtpd_client_restrictions=check_client_access,hash:$PF_CONF/clients" ||
	bail "postconf -P"
# an alias table: postalias's format, not migrated
printf 'postmaster: root\n' >"$PF_CONF/aliases"
/usr/sbin/postalias -c "$PF_CONF" "hash:$PF_CONF/aliases" || bail "postalias"
pf_postconf -e "alias_maps = hash:$PF_CONF/aliases"
# the configuration in git (as etckeeper keeps /etc), an unrelated change
# left uncommitted
printf 'MX notes\n' >"$PF_CONF/NOTES"
git init -q "$PF_CONF" || bail "git init"
git -C "$PF_CONF" config user.name tester
git -C "$PF_CONF" config user.email tester@example.org
git -C "$PF_CONF" add -A && git -C "$PF_CONF" commit -q -m initial || bail "git commit"
printf 'a change of the admin\n' >>"$PF_CONF/NOTES"
head0=$(git -C "$PF_CONF" rev-parse HEAD)
pf_start || bail "postfix start failed: $(tail -5 "$PF_LOG")"
pf_wait_log 'daemon started' >/dev/null || bail "no 'daemon started' in the log"

probes=$PF_DIR/probes
cat >"$probes" <<'P'
{"client":"203.0.113.5,mail.example.com","helo":"mail.example.com","sender":"318787866@qq.com","recipient":"foo@bar.org"}
{"client":"203.0.113.5,mail.example.com","helo":"mail.example.com","sender":"friend@example.net","recipient":"foo@bar.org"}
{"client":"203.0.113.5,mail.example.com","helo":"mail.example.com","sender":"admin@example.net","recipient":"bob@bar.org"}
{"client":"203.0.113.5,mail.example.com","helo":"mail.example.com","sender":"<>","recipient":"bob@bar.org"}
{"client":"203.0.113.5,mail.example.com","helo":"mail.example.com","sender":"a@163.com","recipient":"foo@bar.org"}
{"client":"203.0.113.5,mail.example.com","helo":"mail.example.com","sender":"x@example.net","recipient":"postmaster@domain.ie"}
{"client":"203.0.113.5,mail.example.com","helo":"mail.example.com","sender":"x@example.net","recipient":"someone@elsewhere.example"}
{"client":"192.0.2.66","helo":"h.example","sender":"x@example.net","recipient":"bob@bar.org"}
P
# explain for the smtpd service the probes reach (its master.cf -o override)
answers() { "$PFCONSOLE" -c "$PF_CONF" explain --service "$svc/inet" --batch "$probes" --json 2>&1 |
	python3 -c '
import json, sys
for l in sys.stdin:
    d = json.loads(l)
    print(d.get("decision"), d.get("code"), d.get("dsn"), d.get("text"))'; }
before=$(answers)
like "explain answers the recorded probes (hash tables)" "$before" 'reject 554'
# smtpd_answers - the real smtpd's RCPT reply (code and DSN) to each probe
smtpd_answers() {
	python3 -c '
import json, sys
for l in open(sys.argv[1]):
    d = json.loads(l)
    addr, _, name = d["client"].partition(",")
    print("ADDR=%s NAME=%s HELO=%s|%s|%s" % (addr, name or "[UNAVAILABLE]", d["helo"],
          "" if d["sender"] == "<>" else d["sender"], d["recipient"]))' "$probes" |
	while IFS='|' read -r xc from rcpt; do
		pf_smtp --xclient "$xc" "MAIL FROM:<$from>" "RCPT TO:<$rcpt>" 2>&1 |
			sed -n '/^C: RCPT/{n;s/^S: \([0-9]* [0-9.]*\).*/\1/p}'
	done
}
real_before=$(smtpd_answers)
is "the real smtpd answers every probe (hash tables)" "$(printf '%s\n' "$real_before" | grep -c .)" \
	"$(grep -c . "$probes")"
is "... the same code and DSN as explain, probe by probe" "$real_before" \
	"$(printf '%s\n' "$before" | awk '{ if ($2 == "None") print "250 2.1.5"; else print $2, $3 }')"
sum_before=$(cat "$PF_CONF/main.cf" "$PF_CONF/master.cf" | md5sum)

# -- the plan ------------------------------------------------------------------
out=$("$PFCONSOLE" -c "$PF_CONF" migrate --dry-run hash "$to" 2>&1); rc=$?
is "--dry-run exits 0" "$rc" 0
like "the plan shows a main.cf line that changes" "$out" "^  \+ transport_maps = $to:$PF_CONF/transport\$"
like "... and the master.cf override" "$out" "^  \+ .*check_client_access,$to:$PF_CONF/clients"
like "... and the indexes it will build" "$out" "^build $to:$PF_CONF/access_sender "
like "... and leaves alias tables alone" "$out" "^left alone: hash:$PF_CONF/aliases \(alias_maps\): alias tables"
is "--dry-run writes nothing" "$(cat "$PF_CONF/main.cf" "$PF_CONF/master.cf" | md5sum)" "$sum_before"
test ! -e "$PF_CONF/transport.$sfx"; is "--dry-run builds nothing" "$?" 0

# -- a reload that fails: the old configuration comes back ------------------------
cat >"$PF_DIR/badpostfix" <<'SH'
#!/bin/sh
case "$3" in check) exit 0 ;; status) exit 0 ;; reload) echo "fatal: reload failed"; exit 1 ;; esac
SH
chmod 755 "$PF_DIR/badpostfix"
out=$(PFCONSOLE_POSTFIX=$PF_DIR/badpostfix "$PFCONSOLE" -c "$PF_CONF" migrate hash "$to" 2>&1); rc=$?
is "a failed reload: migrate exits 1" "$rc" 1
like "... and says it restored main.cf" "$out" "restored $PF_CONF/main.cf"
is "... main.cf and master.cf have their old text" \
	"$(cat "$PF_CONF/main.cf" "$PF_CONF/master.cf" | md5sum)" "$sum_before"
check "... the old .db files are still there" test -f "$PF_CONF/access_sender.db"
is "... explain still answers as before" "$(answers)" "$before"
is "... nothing was committed" "$(git -C "$PF_CONF" rev-parse HEAD)" "$head0"
unlike "... and no git line" "$out" '^git:'

# -- the migration -----------------------------------------------------------------
pf_log_mark
out=$("$PFCONSOLE" -c "$PF_CONF" migrate --no-audit hash "$to" 2>&1); rc=$?
is "migrate hash $to exits 0" "$rc" 0 || printf '%s\n' "$out" | sed 's/^/# /'
like "postfix check ran and passed" "$out" '^ok +postfix check'
like "Postfix was reloaded" "$out" '^ok +reload'
pf_wait_log 'reload -- version' >/dev/null; is "... the master logged the reload" "$?" 0
unlike "no hash: table left in main.cf (but aliases)" \
	"$(grep -v '^alias' "$PF_CONF/main.cf" | grep -v '^#' | grep -o 'hash:[^ ,]*')" '.'
like "master.cf's override now names the $to table" "$(cat "$PF_CONF/master.cf")" \
	"smtpd_client_restrictions=check_client_access,$to:$PF_CONF/clients"
tables="access_sender null_sender restricted_senders protected_destinations access_recipient transport clients"
for t in $tables; do
	check "built $t.$sfx" test -s "$PF_CONF/$t.$sfx"
done
check "the old .db files are kept (no --remove-old)" test -f "$PF_CONF/access_sender.db"
like "the alias table is left as it was" "$(grep '^alias_maps' "$PF_CONF/main.cf")" "hash:$PF_CONF/aliases"
like "... and the output says so" "$out" "kept $PF_CONF/access_sender.db"
pc=$(pf_postfix check 2>&1); rc=$?
is "postfix check is clean after the migration" "$rc:$pc" "0:"
after=$(answers)
is "explain: the same answer on every recorded probe before and after" "$after" "$before"
is "the real smtpd: the same answer on every probe before and after" "$(smtpd_answers)" "$real_before"
# the real smtpd agrees (one reject through a $to table now)
pf_log_mark
pf_smtp --xclient 'ADDR=203.0.113.5 NAME=mail.example.com HELO=mail.example.com' \
	'MAIL FROM:<318787866@qq.com>' 'RCPT TO:<foo@bar.org>' >/dev/null 2>&1
line=$(pf_wait_log 'NOQUEUE: reject: RCPT from mail\.example\.com')
want=$(printf '%s\n' "$before" | head -1 | awk '{print $2, $3}')
like "the real smtpd rejects the first probe with the same code ($to tables)" "$line" " $want "

# -- the commit ----------------------------------------------------------------------
audit=$(printf '%s\n' "$out" | sed -n 's/^audit: *//p')
is "the audit line: who, the migration, the files put live, the builds, the reload" "$audit" \
	"user=root config=$PF_CONF migrate=hash->$to applied: main.cf, master.cf; built 7 tables; postfix reload ok"
is "the migration made exactly one commit" "$(git -C "$PF_CONF" rev-list --count "$head0"..HEAD)" 1
is "its message is the audit line" "$(git -C "$PF_CONF" log -1 --format=%B | sed '/^$/d')" "$audit"
is "it holds main.cf and master.cf only (no index, no table source)" \
	"$(git -C "$PF_CONF" show --name-only --format= HEAD | sort | tr '\n' ' ')" "main.cf master.cf "
is "the committed main.cf is the new one" "$(git -C "$PF_CONF" show HEAD:main.cf)" "$(cat "$PF_CONF/main.cf")"
is "the admin's unrelated change is left uncommitted" \
	"$(git -C "$PF_CONF" status --porcelain -- NOTES)" " M NOTES"
is "the indexes are not committed (untracked)" \
	"$(git -C "$PF_CONF" status --porcelain -- transport.$sfx)" "?? transport.$sfx"
like "the output says what it committed and what it left" "$out" \
	"^git: +committed 2 files in $PF_CONF \\([0-9a-f]+\\); 1 other change left uncommitted: NOTES\$"

# -- --remove-old after a successful reload ----------------------------------------
# migrate the remaining hash table (clients is $to now: put one back)
pf_postconf -P "$svc/inet/smtpd_client_restrictions=check_client_access,hash:$PF_CONF/clients"
out=$("$PFCONSOLE" -c "$PF_CONF" migrate --no-audit --remove-old hash "$to" 2>&1); rc=$?
is "--remove-old: exits 0" "$rc" 0
like "... removed the old index after the reload" "$out" "removed $PF_CONF/clients.db"
test ! -e "$PF_CONF/clients.db"; is "... clients.db is gone" "$?" 0
tap_done
