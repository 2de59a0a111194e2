#!/usr/bin/env python3
"""tests/feed/real_postfix.py - drive a real Postfix instance (set up by
real-postfix.sh) through SMTP sessions that trigger every kind of event,
then check `pfconsole feed --json` against what the client sent and received
(the ground truth), and the same log converted to the other timestamp
formats.  Prints one "PASS desc" / "FAIL desc: detail" line per check.

Environment: PFCONSOLE, PF_PORT, PF_LOG, PF_HOST, SMTP_PY.
"""
import json
import os
import re
import subprocess
import sys
import time
from datetime import datetime, timezone

PFC = os.environ["PFCONSOLE"]
PORT = os.environ["PF_PORT"]
LOG = os.environ["PF_LOG"]
DOM = os.environ["PF_HOST"] + ".test.example"
SMTP = os.environ["SMTP_PY"]
results = []


def check(desc, cond, detail=""):
    results.append(("PASS " if cond else "FAIL ") + desc + ("" if cond else ": " + detail))


def smtp(cmds, xclient=None, helo=None):
    """run one session; returns {command: (code, last reply line)}"""
    argv = [sys.executable, SMTP, "--port", PORT, "--json"]
    if xclient:
        argv += ["--xclient", xclient]
    if helo:
        argv += ["--helo", helo]
    out = subprocess.run(argv + cmds, capture_output=True, timeout=60).stdout.decode("utf-8", "surrogateescape")
    got = {}
    for l in out.splitlines():
        d = json.loads(l)
        got.setdefault(d["cmd"].split(" ", 1)[0].split(":")[0], []).append(
            (d["code"], d["reply"][-1] if d["reply"] else ""))
    return got


def split_reply(line):
    """'554 5.7.1 text' -> (554, '5.7.1', 'text')"""
    m = re.match(r"(\d{3})[ -](\d\.\d{1,3}\.\d{1,3}) (.*)", line)
    return (int(m.group(1)), m.group(2), m.group(3)) if m else (None, None, None)


def xc(ip, name, helo):
    return "ADDR=%s NAME=%s HELO=%s" % (ip, name, helo)


probes = []   # (description, key to find the event, expected fields)


def probe(desc, key, want, cmds, **kw):
    r = smtp(cmds, **kw)
    probes.append((desc, key, want, r))
    return r


C1 = ("203.0.113.5", "mail.example.com")
# 1. client rejected (evaluated at RCPT: smtpd_delay_reject = yes)
r = probe("client reject", "mary@fjord.example",
          dict(action="reject", stage="RCPT", client_ip="203.0.113.77", client_name="relay96.cedar.example",
               from_="mary@fjord.example", to="john@" + DOM, helo="relay96.cedar.example", proto="ESMTP",
               reply="RCPT"),
          ["MAIL FROM:<mary@fjord.example>", "RCPT TO:<john@%s>" % DOM],
          xclient=xc("203.0.113.77", "relay96.cedar.example", "relay96.cedar.example"))
# 2. HELO rejected
probe("helo reject", "h1@ok.example",
      dict(action="reject", stage="RCPT", client_ip=C1[0], client_name=C1[1], from_="h1@ok.example",
           to="foo@" + DOM, helo="bad.helo.example", reply="RCPT"),
      ["MAIL FROM:<h1@ok.example>", "RCPT TO:<foo@%s>" % DOM], xclient=xc(C1[0], C1[1], "bad.helo.example"))
# 3. sender rejected with a custom code
probe("sender reject", "318787866@qq.com",
      dict(action="reject", stage="RCPT", client_ip=C1[0], client_name=C1[1], from_="318787866@qq.com",
           to="foo@" + DOM, helo=C1[1], reply="RCPT"),
      ["MAIL FROM:<318787866@qq.com>", "RCPT TO:<foo@%s>" % DOM], xclient=xc(C1[0], C1[1], C1[1]))
# 4. 4xx: defer
probe("defer (4xx)", "tmp@x.org",
      dict(action="defer", stage="RCPT", client_ip=C1[0], from_="tmp@x.org", to="foo@" + DOM, reply="RCPT"),
      ["MAIL FROM:<tmp@x.org>", "RCPT TO:<foo@%s>" % DOM], xclient=xc(C1[0], C1[1], C1[1]))
