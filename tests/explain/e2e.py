#!/usr/bin/env python3
"""tests/explain/e2e.py - pfconsole explain against a real smtpd, probe by probe.

usage: e2e.py list                      names of the configurations
       e2e.py setup NAME                write NAME's tables under $PF_CONF/NAME,
                                        build them, print its main.cf lines
       e2e.py run NAME                  probe the running instance and
                                        pfconsole explain --batch; compare
       e2e.py replay FILE...            compare pfconsole explain with the
                                        smtpd answers recorded in FILE (no
                                        Postfix needed; see below)

Environment: PF_CONF, PF_DIR, PF_PORT (tests/lib/postfix.sh), PFCONSOLE;
E2E_RECORD=DIR makes 'run' also write DIR/NAME.json: the configuration as
the instance had it (main.cf, master.cf, table sources, with the instance
directory written as @DIR@), every probe and the real smtpd's answer.
tests/explain/recorded/ holds such files; tests/explain/recorded.sh replays
them in every 'make check': the configuration is written to a temporary
directory with the recorded hash/cdb index files (btree and lmdb, read
through postmap anyway, are built by postmap when it exists, else the
configuration is skipped) and 'pfconsole explain --batch' must give the
recorded answers.  Regenerate them as root with
  E2E_RECORD=$PWD/tests/explain/recorded make -C build check TESTS=tests/explain/e2e.sh

Every configuration is a set of tables, main.cf settings and probe
dimensions (clients with and without names, HELO names, senders,
recipients).  'run' draws up to LIMIT probes from their product (fixed
seed, the listed 'always' probes first), sends each through a real SMTP
session (one connection per client: EHLO, XCLIENT ADDR NAME, then per
probe EHLO helo, MAIL FROM, RCPT TO, RSET), and takes the first reply that
is not 2xx/220, else the RCPT reply.  The same probes go through
'pfconsole explain --batch'.  Decision, code, DSN and text must be equal.
Output: "PASS name - N/N agree" or "FAIL name - ..." plus '#' detail lines.
"""

import base64
import json
import os
import random
import socket
import subprocess
import sys

CONF = os.environ.get("PF_CONF", "")
PF_DIR = os.environ.get("PF_DIR", "")
PORT = int(os.environ.get("PF_PORT", "0") or 0)
PFCONSOLE = os.environ.get("PFCONSOLE", "pfconsole")
POSTMAP = "/usr/sbin/postmap"


def have_lmdb():
    try:
        out = subprocess.run(["/usr/sbin/postconf", "-c", CONF or "/nonexistent", "-m"],
                             capture_output=True, text=True).stdout
    except OSError:
        return False
    return "lmdb" in out.split()


HAVE_LMDB = have_lmdb()


def d(name):
    return os.path.join(CONF, name)


# --------------------------------------------------------------------------
# configurations

ACTIONS = [
    # (key tag, value) - every access(5) action, replies and config errors
    ("ok", "OK"),
    ("relay", "RELAY whatever"),
    ("num", "12345"),
    ("barecode", "550"),
    ("dunno", "DUNNO"),
    ("rej", "REJECT"),
    ("rejtext", "REJECT go away now"),
    ("rejdsn", "REJECT 5.7.9 custom dsn"),
    ("rej521", "REJECT 521"),
    ("lcrej", "reject lower case command"),
    ("c521", "521 botnet go away"),
    ("c550", "550 plain five fifty"),
    ("c550d", "550 5.7.9 with dsn"),
    ("c550d4", "550 4.7.9 dsn class four"),
    ("c499", "499 odd code"),
    ("c450", "450 try later"),
    ("c451d", "451 5.3.0 mismatch"),
    ("def", "DEFER"),
    ("deftext", "DEFER later please"),
    ("defdsn", "DEFER 5.7.1 five in defer"),
    ("dip", "DEFER_IF_PERMIT"),
    ("diptext", "DEFER_IF_PERMIT maybe later"),
    ("dir", "DEFER_IF_REJECT soften it"),
    ("hold", "HOLD"),
    ("holdtext", "HOLD look at it"),
    ("disc", "DISCARD"),
    ("filter", "FILTER smtp:[127.0.0.1]:10025"),
    ("badfilter", "FILTER nocolon"),
    ("redirect", "REDIRECT other@example.net"),
    ("badredirect", "REDIRECT nobody"),
    ("bcc", "BCC copy@example.net"),
    ("prepend", "PREPEND X-Explain: yes"),
    ("badprepend", "PREPEND no header"),
    ("warn", "WARN watch this"),
    ("info", "INFO just saying"),
    ("c250", "250 not a reply"),
    ("c699", "699 out of range"),
    ("tabref", "check_sender_access hash:/nonexistent/x"),
    ("builtin", "reject"),
    ("builtin2", "permit_mynetworks, reject"),
    ("relaydeny", "reject_unauth_destination"),
    ("class", "my_class"),
    ("undef", "no_such_class"),
    ("dsn11", "REJECT 5.1.1 address dsn one"),
    ("dsn12", "REJECT 5.1.2 address dsn two"),
    ("dsn13", "REJECT 5.1.3 address dsn three"),
    ("dsn15", "REJECT 5.1.5 address dsn five"),
    ("dsn16", "REJECT 5.1.6 address dsn six"),
    ("dsn17", "REJECT 5.1.7 address dsn seven"),
    ("dsn18", "REJECT 5.1.8 address dsn eight"),
    ("dsn19", "REJECT 5.1.9 address dsn nine"),
    ("dsn41", "550 4.1.1 mixed"),
    ("baddsn", "REJECT 5.7.1000 not a dsn"),
    ("ctl", "REJECT tab\there"),
    ("dsnonly2", "DEFER_IF_PERMIT 4.1.2 dip dsn"),
]


def actions_table(fmt):
    return "".join(fmt(tag) + " " + val + "\n" for tag, val in ACTIONS)


