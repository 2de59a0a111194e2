#!/usr/bin/env python3
"""tests/bench/feedgen.py LINES - write a mixed Postfix mail log of LINES
lines to stdout, in the maillog_file form ("Nov 02 13:03:01 host tag[pid]: "),
as a busy MX that rejects a lot logs it: per accepted message connect,
client=, message-id, qmgr from=, delivery status=sent, removed, disconnect;
per rejected attempt connect, NOQUEUE reject (client, HELO, sender,
recipient, relay, RBL, 4xx), disconnect; some header/body checks.
Clients come from a pool of 50,000 addresses with a skewed distribution.
Deterministic (fixed seed)."""
import random
import sys

n = int(sys.argv[1])
rnd = random.Random(5)
out = sys.stdout.buffer
t0 = 1793624581 - 86400 * 3
mons = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
domains = ["qq.com", "163.com", "example.com", "mail.ru", "gmail.example", "spam%d.example", "news.example"]
rcpts = ["john", "mary", "info", "sales", "postmaster", "k.smith", "abuse"]
reasons = [
    ("RCPT", "554 5.7.1 <{s}>: Sender address rejected: 521"),
    ("RCPT", "550 5.7.1 <{cn}[{ip}]>: Client host rejected: network blocked for abuse"),
    ("RCPT", "554 5.7.1 Service unavailable; Client host [{ip}] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/{ip}"),
    ("RCPT", "550 5.1.1 <{r}>: Recipient address rejected: User unknown in local recipient table"),
    ("RCPT", "454 4.7.1 <{r}>: Relay access denied"),
    ("RCPT", "450 4.7.1 Client host rejected: cannot find your hostname, [{ip}]"),
    ("RCPT", "504 5.5.2 <{h}>: Helo command rejected: need fully-qualified hostname"),
    ("EHLO", "554 5.7.1 <{h}>: Helo command rejected: bad helo"),
]


class Clock:
    t = t0

    def stamp(self):
        self.t += rnd.random() * 0.3
        tt = int(self.t)
        d = divmod(tt, 86400)
        s = d[1]
        return "Nov %02d %02d:%02d:%02d" % (2 + (d[0] - 20394) % 28, s // 3600, s // 60 % 60, s % 60)


clk = Clock()
w = 0
qn = 0x10000


def emit(tag, pid, msg):
    global w
    out.write(("%s mx1 postfix/%s[%d]: %s\n" % (clk.stamp(), tag, pid, msg)).encode())
    w += 1


# clients: a pool of 50,000 addresses, a few of them very busy (as the
# botnets and bulk senders hitting a real MX are), a long tail of the rest
pool = []
for k in range(50000):
    ip = "%d.%d.%d.%d" % (rnd.randint(1, 223), rnd.randint(0, 255), rnd.randint(0, 255), rnd.randint(1, 254))
    pool.append((ip, "unknown" if k % 3 else "mail%d.example.net" % k))

while w < n:
    ip, cn = pool[int(len(pool) * rnd.random() ** 2)]
    client = "%s[%s]" % (cn, ip)
    pid = rnd.randint(1000, 60000)
    h = rnd.choice(["mail.example.net", "localhost", "[%s]" % ip, "PC-%d" % rnd.randint(1, 99)])
    d = rnd.choice(domains).replace("%d", str(rnd.randint(1, 500)))
    s = "%s%d@%s" % (rnd.choice(["bob", "news", "x"]), rnd.randint(1, 9999), d)
    r = "%s@bar.org" % rnd.choice(rcpts)
    emit("smtpd", pid, "connect from %s" % client)
    roll = rnd.random()
    if roll < 0.45:
        stage, text = rnd.choice(reasons)
        text = text.format(s=s, cn=cn, ip=ip, r=r, h=h)
        if stage == "EHLO":
            emit("smtpd", pid, "NOQUEUE: reject: EHLO from %s: %s; proto=ESMTP helo=<%s>" % (client, text, h))
        else:
            emit("smtpd", pid, "NOQUEUE: reject: RCPT from %s: %s; from=<%s> to=<%s> proto=ESMTP helo=<%s>"
                 % (client, text, s, r, h))
        emit("smtpd", pid, "disconnect from %s ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4" % client)
        continue
    qn += rnd.randint(1, 50)
    qid = "%X" % (qn * 0x10 + 0x102458)
    emit("smtpd", pid, "%s: client=%s" % (qid, client))
    emit("cleanup", pid + 1, "%s: message-id=<%d.%d@%s>" % (qid, rnd.randint(1, 10**9), pid, d))
    if roll < 0.50:
        emit("cleanup", pid + 1, "%s: reject: header Subject: cheap meds from %s; from=<%s> to=<%s> proto=ESMTP helo=<%s>: 5.7.1 message content rejected"
             % (qid, client, s, r, h))
        emit("smtpd", pid, "disconnect from %s ehlo=1 mail=1 rcpt=1 data=0/1 quit=1 commands=4/5" % client)
        continue
    emit("qmgr", 900, "%s: from=<%s>, size=%d, nrcpt=1 (queue active)" % (qid, s, rnd.randint(900, 90000)))
    emit("smtpd", pid, "disconnect from %s ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5" % client)
    emit("local", pid + 2, "%s: to=<%s>, relay=local, delay=0.1, delays=0.05/0.01/0/0.04, dsn=2.0.0, status=sent (delivered to mailbox)" % (qid, r))
    emit("qmgr", 900, "%s: removed" % qid)