# 5. Relay access denied
probe("relay access denied", "relay@ok.example",
      dict(action="auto", stage="RCPT", client_ip=C1[0], from_="relay@ok.example", to="x@elsewhere.example",
           reply="RCPT", reason_re="Relay access denied"),
      ["MAIL FROM:<relay@ok.example>", "RCPT TO:<x@elsewhere.example>"], xclient=xc(C1[0], C1[1], C1[1]))
# 5b. a second recipient rejected after a first one was accepted: logged
# with the queue id instead of NOQUEUE
probe("RCPT reject with a queue id", "second@ok.example",
      dict(action="auto", stage="RCPT", client_ip=C1[0], from_="second@ok.example", to="y@elsewhere.example",
           reply="RCPT", queue_id=True, reason_re="Relay access denied"),
      ["MAIL FROM:<second@ok.example>", "RCPT TO:<foo@%s>" % DOM, "RCPT TO:<y@elsewhere.example>"],
      xclient=xc(C1[0], C1[1], C1[1]))
# 6. access actions that accept (250 to the client)
for act, snd, reason_re in [("reject_warning", "trial@x.org", "Sender address rejected: trial rule"),
                            ("hold", "hold@x.org", "Sender address triggers HOLD action"),
                            ("discard", "disc@x.org", "Sender address triggers DISCARD action"),
                            ("redirect", "redir@x.org", "Sender address triggers REDIRECT other@" + DOM),
                            ("filter", "filt@x.org", r"Sender address triggers FILTER smtp:\[127\.0\.0\.1\]:2526"),
                            ("warn", "warn@x.org", "^watch this one$"),
                            ("info", "info@x.org", "^fyi$")]:
    r = probe("access " + act, snd,
              dict(action=act, stage="RCPT", client_ip=C1[0], client_name=C1[1], from_=snd, to="foo@" + DOM,
                   helo=C1[1], reason_re=reason_re,
                   code=554 if act == "reject_warning" else None),
              ["MAIL FROM:<%s>" % snd, "RCPT TO:<foo@%s>" % DOM], xclient=xc(C1[0], C1[1], C1[1]))
    check("access %s: the client got 250" % act, r.get("RCPT", [(0,)])[0][0] == 250, str(r.get("RCPT")))
# 7. END-OF-MESSAGE
probe("end-of-message reject", "eod@example.com",
      dict(action="reject", stage="END-OF-MESSAGE", client_ip=C1[0], from_="eod@example.com", to="foo@" + DOM,
           queue_id=True, reply="(message)"),
      ["MAIL FROM:<eod@example.com>", "RCPT TO:<foo@%s>" % DOM, "DATA"], xclient=xc(C1[0], C1[1], C1[1]))
# 8. DATA (multi-recipient bounce)
probe("data reject", "",
      dict(action="reject", stage="DATA", client_ip="203.0.113.6", from_="", queue_id=True, reply="DATA"),
      ["MAIL FROM:<>", "RCPT TO:<a@%s>" % DOM, "RCPT TO:<b@%s>" % DOM, "DATA"],
      xclient=xc("203.0.113.6", "bounce.example", "bounce.example"))
# 9. header and body checks
for act, subj, reason in [("reject", "rejectme", "no thanks"), ("warn", "warnme", "subject warning"),
                          ("hold", "holdme", "held by header"), ("discard", "discardme", "dropped by header")]:
    snd = "hdr-%s@ok.example" % act
    probe("header_checks " + act, snd,
          dict(action=act, stage="header", client_ip=C1[0], client_name=C1[1], from_=snd, to="foo@" + DOM,
               text="Subject: " + subj, reason_re="^" + reason + "$", queue_id=True,
               reply="(message)" if act == "reject" else None, service="postfix/cleanup"),
          ["MAIL FROM:<%s>" % snd, "RCPT TO:<foo@%s>" % DOM, "DATA Subject: %s\\n\\nhello\\n" % subj],
          xclient=xc(C1[0], C1[1], C1[1]))
probe("body_checks reject", "body@ok.example",
      dict(action="reject", stage="body", client_ip=C1[0], from_="body@ok.example", to="foo@" + DOM,
           text="buy viagra now", queue_id=True, reply="(message)", service="postfix/cleanup"),
      ["MAIL FROM:<body@ok.example>", "RCPT TO:<foo@%s>" % DOM, "DATA Subject: hi\\n\\nbuy viagra now\\n"],
      xclient=xc(C1[0], C1[1], C1[1]))