def cfg_actions():
    """every action, in sender, recipient, client and HELO context"""
    base = d("actions")
    return {
        "files": {
            "snd": "# sender actions\n" + actions_table(lambda t: "s-%s.example" % t),
            "rcpt": "# recipient actions\n" + actions_table(lambda t: "r-%s@local.test" % t),
            "cli": "# client actions by name\n" + actions_table(lambda t: "c-%s.example" % t),
            "helo": "# helo actions\n" + actions_table(lambda t: "h-%s.example" % t),
        },
        "postmap": ["cdb:snd", "hash:rcpt", "cdb:cli", "hash:helo"],
        "main": {
            "mydestination": "local.test",
            "smtpd_restriction_classes": "my_class",
            "my_class": "check_recipient_access hash:%s/rcpt, reject_unauth_destination, "
                        "permit" % base,
            "smtpd_client_restrictions": "check_client_access cdb:%s/cli" % base,
            "smtpd_helo_restrictions": "check_helo_access hash:%s/helo" % base,
            "smtpd_sender_restrictions": "check_sender_access cdb:%s/snd" % base,
            "smtpd_recipient_restrictions":
                "check_recipient_access hash:%s/rcpt, permit_auth_destination, reject" % base,
        },
        "clients": [("192.0.2.10", None), ("192.0.2.11", "plain.example")]
                   + [("192.0.2.%d" % (20 + i), "c-%s.example" % t) for i, (t, _) in enumerate(ACTIONS)],
        "helos": ["plain.example"] + ["h-%s.example" % t for t, _ in ACTIONS],
        "senders": ["a@plain.example", ""] + ["u@s-%s.example" % t for t, _ in ACTIONS],
        "recipients": ["x@local.test", "x@remote.test"] + ["r-%s@local.test" % t for t, _ in ACTIONS],
        "always": ([(("192.0.2.10", None), "plain.example", "u@s-%s.example" % t, rcpt)
                    for t, _ in ACTIONS for rcpt in ("x@local.test", "x@remote.test")]
                   + [(("192.0.2.10", None), "plain.example", "a@plain.example", "r-%s@local.test" % t)
                      for t, _ in ACTIONS]
                   + [(("192.0.2.%d" % (20 + i), "c-%s.example" % t), "plain.example",
                       "a@plain.example", "x@local.test") for i, (t, _) in enumerate(ACTIONS)]
                   + [(("192.0.2.10", None), "h-%s.example" % t, "a@plain.example", "x@local.test")
                      for t, _ in ACTIONS]),
        "limit": 900,
    }


def cfg_seed2019():
    """the 2019 seed post, verbatim restrictions (hash tables)"""
    base = d("seed2019")
    return {
        "files": {
            "protected_destinations": "# not everyone can send to these destinations\n"
                                      "# we restrict some of them\n\nfoo@bar.org     good_senders_only\n",
            "restricted_senders": "# We do not want mail from these folks, generally\n\n"
                                  "qq.com         REJECT  521\n163.com        REJECT  521\n",
        },
        "postmap": ["hash:protected_destinations", "hash:restricted_senders"],
        "main": {
            "mydestination": "$myhostname, localhost, bar.org",
            "smtpd_recipient_restrictions":
                "\n        permit_mynetworks\n        check_recipient_access hash:%s/protected_destinations\n" % base,
            "smtpd_restriction_classes": "good_senders_only",
            "good_senders_only": "check_sender_access hash:%s/restricted_senders, permit" % base,
        },
        "clients": [("203.0.113.82", None), ("203.0.113.83", "mx.sender.example"),
                    ("127.0.0.1", "localhost"), ("198.51.100.7", "QQ.com")],
        "helos": ["me.testing.example.com", "localhost", "qq.com"],
        "senders": ["318787866@qq.com", "x@163.com", "a@sub.qq.com", "b@QQ.COM", "c@qq.com.cn",
                    "ok@example.com", "", "foo@bar.org", "u+ext@qq.com"],
        "recipients": ["foo@bar.org", "Foo@Bar.ORG", "other@bar.org", "foo+x@bar.org",
                       "foo@sub.bar.org", "postmaster", "postmaster@bar.org", "x@remote.example"],
        "always": [(("203.0.113.82", None), "me.testing.example.com", "318787866@qq.com", "foo@bar.org")],
        "limit": 500,
    }


def cfg_tables():
    """every table type, with subdomain, case, extension and localpart@ variants"""
    base = d("tables")
    kv = lambda t: ("full@t-%s.example REJECT %s full\n"
                    "t-%s.example REJECT %s domain\n"
                    "sub.t-%s.example OK\n"
                    "who@ REJECT %s localpart\n"
                    "ext+tag@ REJECT %s ext localpart\n"
                    "one+two@t-%s.example REJECT %s ext full\n"
                    "dunno.t-%s.example DUNNO\n") % ((t,) * 10)
    return {
        "files": {
            "hash": kv("hash"), "cdb": kv("cdb"), "btree": kv("btree"), "texthash": kv("texthash"),
            "lmdb": kv("lmdb"),
            "regexp": "/^full@t-regexp\\.example$/ REJECT regexp full\n"
                      "/@t-regexp\\.example$/ REJECT regexp domain $1\n"
                      "/^(.*)@x-regexp\\.example$/ REJECT regexp captured $1\n"
                      "/^UPPER@/i REJECT case sensitive never\n",
            "pcre": "/^full@t-pcre\\.example$/ REJECT pcre full\n"
                    "/@t-pcre\\.example$/ REJECT pcre domain\n"
                    "/^(.+)@x-pcre\\.example$/ REJECT pcre captured $1\n"
                    "if /@y-pcre/\n/^a/ DEFER pcre if a\nendif\n",
            "cidr": "192.0.2.0/28 REJECT cidr net\n192.0.2.64/26 OK\n198.51.100.5 REJECT cidr host\n"
                    "2001:db8::/32 REJECT cidr v6\n",
            "quoted": '"john doe"@t-quoted.example REJECT quoted full\njane.doe@t-quoted.example REJECT plain\n'
                      '"odd..dots"@ REJECT quoted localpart\n',
            "cli": "192.0.2.77 REJECT hash exact address\n198.51.100 REJECT hash net3\n10 REJECT hash net1\n"
                   "named.example REJECT hash client name\nexample.org REJECT hash parent\n"
                   "unknown REJECT unknown client\n2001:db8:1 REJECT v6 partial\n",
        },
        "postmap": ["hash:hash", "cdb:cdb", "btree:btree", "hash:cli", "hash:quoted"] + (["lmdb:lmdb"] if HAVE_LMDB else []),
        "main": {
            "inet_protocols": "all",
            "mydestination": "local.test",
            "recipient_delimiter": "+",
            "smtpd_client_restrictions": "check_client_access cidr:{ {203.0.113.192/26 DEFER inline cidr} }, "
                                         "check_client_access cidr:%s/cidr, check_client_access hash:%s/cli" % (base, base),
            "smtpd_sender_restrictions": ", ".join(
                "check_sender_access %s:%s/%s" % (t, base, t) for t in ("hash", "cdb", "btree", "texthash", "regexp", "pcre")
                + (("lmdb",) if HAVE_LMDB else ()))
                + ", check_sender_access hash:%s/quoted" % base
                + ", check_sender_access inline:{ full@t-inline.example=REJECT inline full, "
                  "t-inline.example=REJECT inline domain, { who@ = REJECT inline localpart } }",
            "smtpd_recipient_restrictions": ", ".join(
                "check_recipient_access %s:%s/%s" % (t, base, t) for t in ("hash", "cdb", "regexp"))
                + ", permit_auth_destination, reject",
        },
        "clients": [("192.0.2.5", None), ("192.0.2.70", None), ("192.0.2.77", "x.example"),
                    ("198.51.100.5", None), ("198.51.100.9", "named.example"), ("10.1.2.3", "a.b.example.org"),
                    ("203.0.113.9", "Named.Example"), ("203.0.113.200", None), ("2001:db8::5", None), ("2001:db8:1::7", "v6.example"),
                    ("203.0.113.10", "mail.sub.example.org")],
        "helos": ["helo.example"],
        "senders": [p % t for t in ("hash", "cdb", "btree", "texthash", "regexp", "pcre", "inline", "lmdb")
                    for p in ("full@t-%s.example", "Full@T-%s.Example", "x@t-%s.example", "x@deep.sub.t-%s.example",
                              "who@other-%s.example", "ext+tag@z-%s.example", "one+two@t-%s.example",
                              "one+three@sub.t-%s.example", "k@dunno.t-%s.example", "ab@x-%s.example",
                              "abc@y-%s.example", "upper@q-%s.example")] + ["", "nobody@nowhere.example",
                    '"john doe"@t-quoted.example', '"jane.doe"@t-quoted.example', '"odd..dots"@x.example',
                    '"John Doe"@T-Quoted.Example'],
        "recipients": ["x@local.test", "full@t-hash.example", "who@t-cdb.example", "r@x-regexp.example",
                       "ext+tag@local.test", "one+two@t-hash.example", "x@remote.test"],
        "always": [(("192.0.2.70", None), "helo.example", q, r)
                   for q in ('"john doe"@t-quoted.example', '"jane.doe"@t-quoted.example',
                             '"odd..dots"@x.example', '"John Doe"@T-Quoted.Example')
                   for r in ("x@local.test", '"a b"@local.test')],
        "limit": 900,
    }


