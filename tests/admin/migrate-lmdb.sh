#!/bin/sh
# tests/admin/migrate.sh with lmdb as the target: pfconsole migrate hash
# lmdb end to end against a real Postfix with the demo configuration in a
# git repository (skipped when Postfix has no lmdb support: postfix-lmdb).
MIGRATE_TO=lmdb
. "$top_srcdir/tests/admin/migrate.sh"