# 10. hostile HELO with escape sequences (no XCLIENT: the raw EHLO)
evil = "evil\x1b[31mred\x1b[0m.example"
probe("hostile helo", "x327@iris.test",
      dict(action="reject", stage="RCPT", client_ip="127.0.0.1", from_="x327@iris.test", to="k@" + DOM,
           helo="evil?[31mred?[0m.example", reply="RCPT"),
      ["MAIL FROM:<x327@iris.test>", "RCPT TO:<k@%s>" % DOM], helo=evil)

# 11. hostile sender: escape sequences in MAIL FROM (Postfix logs them as '?')
r = smtp(["MAIL FROM:<e\x1b[31mvil\x1b[0m@hostile.example>", "RCPT TO:<z@elsewhere.example>"],
         xclient=xc(C1[0], C1[1], C1[1]))
hostile_sender_reply = r.get("MAIL", [(None, "")])[-1]

# wait until the last events are in the log (cleanup logs asynchronously)
deadline = time.time() + 20
while time.time() < deadline:
    text = open(LOG, "rb").read().decode("utf-8", "surrogateescape")
    if "body@ok.example" in text and "hdr-discard@ok.example" in text and "x327@iris.test" in text:
        break
    time.sleep(0.2)
time.sleep(0.5)


def feed(path, *extra):
    p = subprocess.run([PFC, "feed", "--log", path, "--json"] + list(extra), capture_output=True)
    rows = [json.loads(l) for l in p.stdout.decode("utf-8").splitlines()]
    return p.returncode, rows, p.stderr.decode("utf-8", "replace")


rc, rows, err = feed(LOG)
check("feed --json exits 0", rc == 0, err)
FIELDS = ["time", "host", "service", "pid", "queue_id", "action", "stage", "client_name", "client_ip", "code",
          "dsn", "reason", "from", "to", "proto", "helo"]
check("every object has exactly the issue's fields (+ text)",
      all(list(r.keys()) == FIELDS + ["text"] for r in rows), str(rows[:1]))


def find(key, want):
    for r in rows:
        if r["from"] == key and r["action"] == want["action"] and r["stage"] == want["stage"]:
            return r
    return None


for desc, key, want, replies in probes:
    if want["action"] == "auto":
        # reject or defer: the class of the reply the client got decides
        code = split_reply(replies.get(want["reply"], [(None, "")])[-1][1])[0] or 0
        want["action"] = "defer" if 400 <= code < 500 else "reject"
    ev = find(key, want)
    if ev is None:
        check(desc + ": event found", False, "no %s %s event from <%s>" % (want["action"], want["stage"], key))
        continue
    bad = []
    for f, v in want.items():
        if f in ("reply", "reason_re", "queue_id"):
            continue
        name = "from" if f == "from_" else f
        if ev.get(name) != v:
            bad.append("%s: got %r, want %r" % (name, ev.get(name), v))
    if want.get("reply"):
        # the client's own reply is the truth for code, dsn and reason
        line = replies.get(want["reply"], [(None, "")])[-1][1]
        code, dsn, reason = split_reply(line)
        if ev["stage"] in ("header", "body"):
            code = None     # cleanup logs no reply code
        for name, v in (("code", code), ("dsn", dsn), ("reason", reason)):
            if ev[name] != v:
                bad.append("%s: got %r, client saw %r (%s)" % (name, ev[name], v, line))
    if want.get("reason_re") and not re.search(want["reason_re"], ev["reason"] or ""):
        bad.append("reason %r !~ %s" % (ev["reason"], want["reason_re"]))
    if want.get("queue_id") and not ev["queue_id"]:
        bad.append("queue_id missing")
    if not want.get("queue_id") and ev["stage"] not in ("header", "body", "END-OF-MESSAGE", "DATA") \
            and ev["queue_id"] is not None:
        bad.append("queue_id %r for NOQUEUE" % ev["queue_id"])
    if ev["host"] != os.environ["PF_HOST"] or not re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$", ev["time"] or ""):
        bad.append("host/time %r %r" % (ev["host"], ev["time"]))
    check(desc, not bad, "; ".join(bad) + " | " + json.dumps(ev))