def cfg_classes():
    """restriction classes, case of class names, nesting, undefined classes"""
    base = d("classes")
    return {
        "files": {
            "rcpt": "insiders@local.test insiders_only\nmixed@local.test Insiders_Only\n"
                    "nested@local.test outer_class\nundef@local.test not_a_class\n"
                    "multi@local.test reject_non_fqdn_sender, insiders_only\n"
                    "both@local.test permit_mynetworks reject\n",
            "insiders": "inside.example OK\n",
        },
        "postmap": ["hash:rcpt", "hash:insiders"],
        "main": {
            "mydestination": "local.test",
            "smtpd_restriction_classes": "insiders_only, outer_class, inner_class",
            "insiders_only": "check_sender_access hash:%s/insiders, reject" % base,
            "outer_class": "inner_class, permit",
            "inner_class": "check_client_access inline:{ 192.0.2.9=REJECT inner says no }",
            "smtpd_recipient_restrictions":
                "permit_mynetworks, check_recipient_access hash:%s/rcpt, reject_unauth_destination" % base,
        },
        "clients": [("192.0.2.8", None), ("192.0.2.9", "nine.example"), ("127.0.0.1", None)],
        "helos": ["h.example"],
        "senders": ["a@inside.example", "b@outside.example", "c@sub.inside.example", "d", ""],
        "recipients": ["insiders@local.test", "mixed@local.test", "nested@local.test",
                       "undef@local.test", "multi@local.test", "both@local.test", "plain@local.test",
                       "x@elsewhere.example"],
        "limit": 400,
    }


def cfg_relay():
    """relay control: mynetworks, relay_domains with parents, virtual domains, routing"""
    return {
        "files": {},
        "postmap": [],
        "main": {
            "inet_protocols": "all",
            "mydestination": "local.test, .dotted.test",
            "relay_domains": "relay.test",
            "virtual_alias_domains": "valias.test",
            "virtual_alias_maps": "inline:{ a@valias.test=b@local.test }",
            "mynetworks": "127.0.0.0/8, 192.0.2.0/25, [2001:db8:aa::]/48",
            "smtpd_relay_restrictions": "permit_mynetworks, reject_unauth_destination",
            "smtpd_recipient_restrictions": "reject_non_fqdn_recipient, permit",
        },
        "clients": [("192.0.2.1", None), ("192.0.2.200", "out.example"), ("2001:db8:aa::1", None),
                    ("2001:db8:bb::1", None), ("127.0.0.1", "localhost")],
        "helos": ["h.example"],
        "senders": ["s@any.example"],
        "recipients": ["u@local.test", "u@sub.local.test", "u@x.dotted.test", "u@dotted.test",
                       "u@relay.test", "u@deep.sub.relay.test", "u@other.test", "u@LOCAL.TEST",
                       "a@valias.test", "u@[127.0.0.1]", "u@[192.0.2.50]", "u", "u%other.test@local.test",
                       "u@local.test."],
        "limit": 400,
    }


def cfg_compat0():
    """compatibility_level 0: empty relay list, recipient list first, relay_domains=$mydestination"""
    return {
        "files": {},
        "postmap": [],
        "main": {
            "compatibility_level": "0",
            "mydestination": "local.test",
            "mynetworks": "127.0.0.0/8",
            "smtpd_recipient_restrictions": "permit_mynetworks, reject_unauth_destination",
            "smtputf8_enable": "no",
        },
        "clients": [("192.0.2.1", None), ("127.0.0.1", None)],
        "helos": ["h.example"],
        "senders": ["s@any.example", "s"],
        "recipients": ["u@local.test", "u@sub.local.test", "u@other.test", "u"],
        "limit": 100,
    }


def cfg_nullsender():
    """the null sender and smtpd_null_access_lookup_key"""
    base = d("nullsender")
    return {
        "files": {"snd": "<> REJECT no bounces here\nMAILER-DAEMON@local.test OK\n",
                  "snd2": "<null> DEFER custom null key\n"},
        "postmap": ["hash:snd", "hash:snd2"],
        "main": {
            "mydestination": "local.test",
            "smtpd_sender_restrictions": "check_sender_access hash:%s/snd" % base,
            "smtpd_recipient_restrictions": "check_sender_access regexp:{ {/^$$/ REJECT empty} }, permit",
        },
        "clients": [("192.0.2.1", None)],
        "helos": ["h.example"],
        "senders": ["", "a@b.example", "MAILER-DAEMON@local.test"],
        "recipients": ["u@local.test", "postmaster@local.test", "postmaster", "PostMaster"],
        "limit": 50,
    }


def cfg_nullkey():
    base = d("nullkey")
    return {
        "files": {"snd": "<null> DEFER custom null key\n<> REJECT default key\n"},
        "postmap": ["cdb:snd"],
        "main": {
            "mydestination": "local.test",
            "smtpd_null_access_lookup_key": "<null>",
            "smtpd_recipient_restrictions": "check_sender_access cdb:%s/snd, permit" % base,
        },
        "clients": [("192.0.2.1", None)],
        "helos": ["h.example"],
        "senders": ["", "a@b.example"],
        "recipients": ["u@local.test"],
        "limit": 10,
    }


