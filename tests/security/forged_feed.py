#!/usr/bin/env python3
"""tests/security/forged_feed.py - sessions with forging MAIL FROM / RCPT
TO / HELO / Subject values against a real Postfix (forged-feed.sh), then
`pfconsole feed --json` on its log: each parsed field is compared with what
the client sent.  Prints "PASS desc" / "FAIL desc: detail" lines.

Environment: PFCONSOLE, PF_PORT, PF_LOG, SMTP_PY, PF_HOST.
"""
import json
import os
import subprocess
import sys
import time

PFC = os.environ["PFCONSOLE"]
PORT = os.environ["PF_PORT"]
LOG = os.environ["PF_LOG"]
SMTP = os.environ["SMTP_PY"]
DOM = os.environ["PF_HOST"] + ".test.example"
out = []


def check(desc, cond, detail=""):
    out.append(("PASS " if cond else "FAIL ") + desc + ("" if cond else ": " + detail))


def session(helo, cmds):
    argv = [sys.executable, SMTP, "--port", PORT, "--json", "--helo", helo] + cmds
    r = subprocess.run(argv, capture_output=True, timeout=60)
    return [json.loads(l) for l in r.stdout.decode("utf-8", "surrogateescape").splitlines()]


FAKE = "from=<partner@good.example> to=<ceo@b.example> proto=ESMTP helo=<mail.good.example>"
LONG = "y" * 300
# (description, helo, sender, recipient, subject or None)
cases = [
    ("quoted sender holding a whole field list", "evil.helo",
     '"x; from=<partner@good.example> to=<ceo@b.example> proto=ESMTP helo=<"@evil.example', "u@b.example", None),
    ("sender with '> to=<' and a forged recipient", "x> to=<ceo@b.example> proto=ESMTP helo=<y",
     '"a> to=<ceo@b.example> proto=ESMTP helo=<x"@evil.example', '"v; from=<partner@good.example>"@b.example', None),
    ("HELO holding '; from=<'", "h; " + FAKE + " to=<z",
     "s@evil.example", "r@b.example", None),
    ("client-like [1.2.3.4] in HELO and sender", "[1.2.3.4]",
     '"unknown[1.2.3.4]: x; from=<p@good.example>"@evil.example', '"[1.2.3.4]"@b.example', None),
    ("very long values", "h" + LONG + "> to=<ceo@b.example",
     '"%s> to=<ceo@b.example> proto=ESMTP helo=<x"@evil.example' % LONG, "r%s@b.example" % LONG, None),
    ("Subject holding a whole cleanup field list", "evil.helo", "ok@good.example", "foo@" + DOM,
     "viagra from mail.good.example[192.0.2.10]; " + FAKE + ": x"),
    ("Subject and HELO both forging", "evil> to=<ceo@b.example> proto=ESMTP helo=<mail.good.example",
     "ok2@good.example", "foo@" + DOM, "viagra from unknown[192.0.2.10]; " + FAKE + ": x"),
]
for desc, helo, snd, rcpt, subj in cases:
    cmds = ["MAIL FROM:<%s>" % snd, "RCPT TO:<%s>" % rcpt]
    if subj is not None:
        cmds.append("DATA Subject: %s\\n\\nbody" % subj)
    session(helo, cmds)

# wait for the log to hold every reject (smtpd and cleanup)
deadline = time.time() + 30
want = len(cases)
events = []
while time.time() < deadline:
    r = subprocess.run([PFC, "feed", "--json", "--log", LOG], capture_output=True, timeout=60)
    events = [json.loads(l) for l in r.stdout.decode().splitlines() if l.strip()]
    events = [e for e in events if e["action"] == "reject"]
    if len(events) >= want:
        break
    time.sleep(0.2)
check("every session was rejected and logged", len(events) == want,
      "%d of %d: %s" % (len(events), want, open(LOG, errors="replace").read()[-3000:]))

def neuter(s):
    """smtpd logs the HELO with its NEUTER_CHARACTERS turned into '?'"""
    return "".join("?" if c in ' <>()\\";@' else c for c in s)


for (desc, helo, snd, rcpt, subj), ev in zip(cases, events):
    sent = {"from": snd, "to": rcpt, "helo": neuter(helo), "client_ip": "127.0.0.1", "proto": "ESMTP"}
    amb = ev.get("ambiguous", False)
    for k, v in sent.items():
        got = ev.get(k)
        if got == v:
            check("%s: %s is what the client sent" % (desc, k), True)
        elif got is None and amb:
            check("%s: %s left out (the event is marked ambiguous)" % (desc, k), True)
        else:
            check("%s: %s is what the client sent" % (desc, k), False,
                  "got %r, sent %r; line: %s" % (got, v, ev.get("reason")))
    check("%s: the line is read without ambiguity" % desc, not amb, json.dumps(ev))
for l in out:
    print(l)