# text form: no raw control bytes even with the hostile HELO
p = subprocess.run([PFC, "feed", "--log", LOG], capture_output=True)
check("text output has no raw control bytes",
      p.returncode == 0 and not re.search(rb"[\x00-\x09\x0b-\x1f\x7f]", p.stdout), repr(p.stdout[-300:]))
# the hostile sender: accepted by smtpd? then its event carries it as logged
if hostile_sender_reply[0] == 250:
    ev = [r for r in rows if (r["to"] or "") == "z@elsewhere.example"]
    check("hostile sender: event with the sender as Postfix logged it",
          len(ev) == 1 and ev[0]["from"] == "e?[31mvil?[0m@hostile.example", str(ev))
else:
    check("hostile sender: smtpd refused it (%s), nothing logged as an event" % hostile_sender_reply[1],
          not any("hostile.example" in (r["from"] or "") for r in rows), "")
# --grep / --exclude
_, g, _ = feed(LOG, "--exclude", r"qq\.com|x\.org")
check("--exclude 'qq\\.com|x\\.org' drops those events",
      g and all("qq.com" not in (r["from"] or "") and "x.org" not in (r["from"] or "") for r in g) and len(g) < len(rows),
      "%d of %d" % (len(g), len(rows)))
_, g, _ = feed(LOG, "--grep", "Relay access denied.*to=<x@")
check("--grep keeps only matching events", len(g) == 1 and g[0]["to"] == "x@elsewhere.example", str(g))

# the same events in the other timestamp formats
MON = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
stamp = re.compile(rb"^([A-Z][a-z]{2}) (\d\d) (\d\d:\d\d:\d\d) ")
year = datetime.now(timezone.utc).year


def convert(kind, line):
    m = stamp.match(line)
    if not m:
        return line
    mon, day, hms = m.group(1).decode(), int(m.group(2)), m.group(3).decode()
    rest = line[m.end():]
    if kind == "rfc3164":
        return ("%s %2d %s " % (mon, day, hms)).encode() + rest
    mi = MON.index(mon) + 1
    if kind == "rfc3339":
        return ("%04d-%02d-%02dT%s.000000+00:00 " % (year, mi, day, hms)).encode() + rest
    if kind == "short-iso":
        return ("%04d-%02d-%02dT%s+0000 " % (year, mi, day, hms)).encode() + rest
    if kind == "rfc3339-offset":
        h, mm, ss = (int(x) for x in hms.split(":"))
        # the same instant written in +02:00 (may roll to the next day: skip those)
        if h >= 22:
            return ("%04d-%02d-%02dT%s+00:00 " % (year, mi, day, hms)).encode() + rest
        return ("%04d-%02d-%02dT%02d:%02d:%02d+02:00 " % (year, mi, day, h + 2, mm, ss)).encode() + rest
    if kind == "journal-short":
        return line      # journalctl -o short is the maillog_file form (zero-padded day)
    raise ValueError(kind)


def instant(t):
    return datetime.fromisoformat(t).timestamp()


raw = open(LOG, "rb").read().splitlines(keepends=True)
for kind in ("rfc3164", "rfc3339", "short-iso", "rfc3339-offset", "journal-short"):
    path = LOG + "." + kind
    with open(path, "wb") as f:
        for l in raw:
            f.write(convert(kind, l))
    rc, conv, err = feed(path)
    same = len(conv) == len(rows) and all(
        {k: v for k, v in a.items() if k != "time"} == {k: v for k, v in b.items() if k != "time"}
        and instant(a["time"]) == instant(b["time"]) for a, b in zip(conv, rows))
    check("%s timestamps: the same %d events at the same instants" % (kind, len(rows)), rc == 0 and same,
          "%d vs %d events; first: %s / %s" % (len(conv), len(rows), conv[:1], rows[:1]))

# --stats over the real log
p = subprocess.run([PFC, "feed", "--log", LOG, "--stats", "--json"], capture_output=True)
st = json.loads(p.stdout or b"{}")
check("--stats counts every event", st.get("total") == len(rows), str(st.get("total")))
check("--stats top sender domains include x.org",
      any(d["domain"] == "x.org" for d in st.get("sender_domains", [])), str(st.get("sender_domains")))

for r in results:
    print(r)