def cfg_parentstyle():
    """parent_domain_matches_subdomains without smtpd_access_maps: .domain keys"""
    base = d("parentstyle")
    return {
        "files": {"snd": "example.com REJECT exact domain only\n.example.com REJECT dot subdomain\n"
                         ".com DEFER dot com\nsub.example.net REJECT sub\n"},
        "postmap": ["hash:snd"],
        "main": {
            "mydestination": "local.test",
            "parent_domain_matches_subdomains": "relay_domains",
            "smtpd_recipient_restrictions": "check_sender_access hash:%s/snd, "
                                            "check_helo_access hash:%s/snd, permit" % (base, base),
        },
        "clients": [("192.0.2.1", None)],
        "helos": ["h.example", "a.example.com", "x.sub.example.net"],
        "senders": ["a@example.com", "a@sub.example.com", "a@deep.sub.example.com", "a@other.com",
                    "a@example.net", "a@sub.example.net", "a@x.sub.example.net"],
        "recipients": ["u@local.test"],
        "limit": 60,
    }


def cfg_missing():
    """missing tables and unknown restrictions: 451 4.3.5"""
    base = d("missing")
    return {
        "files": {"present": "ok.example OK\n"},
        "postmap": ["hash:present"],
        "main": {
            "mydestination": "local.test",
            "smtpd_helo_restrictions": "check_helo_access regexp:%s/no-such-regexp" % base,
            "smtpd_sender_restrictions": "check_sender_access hash:%s/present, "
                                         "check_sender_access hash:%s/no-such-table" % (base, base),
            "smtpd_recipient_restrictions": "check_recipient_access cdb:%s/no-such-cdb, permit" % base,
        },
        "clients": [("192.0.2.1", None)],
        "helos": ["h.example"],
        "senders": ["a@ok.example", "b@other.example", ""],
        "recipients": ["u@local.test"],
        "limit": 20,
    }


def cfg_unknown_restriction():
    return {
        "files": {},
        "postmap": [],
        "main": {
            "mydestination": "local.test",
            "smtpd_sender_restrictions": "reject_non_fqdn_sender, no_such_restriction",
            "smtpd_recipient_restrictions": "check_recipient_access, permit",
        },
        "clients": [("192.0.2.1", None)],
        "helos": ["h.example"],
        "senders": ["a@ok.example", "b", ""],
        "recipients": ["u@local.test"],
        "limit": 10,
    }


def builtin_common():
    return {
        "clients": [("192.0.2.1", None), ("192.0.2.2", "named.example"), ("127.0.0.1", "localhost")],
        "helos": ["h.example", "localhost", "bad_name!", "[192.0.2.1]", "[999.1.1.1]", "-lead.example",
                  "trailing.dot.", "123", "a..b", "UPPER.Example"],
        "senders": ["a@ok.example", "b", "c@nodot", "", "d@[192.0.2.3]", "e@ok.example."],
        "recipients": ["u@local.test", "v", "w@remote.example", "x@nodot"],
    }


def cfg_builtins():
    """built-in restrictions and reply codes"""
    c = builtin_common()
    c.update({
        "files": {},
        "postmap": [],
        "main": {
            "mydestination": "local.test",
            "non_fqdn_reject_code": "550",
            "smtpd_client_restrictions": "permit_mynetworks, reject_unknown_client_hostname",
            "smtpd_helo_restrictions": "reject_invalid_helo_hostname, reject_non_fqdn_helo_hostname",
            "smtpd_sender_restrictions": "reject_non_fqdn_sender",
            "smtpd_recipient_restrictions": "reject_non_fqdn_recipient, reject_unauth_pipelining, "
                                            "permit_auth_destination, defer",
        },
        "limit": 500,
    })
    return c


def cfg_warnif():
    """warn_if_reject, defer_if_permit / defer_if_reject restrictions, codes, soft_bounce"""
    c = builtin_common()
    c.update({
        "files": {},
        "postmap": [],
        "main": {
            "mydestination": "local.test",
            "soft_bounce": "yes",
            "access_map_reject_code": "550",
            "smtpd_client_restrictions": "warn_if_reject reject_unknown_client_hostname",
            "smtpd_helo_restrictions": "defer_if_reject, reject_non_fqdn_helo_hostname",
            "smtpd_sender_restrictions": "check_sender_access inline:{ c@nodot=DEFER_IF_PERMIT no dot, "
                                         "b=REJECT bare }",
            "smtpd_recipient_restrictions": "warn_if_reject, reject_non_fqdn_recipient, "
                                            "permit_auth_destination, reject",
        },
        "limit": 400,
    })
    return c


def cfg_delay_no():
    """smtpd_delay_reject = no: each list at its own command"""
    base = d("delay_no")
    c = builtin_common()
    c.update({
        "files": {"cli": "192.0.2.66 REJECT client bad\n192.0.2.67 HOLD\n192.0.2.68 DEFER_IF_PERMIT later\n"},
        "postmap": ["hash:cli"],
        "main": {
            "mydestination": "local.test",
            "smtpd_delay_reject": "no",
            "smtpd_client_restrictions": "check_client_access hash:%s/cli" % base,
            "smtpd_helo_restrictions": "reject_invalid_helo_hostname",
            "smtpd_sender_restrictions": "reject_non_fqdn_sender",
            "smtpd_recipient_restrictions": "reject_non_fqdn_recipient, permit_auth_destination, reject",
        },
        "limit": 400,
    })
    c["clients"] = c["clients"] + [("192.0.2.66", None), ("192.0.2.67", None), ("192.0.2.68", "x.example")]
    return c


def cfg_fatal_class():
    """a class listed without a definition: smtpd refuses to start"""
    return {
        "files": {},
        "postmap": [],
        "main": {
            "mydestination": "local.test",
            "smtpd_restriction_classes": "defined_one, never_defined",
            "defined_one": "reject",
            "smtpd_recipient_restrictions": "defined_one",
        },
        "clients": [("192.0.2.1", None)],
        "helos": ["h.example"],
        "senders": ["a@b.example"],
        "recipients": ["u@local.test"],
        "limit": 1,
    }


def cfg_rcptmaps():
    """recipient validation after the lists: local, virtual mailbox, relay, alias"""
    base = d("rcptmaps")
    return {
        "files": {"local": "alice x\nbob x\n".replace("\\n", "\n"),
                  "vmbox": "v1@vmail.test x\n",
                  "relayrcpt": "r1@relay.test x\n@wild.relay.test x\n",
                  "valias": "a1@valias.test alice@local.test\n"},
        "postmap": ["hash:local", "hash:vmbox", "cdb:relayrcpt", "hash:valias"],
        "main": {
            "mydestination": "local.test",
            "local_recipient_maps": "hash:%s/local" % base,
            "virtual_mailbox_domains": "vmail.test",
            "virtual_mailbox_maps": "hash:%s/vmbox" % base,
            "virtual_alias_domains": "valias.test",
            "virtual_alias_maps": "hash:%s/valias" % base,
            "relay_domains": "relay.test, wild.relay.test",
            "relay_recipient_maps": "cdb:%s/relayrcpt" % base,
            "recipient_delimiter": "+",
        },
        "clients": [("192.0.2.1", None), ("127.0.0.1", None)],
        "helos": ["h.example"],
        "senders": ["a@b.example", ""],
        "recipients": ["alice@local.test", "Alice@Local.Test", "alice+x@local.test", "carol@local.test",
                       "postmaster@local.test", "v1@vmail.test", "v2@vmail.test", "r1@relay.test",
                       "r2@relay.test", "any@wild.relay.test", "a1@valias.test", "a2@valias.test",
                       "x@sub.relay.test"],
        "limit": 60,
    }


