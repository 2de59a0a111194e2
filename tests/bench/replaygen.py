#!/usr/bin/env python3
"""tests/bench/replaygen.py DIR LINES ENTRIES - the input of tests/bench/replay.sh.

Writes DIR/maillog: LINES lines of the demo traffic mix (demo/traffic.py's
scenario weights: spam from qq.com/163.com, forged domain.ie senders, role
accounts, list bounces, third-party DSNs, relay attempts, legitimate mail;
plus own users sending out from mynetworks) as Postfix logs it - rejected
sessions: connect, NOQUEUE reject, disconnect; accepted ones: connect,
client=, message-id, the END-OF-MESSAGE INFO line (LOGGING ACCEPTED MAIL in
pfconsole(1)), qmgr from=, delivery to=, removed, disconnect.
DIR/probes.json: the same transactions as explain --batch probes.
DIR/big: an ENTRIES-line sender access table (tests/bench/explain.sh's).
Deterministic (fixed seed)."""
import random
import sys

d, n, entries = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(14)
WORDS = ["alpha", "bravo", "cedar", "delta", "ember", "fjord", "grove", "harbor",
         "iris", "juniper", "kestrel", "lumen", "maple", "nimbus", "opal", "pine"]
# weight, client name, helo kind, sender, recipient, logged reply (None: accepted)
SC = [
    (6, "unknown", "qq", "{n}@qq.com", "foo@bar.org", "554 5.7.1 <{s}>: Sender address rejected: 521"),
    (4, "unknown", "163", "{w}{n}@163.com", "foo@bar.org", "554 5.7.1 <{s}>: Sender address rejected: 521"),
    (2, "unknown", "qq", "{n}@qq.com", "info@bar.org", None),
    (4, "unknown", "bot", "{w}{n}@domain.ie", "{w}@domain.ie", "554 5.7.1 <{s}>: Sender address rejected: Access denied"),
    (2, "unknown", "bot", "info@{w}-deals.example", "foo@bar.org", "554 5.7.1 <{s}>: Sender address rejected: Access denied"),
    (2, "lists.{w}.example", "lists", "{w}-bounces@lists.{w}.example", "foo@bar.org", "554 5.7.1 <{s}>: Sender address rejected: Access denied"),
    (2, "unknown", "bot", "", "{w}@domain.ie", "550 5.7.1 <>: Sender address rejected: no third-party DSNs"),
    (2, "unknown", "bot", "{w}{n}@{w}.example", "{w}@elsewhere.example", "454 4.7.1 <{r}>: Relay access denied"),
    (1, "mail.{w}.example", "mail", "{w}@{w}.example", "postmaster@domain.ie", "554 5.7.1 <{r}>: Recipient address rejected: Access denied"),
    (5, "mail.{w}.example", "mail", "{w}@{w}.example", "foo@bar.org", None),
    (3, "ws{k}.bar.org", "own", "staff{k}@bar.org", "{w}@partner{k}.example", None),
]
HELO = {"qq": "[{a}]", "163": "mail{n}.163-relay.example", "bot": "{w}{n}.dyn.example.net",
        "lists": "lists.{w}.example", "mail": "mail.{w}.example", "own": "ws{k}.bar.org"}
weights = [s[0] for s in SC]
log = open(d + "/maillog", "w")
probes = open(d + "/probes.json", "w")
t = 0
lines = 0
q = 0x100000
while lines < n:
    sc = rnd.choices(SC, weights)[0]
    own = sc[2] == "own"
    v = {"w": rnd.choice(WORDS), "n": str(rnd.randint(10000, 999999999)), "k": str(rnd.randint(1, 40)),
         "a": "127.0.0.%d" % rnd.randint(1, 254) if own else
         "203.0.%d.%d" % (rnd.randint(0, 255), rnd.randint(1, 254))}
    f = lambda x: x.format(**v)
    name, helo, s, r = f(sc[1]), f(HELO[sc[2]].replace("{a}", v["a"])), f(sc[3]), f(sc[4])
    ip = v["a"]
    t += 1
    st = "Nov %02d %02d:%02d:%02d" % (2 + t // 86400 % 27, t // 3600 % 24, t // 60 % 60, t % 60)
    pid = 1000 + t % 30000
    pre = "%s mx postfix/smtpd[%d]: " % (st, pid)
    cl = "%s[%s]" % (name, ip)
    out = [pre + "connect from " + cl]
    tail = "from=<%s> to=<%s> proto=ESMTP helo=<%s>" % (s, r, helo)
    if sc[5]:
        out.append(pre + "NOQUEUE: reject: RCPT from %s: %s; %s" % (cl, sc[5].format(s=s, r=r), tail))
        out.append(pre + "disconnect from %s ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4" % cl)
    else:
        q += 1
        qid = "%X" % (q * 7919 % 0xFFFFFFFFFF)
        out.append(pre + "%s: client=%s" % (qid, cl))
        out.append("%s mx postfix/cleanup[%d]: %s: message-id=<%s@x>" % (st, pid + 1, qid, qid))
        out.append(pre + "%s: info: END-OF-MESSAGE from %s: pfconsole; from=<%s> to=<%s> proto=ESMTP helo=<%s>"
                   % (qid, cl, s, r, helo))
        out.append("%s mx postfix/qmgr[99]: %s: from=<%s>, size=900, nrcpt=1 (queue active)" % (st, qid, s))
        agent = "smtp" if own else "local"
        out.append("%s mx postfix/%s[%d]: %s: to=<%s>, relay=%s, delay=0.1, status=sent (ok)"
                   % (st, agent, pid + 2, qid, r, "mx.example[192.0.2.1]:25" if own else "local"))
        out.append("%s mx postfix/qmgr[99]: %s: removed" % (st, qid))
        out.append(pre + "disconnect from %s ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5" % cl)
    log.write("\n".join(out) + "\n")
    lines += len(out)
    probes.write('{"client":"%s,%s","helo":"%s","sender":"%s","recipient":"%s"}\n' % (ip, name, helo, s or "<>", r))
with open(d + "/big", "w") as g:
    for i in range(entries):
        g.write("user%d@d%d.example REJECT listed %d\n" % (i, i % 5000, i))