def cfg_patterns():
    """regexp/pcre edge cases: dropped rules, rule without result, if without endif"""
    base = d("patterns")
    return {
        "files": {"re": "/^bad(/ REJECT never compiles\n/^noresult@/\n/^dollar@(x)/ REJECT got $2\n"
                        "/^good@/ REJECT good rule\n/^[[:upper:]]/ REJECT upper\n",
                  "pc": "/^pgood@/ REJECT pcre good\nif /^zz/\n/^zza/ REJECT inside if\n"
                        "/^caps@/i REJECT case sensitive $0\n/^tail@/ DEFER after unclosed if\n"},
        "postmap": [],
        "main": {
            "mydestination": "local.test",
            "smtpd_recipient_restrictions": "check_sender_access regexp:%s/re, "
                                            "check_sender_access pcre:%s/pc, permit" % (base, base),
        },
        "clients": [("192.0.2.1", None)],
        "helos": ["h.example"],
        "senders": ["bad@x.example", "noresult@x.example", "dollar@x.example", "good@x.example",
                    "pgood@x.example", "zza@x.example", "zzb@x.example", "tail@x.example",
                    "Good@x.example", "CAPS@x.example", "caps@x.example", "other@x.example"],
        "recipients": ["u@local.test"],
        "limit": 20,
    }


def cfg_mixed():
    """every list busy at once: tables, classes, warn_if_reject, defer_if_*, builtins"""
    base = d("mixed")
    return {
        "files": {
            "cli": "192.0.2.50 DEFER_IF_PERMIT client soft\n192.0.2.51 WARN watched\n"
                   "bad.example REJECT 5.1.1 bad client\n192.0.2.52 HOLD\n",
            "helo": "spam.example REJECT no spammers\nfriend.example OK\nsoft.example DEFER_IF_REJECT helo soft\n",
            "snd": "qq.com REJECT 521\nfriend.example OK\ndisc.example DISCARD\nvip@ vip_class\n"
                   "soft.example DEFER_IF_PERMIT sender soft\n",
            "rcpt": "protected@local.test insiders_only\nopen@local.test OK\nhold@local.test HOLD\n"
                    "dead@local.test 550 5.1.1 gone\n",
        },
        "postmap": ["cdb:cli", "hash:helo", "cdb:snd", "hash:rcpt"],
        "main": {
            "mydestination": "local.test",
            "mynetworks": "127.0.0.0/8",
            "smtpd_restriction_classes": "insiders_only, vip_class",
            "insiders_only": "check_client_access inline:{ 192.0.2.60=OK }, reject",
            "vip_class": "reject_non_fqdn_recipient, permit",
            "smtpd_client_restrictions": "permit_mynetworks, warn_if_reject, reject_unknown_client_hostname, "
                                         "check_client_access cdb:%s/cli" % base,
            "smtpd_helo_restrictions": "check_helo_access hash:%s/helo, warn_if_reject reject_non_fqdn_helo_hostname, "
                                       "reject_invalid_helo_hostname" % base,
            "smtpd_sender_restrictions": "reject_non_fqdn_sender, check_sender_access cdb:%s/snd" % base,
            "smtpd_relay_restrictions": "permit_mynetworks, reject_unauth_destination",
            "smtpd_recipient_restrictions": "check_recipient_access hash:%s/rcpt, reject_non_fqdn_recipient, "
                                            "defer_if_reject, permit_auth_destination, reject" % base,
        },
        "clients": [("192.0.2.50", None), ("192.0.2.51", "w.example"), ("192.0.2.52", "bad.example"),
                    ("192.0.2.60", "in.example"), ("192.0.2.61", None), ("127.0.0.1", None),
                    ("192.0.2.53", "ok.example")],
        "helos": ["friend.example", "spam.example", "soft.example", "nodot", "bad!name", "ok.example"],
        "senders": ["a@qq.com", "b@friend.example", "c@disc.example", "vip@x.example", "d@soft.example",
                    "e", "", "f@other.example"],
        "recipients": ["protected@local.test", "open@local.test", "hold@local.test", "dead@local.test",
                       "plain@local.test", "r@remote.example", "short"],
        "limit": 800,
    }


def cfg_dir_lists():
    """DEFER_IF_REJECT raised in smtpd_relay_restrictions, reject in the recipient list"""
    return {
        "files": {},
        "postmap": [],
        "main": {
            "mydestination": "local.test",
            "smtpd_relay_restrictions": "check_recipient_access inline:{ {soft@local.test=DEFER_IF_REJECT "
                                        "relay list soft} }, reject_unauth_destination",
            "smtpd_recipient_restrictions": "check_recipient_access inline:{ { soft@local.test = REJECT no } }, "
                                            "permit",
            "smtpd_sender_restrictions": "check_sender_access inline:{ {s@soft.example=DEFER_IF_REJECT sender soft} }",
        },
        "clients": [("192.0.2.1", None)],
        "helos": ["h.example"],
        "senders": ["s@soft.example", "a@b.example"],
        "recipients": ["soft@local.test", "other@local.test"],
        "limit": 10,
    }


def cfg_service():
    """master.cf -o overrides of the smtpd service (explain --service)"""
    base = d("service")
    return {
        "files": {"snd": "blocked.example REJECT blocked on this port\n"},
        "postmap": ["hash:snd"],
        "main": {
            "mydestination": "local.test",
            "smtpd_recipient_restrictions": "permit_auth_destination, reject",
        },
        "service": {
            "smtpd_recipient_restrictions": "check_sender_access,hash:%s/snd,"
                                            "reject_non_fqdn_sender,permit_auth_destination,reject" % base,
            "smtpd_delay_reject": "no",
            "mynetworks": "192.0.2.0/24",
        },
        "clients": [("192.0.2.1", None), ("198.51.100.1", None)],
        "helos": ["h.example"],
        "senders": ["a@blocked.example", "b", "c@ok.example"],
        "recipients": ["u@local.test", "v@remote.example"],
        "limit": 20,
    }


def cfg_footer():
    """smtpd_reject_footer: \\c, \\n and $names"""
    return {
        "files": {},
        "postmap": [],
        "main": {
            "mydestination": "local.test",
            "smtpd_reject_footer": "\\c (client $client_address, $client)\\nContact postmaster@"
                                   "$recipient_domain about ${sender_name}, $$5",
            "smtpd_recipient_restrictions": "reject_non_fqdn_sender, permit_auth_destination, reject",
        },
        "clients": [("192.0.2.1", None), ("192.0.2.2", "n.example")],
        "helos": ["h.example"],
        "senders": ["a@b.example", "nodomain", ""],
        "recipients": ["u@local.test", "v@remote.example"],
        "limit": 12,
    }


def cfg_footer_nodelay():
    """the footer when each list answers at its own command (no $helo_name: a
    session keeps the last accepted HELO name, and probes share sessions)"""
    c = cfg_footer()
    c["main"] = dict(c["main"])
    c["main"].update({
        "smtpd_delay_reject": "no",
        "smtpd_reject_footer": "\\c [$sender|$client_name]\\n$recipient, ${recipient_name}",
        "smtpd_client_restrictions": "check_client_access inline:{ {192.0.2.3=REJECT c} }",
        "smtpd_helo_restrictions": "reject_invalid_helo_hostname",
    })
    c["clients"] = c["clients"] + [("192.0.2.3", "x.example")]
    c["helos"] = ["h.example", "bad!name"]
    c["limit"] = 40
    return c


# restriction arguments smtpd 3.7 cannot use (smtpd_check.c: generic_checks,
# policy_client_register at startup), each with the fix pfconsole check
# suggests; tests/explain/restriction-args.sh also runs check on both.
def restriction_arg_cfg(rcpt_list, clients, recipients):
    return lambda: {
        "files": {},
        "postmap": [],
        "main": {"mydestination": "local.test",
                 "smtpd_recipient_restrictions": rcpt_list},
        "clients": clients,
        "helos": ["h.example"],
        "senders": ["a@ok.example"],
        "recipients": recipients,
        "limit": 2,
    }


LOCAL = [("127.0.0.1", None)]
OTHER = [("192.0.2.1", None)]
RESTRICTION_ARG_CONFIGS = {
    # smtpd exits at startup: "need service transport:endpoint instead of "inet:""
    "arg_policy_fatal": restriction_arg_cfg(
        "reject_non_fqdn_recipient, check_policy_service inet:, reject_unauth_destination",
        LOCAL, ["v"]),
    "arg_policy_fatal_fixed": restriction_arg_cfg(
        "reject_non_fqdn_recipient, check_policy_service inet:127.0.0.1:9, "
        "reject_unauth_destination", LOCAL, ["v"]),
    # 451 4.3.5: "must be followed by transport:server"
    "arg_policy_missing": restriction_arg_cfg(
        "reject_non_fqdn_recipient, reject_unauth_destination, check_policy_service",
        OTHER, ["u@local.test"]),
    "arg_policy_missing_fixed": restriction_arg_cfg(
        "reject_non_fqdn_recipient, reject_unauth_destination, "
        "check_policy_service inet:127.0.0.1:9", LOCAL, ["v"]),
    # "requires domain name argument": the rule is skipped
    "arg_rbl_nodomain": restriction_arg_cfg(
        "reject_non_fqdn_recipient, reject_unauth_destination, reject_rbl_client",
        OTHER, ["u@local.test"]),
    "arg_rbl_nodomain_fixed": restriction_arg_cfg(
        "reject_non_fqdn_recipient, reject_unauth_destination, reject_rbl_client zen.example",
        LOCAL, ["v"]),
    # 451 4.3.5: "bad argument: need maptype:mapname"
    "arg_map_missing": restriction_arg_cfg(
        "reject_non_fqdn_recipient, reject_unauth_destination, check_recipient_access",
        OTHER, ["u@local.test"]),
    "arg_map_missing_fixed": restriction_arg_cfg(
        "reject_non_fqdn_recipient, reject_unauth_destination, "
        "check_recipient_access inline:{u@local.test=REJECT}", OTHER, ["u@local.test"]),
    # 451 4.3.5: "unknown smtpd restriction" (a 3.8 name)
    "arg_unknown_name": restriction_arg_cfg(
        "reject_non_fqdn_recipient, reject_unauth_destination, "
        "reject_unknown_forward_client_hostname", OTHER, ["u@local.test"]),
    "arg_unknown_name_fixed": restriction_arg_cfg(
        "reject_non_fqdn_recipient, reject_unauth_destination, reject_unknown_client_hostname",
        OTHER, ["u@local.test"]),
    # 451 4.3.5: "sleep must be followed by number"
    "arg_sleep_nonum": restriction_arg_cfg(
        "reject_non_fqdn_recipient, reject_unauth_destination, sleep x",
        OTHER, ["u@local.test"]),
    "arg_sleep_nonum_fixed": restriction_arg_cfg(
        "reject_non_fqdn_recipient, reject_unauth_destination, sleep 0",
        OTHER, ["u@local.test"]),
}


def cfg_cidr():
    """cidr tables (maps/map_cidr.c) as dict_cidr: first match, '!' negation,
    IF/ENDIF, [v6]/len, IPv6, and the lines Postfix skips (host bits, bad
    mask, bad address, no result)"""
    base = d("cidr")
    return {
        "files": {
            "cl": "# first match wins\n"
                  "192.0.2.0/25 REJECT cidr low half\n"
                  "192.0.2.0/24 DUNNO\n"
                  "192.0.2.200 REJECT cidr shadowed\n"
                  "198.51.100.7/24 REJECT cidr host bits: skipped\n"
                  "198.51.100.0/33 REJECT cidr bad mask: skipped\n"
                  "198.51.100.300 REJECT cidr bad address: skipped\n"
                  "198.51.100.0/24\n"
                  "IF 10.0.0.0/8\n"
                  "10.1.0.0/16 REJECT cidr inside if\n"
                  "!10.2.0.0/16 DEFER cidr negated inside if\n"
                  "ENDIF\n"
                  "[2001:db8::]/32 REJECT cidr v6\n"
                  "  continued\n"
                  "!203.0.113.0/24 REJECT cidr not 203.0.113/24\n",
        },
        "postmap": [],
        "main": {
            "inet_protocols": "all",
            "mydestination": "local.test",
            "smtpd_client_restrictions": "check_client_access cidr:%s/cl, "
                                         "check_client_access cidr:{ {203.0.113.0/25 DEFER inline cidr}, "
                                         "{!203.0.113.128/25 OK} }" % base,
            "smtpd_recipient_restrictions": "permit_auth_destination, reject",
        },
        "clients": [("192.0.2.5", None), ("192.0.2.200", None), ("198.51.100.7", None),
                    ("198.51.100.9", None), ("10.1.2.3", None), ("10.2.2.2", None), ("10.3.3.3", None),
                    ("2001:db8::5", None), ("2001:db9::5", None), ("203.0.113.9", None),
                    ("203.0.113.200", None), ("8.8.8.8", None)],
        "helos": ["helo.example"],
        "senders": ["a@b.example"],
        "recipients": ["x@local.test"],
        "limit": 50,
    }


def cfg_unknown_address():
    """reject_unknown_address (3.7): reject_unknown_sender_domain wherever it
    is listed, never a recipient check; the null sender is not checked"""
    return {
        "files": {},
        "postmap": [],
        "main": {
            "mydestination": "local.test",
            "smtpd_relay_restrictions": "",
            "smtpd_sender_restrictions": "reject_unknown_address",
            "smtpd_recipient_restrictions": "reject_unknown_address, "
                                            "check_client_access cidr:{ {192.0.2.1 OK} }, "
                                            "reject_unauth_destination",
        },
        "clients": [("192.0.2.1", None), ("192.0.2.2", None)],
        "helos": ["helo.example"],
        "senders": [""],
        "recipients": ["x@local.test", "x@no-such-domain.invalid", "x@nodot"],
        "limit": 20,
    }


CONFIGS = {
    "seed2019": cfg_seed2019,
    "actions": cfg_actions,
    "tables": cfg_tables,
    "classes": cfg_classes,
    "relay": cfg_relay,
    "compat0": cfg_compat0,
    "nullsender": cfg_nullsender,
    "nullkey": cfg_nullkey,
    "parentstyle": cfg_parentstyle,
    "missing": cfg_missing,
    "unknown_restriction": cfg_unknown_restriction,
    "builtins": cfg_builtins,
    "warnif": cfg_warnif,
    "delay_no": cfg_delay_no,
    "rcptmaps": cfg_rcptmaps,
    "patterns": cfg_patterns,
    "fatal_class": cfg_fatal_class,
    "mixed": cfg_mixed,
    "dir_lists": cfg_dir_lists,
    "service": cfg_service,
    "footer": cfg_footer,
    "footer_nodelay": cfg_footer_nodelay,
    "cidr": cfg_cidr,
    "unknown_address": cfg_unknown_address,
}
CONFIGS.update(RESTRICTION_ARG_CONFIGS)

# main.cf names any configuration may set: removed before the next one
ALL_KEYS = sorted({k for f in CONFIGS.values() for k in f()["main"]})
SERVICE_KEYS = sorted({k for f in CONFIGS.values() for k in f().get("service", {})})
SERVICE = "127.0.0.1:%d/inet" % PORT


def setup(name):
    cfg = CONFIGS[name]()
    base = d(name)
    os.makedirs(base, exist_ok=True)
    for fn, text in cfg["files"].items():
        with open(os.path.join(base, fn), "w") as fp:
            fp.write(text)
    for ref in cfg["postmap"]:
        t, fn = ref.split(":", 1)
        subprocess.run([POSTMAP, "-c", CONF, "%s:%s" % (t, os.path.join(base, fn))], check=True)
    # print the main.cf edits: first remove every key, then set this config's
    print("X " + " ".join(ALL_KEYS))
    # the instance's own settings (tests/lib/postfix.sh) that a configuration may change
    base_main = {"compatibility_level": "3.6", "local_recipient_maps": "",
                 "mydestination": "$myhostname, localhost", "relay_domains": "",
                 "mynetworks": "127.0.0.0/8", "inet_protocols": "ipv4"}
    for k, v in base_main.items():
        if k not in cfg["main"]:
            print("E %s = %s" % (k, v))
    for k, v in cfg["main"].items():
        print("E %s = %s" % (k, v.replace("\n", " ")))
    print("PX " + " ".join("%s/%s" % (SERVICE, k) for k in SERVICE_KEYS))
    for k, v in cfg.get("service", {}).items():
        print("P %s/%s=%s" % (SERVICE, k, v))


# --------------------------------------------------------------------------
# probing the real smtpd

def xtext(s):
    out = []
    for ch in s.encode():
        if ch < 33 or ch > 126 or ch in (ord("+"), ord("=")):
            out.append("+%02X" % ch)
        else:
            out.append(chr(ch))
    return "".join(out)


class Conn:
    def __init__(self):
        self.sock = socket.create_connection(("127.0.0.1", PORT), timeout=5)
        self.buf = b""

    def line(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError
            self.buf += data
        l, self.buf = self.buf.split(b"\n", 1)
        return l.rstrip(b"\r").decode("utf-8", "surrogateescape")

    def reply(self):
        lines = []
        while True:
            l = self.line()
            lines.append(l)
            if len(l) < 4 or l[3] != "-":
                return lines

    def cmd(self, text):
        self.sock.sendall(text.encode("utf-8", "surrogateescape") + b"\r\n")
        return self.reply()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def split_reply(lines):
    """reply lines -> (code, dsn, text); a multi-line reply (footer) gives
    the text of each line without code and DSN, joined by newlines"""
    code = int(lines[-1][:3])
    dsn, texts = "", []
    for l in lines:
        rest = l[4:]
        parts = rest.split(" ", 1)
        if len(parts[0]) >= 5 and parts[0][0] in "245" and parts[0][1] == ".":
            dsn = parts[0]
            rest = parts[1] if len(parts) > 1 else ""
        texts.append(rest)
    return code, dsn, "\n".join(texts)


def open_client(client):
    c = Conn()
    c.reply()
    c.cmd("EHLO probe.example")
    addr, name = client
    xaddr = ("IPV6:" + addr) if ":" in addr else addr
    r = c.cmd("XCLIENT ADDR=%s NAME=%s" % (xtext(xaddr), xtext(name) if name else "[UNAVAILABLE]"))
    return c, r


def probe_real(probes):
    """probes grouped by client; returns list of (code, dsn, text, stage)"""
    results = [None] * len(probes)
    groups = {}
    for i, p in enumerate(probes):
        groups.setdefault(p[0], []).append(i)
    dead = False
    for client, idxs in groups.items():
        conn, xr = None, None
        for i in idxs:
            _, helo, sender, rcpt = probes[i]
            if dead:
                results[i] = (0, "", "(connection closed)", "?")
                continue
            for attempt in range(2):
                try:
                    if conn is None:
                        conn, xr = open_client(client)
                    if not xr[-1].startswith("220"):
                        results[i] = split_reply(xr) + ("CONNECT",)
                        break
                    r = conn.cmd("EHLO " + helo)
                    if not r[-1].startswith("2"):
                        results[i] = split_reply(r) + ("HELO",)
                    else:
                        r = conn.cmd("MAIL FROM:<%s>" % sender)
                        if not r[-1].startswith("2"):
                            results[i] = split_reply(r) + ("MAIL",)
                        else:
                            r = conn.cmd("RCPT TO:<%s>" % rcpt)
                            results[i] = split_reply(r) + ("RCPT",)
                    if results[i][0] in (421, 521):
                        conn.close()
                        conn = None
                    else:
                        conn.cmd("RSET")
                    break
                except (EOFError, OSError):
                    fresh = conn is None or xr is None
                    if conn:
                        conn.close()
                    conn = None
                    if attempt == 1 or fresh:
                        results[i] = (0, "", "(connection closed)", "?")
                        dead = True
        if conn:
            try:
                conn.cmd("QUIT")
            except (EOFError, OSError):
                pass
            conn.close()
    return results


def probe_explain(probes, service=None):
    lines = []
    for (addr, name), helo, sender, rcpt in probes:
        lines.append(json.dumps({"client": addr + ("," + name if name else ""), "helo": helo,
                                 "sender": sender, "recipient": rcpt}))
    argv = [PFCONSOLE, "explain", "-c", CONF, "--batch", "-"]
    if service:
        argv[4:4] = ["--service", service]
    out = subprocess.run(argv,
                         input="\n".join(lines) + "\n", capture_output=True, text=True)
    res = [json.loads(l) for l in out.stdout.splitlines() if l.strip()]
    if len(res) != len(probes):
        raise SystemExit("FAIL explain --batch gave %d answers for %d probes: %s"
                         % (len(res), len(probes), out.stderr[:500]))
    return res


def make_probes(cfg):
    probes = list(cfg.get("always", []))
    seen = set(probes)
    space = [(c, h, s, r) for c in cfg["clients"] for h in cfg["helos"]
             for s in cfg["senders"] for r in cfg["recipients"]]
    rnd = random.Random(4242)
    rnd.shuffle(space)
    for p in space:
        if len(probes) >= cfg["limit"]:
            break
        if p not in seen:
            seen.add(p)
            probes.append(p)
    return probes


def compare(name, probes, real, exp):
    """print the PASS/FAIL line and details; returns (probes, agree)"""
    agree, diffs, unknown = 0, [], 0
    for p, (code, dsn, text, stage), e in zip(probes, real, exp):
        if e.get("decision") == "unknown" and code == 0 and "fatal:" in (e.get("depends") or ""):
            agree += 1          # smtpd cannot start: the connection closes
            continue
        if e.get("decision") == "unknown":
            unknown += 1
            diffs.append((p, (code, dsn, text, stage), e))
            continue
        klass = "accept" if code // 100 == 2 else "reject" if code // 100 == 5 else "defer"
        edec = e["decision"] if e["decision"] in ("reject", "defer") else "accept"
        # the command smtpd answered at counts too (smtpd_delay_reject = no)
        if (edec, e["code"], e["dsn"], e["text"], e.get("stage")) == (klass, code, dsn, text, stage):
            agree += 1
        else:
            diffs.append((p, (code, dsn, text, stage), e))
    status = "PASS" if not diffs else "FAIL"
    distinct = len({(r[0], r[2]) for r in real})
    print("%s %s - %d/%d probes agree with the real smtpd (%d distinct replies)%s"
          % (status, name, agree, len(probes), distinct, ", %d unknown" % unknown if unknown else ""))
    for p, r, e in diffs[:15]:
        (addr, cname), helo, sender, rcpt = p
        print("# client=%s,%s helo=%s sender=<%s> rcpt=<%s>" % (addr, cname or "", helo, sender, rcpt))
        print("#   smtpd:   %s %s %s  (at %s)" % tuple(r))
        if e.get("decision") == "unknown":
            print("#   explain: unknown: %s" % e.get("depends"))
        else:
            print("#   explain: %s %s %s  (%s at %s)" % (e["code"], e["dsn"], e["text"], e["decision"],
                                                      e.get("stage")))
    if len(diffs) > 15:
        print("# ... and %d more" % (len(diffs) - 15))
    return len(probes), agree


def read_text(path):
    with open(path, encoding="utf-8", errors="surrogateescape") as fp:
        return fp.read()


NATIVE = {"hash": ".db", "cdb": ".cdb"}      # indexes pfconsole reads itself


def index_b64(base, ref):
    t, fn = ref.split(":", 1)
    with open(os.path.join(base, fn + NATIVE[t]), "rb") as fp:
        return base64.b64encode(fp.read()).decode()


def record(name, cfg, probes, real):
    """E2E_RECORD: NAME's configuration, probes and smtpd's answers, one
    probe per line so that a regeneration diffs readably"""
    out = os.path.join(os.environ["E2E_RECORD"], name + ".json")
    sub = lambda t: t.replace(PF_DIR, "@DIR@") if PF_DIR else t
    base = d(name)
    head = {
        "name": name,
        "service": SERVICE if cfg.get("service") else None,
        "main.cf": sub(read_text(os.path.join(CONF, "main.cf"))),
        "master.cf": sub(read_text(os.path.join(CONF, "master.cf"))),
        "files": {fn: read_text(os.path.join(base, fn)) for fn in sorted(cfg["files"])},
        "postmap": cfg["postmap"],
        "indexes": {ref: index_b64(base, ref) for ref in cfg["postmap"] if ref.split(":")[0] in NATIVE},
    }
    with open(out + ".tmp", "w", encoding="utf-8", errors="surrogateescape") as fp:
        fp.write("{\"config\": %s,\n\"probes\": [\n" % json.dumps(head, sort_keys=True))
        fp.write(",\n".join(json.dumps([list(p[0]), p[1], p[2], p[3], list(r)]) for p, r in zip(probes, real)))
        fp.write("\n]}\n")
    os.rename(out + ".tmp", out)


def run(name):
    cfg = CONFIGS[name]()
    probes = make_probes(cfg)
    real = probe_real(probes)
    if os.environ.get("E2E_RECORD"):
        record(name, cfg, probes, real)
    exp = probe_explain(probes, SERVICE if cfg.get("service") else None)
    return compare(name, probes, real, exp)


def replay(path, work):
    """rebuild the recorded configuration under WORK, replay its probes"""
    global CONF
    with open(path, encoding="utf-8", errors="surrogateescape") as fp:
        rec = json.load(fp)
    cfg = rec["config"]
    name = cfg["name"]
    conf = os.path.join(work, "etc")
    base = os.path.join(conf, name)
    os.makedirs(base)
    for fn in ("main.cf", "master.cf"):
        with open(os.path.join(conf, fn), "w", encoding="utf-8", errors="surrogateescape") as fp:
            fp.write(cfg[fn].replace("@DIR@", work))
    for fn, text in cfg["files"].items():
        with open(os.path.join(base, fn), "w", encoding="utf-8", errors="surrogateescape") as fp:
            fp.write(text)
    # the very index files smtpd read (hash, cdb: read natively); the
    # others (btree, lmdb) are read through postmap anyway, so built by it
    for ref in cfg["postmap"]:
        t, fn = ref.split(":", 1)
        if ref in cfg["indexes"]:
            with open(os.path.join(base, fn + NATIVE[t]), "wb") as fp:
                fp.write(base64.b64decode(cfg["indexes"][ref]))
        elif not os.access(POSTMAP, os.X_OK):
            print("SKIP %s - %s needs %s" % (name, ref, POSTMAP))
            return 0, 0
        else:
            subprocess.run([POSTMAP, "-c", conf, "%s:%s" % (t, os.path.join(base, fn))], check=True)
    probes = [((p[0][0], p[0][1]), p[1], p[2], p[3]) for p in rec["probes"]]
    real = [tuple(p[4]) for p in rec["probes"]]
    CONF = conf
    exp = probe_explain(probes, cfg["service"])
    return compare(name, probes, real, exp)


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    if sys.argv[1] == "list":
        print("\n".join(CONFIGS))
        return 0
    if sys.argv[1] == "setup":
        setup(sys.argv[2])
        return 0
    if sys.argv[1] == "run":
        run(sys.argv[2])
        return 0
    if sys.argv[1] == "replay":
        import tempfile
        for path in sys.argv[2:]:
            with tempfile.TemporaryDirectory(prefix="pfc-replay.") as work:
                replay(path, work)
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
