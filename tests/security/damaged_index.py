#!/usr/bin/env python3
"""tests/security/damaged_index.py - damaged hash and cdb indexes against
the pfconsole binary: postmap builds a hash .db and a .cdb of a table of a
few thousand keys and of a table with big keys and values (overflow pages),
then each round damages one copy (mostly one random byte; a few rounds
change several bytes or truncate the file) and runs `pfconsole query`,
`check` and `explain` on it.  A crash (killed by a signal), a hang, or a
sanitizer report on stderr is a failure; so is a query answer that differs
from `postmap -q` on the same damaged file while pfconsole says nothing
(exit 0/1 without an error on stderr).

usage: damaged_index.py PFCONSOLE ROUNDS SEED [--verbose]
Prints one summary line; with failures, each with its seed and round (run
again with the same SEED to reproduce), and exits 1.  Exit 77: no postmap.
"""
import os
import random
import shutil
import subprocess
import sys
import tempfile

POSTMAP = "/usr/sbin/postmap"
SAN = ("Sanitizer", "runtime error:")


def run(argv, stdin=None, timeout=30):
    """(status, stdout, stderr); status -signal when killed, 'hang' on timeout"""
    try:
        p = subprocess.run(argv, input=stdin, capture_output=True, timeout=timeout,
                           env=dict(os.environ, LC_ALL="C.UTF-8", TZ="UTC",
                                    PFCONSOLE_POSTCONF="builtin"))
    except subprocess.TimeoutExpired:
        return "hang", b"", b""
    return p.returncode, p.stdout, p.stderr


def write_tables(d):
    keys = {}
    with open(os.path.join(d, "small"), "w") as f:
        ks = []
        for i in range(3000):
            k = "k%d@d%d.example" % (i, i % 97)
            f.write("%s REJECT listed %d\n" % (k, i))
            ks.append(k)
        keys["small"] = ks
    with open(os.path.join(d, "big"), "w") as f:
        ks = []
        for i in range(400):
            if i % 9 == 0:
                k = "big%d-" % i + "".join(chr(97 + j % 26) for j in range(1500))
            else:
                k = "b%d@big.example" % i
            if i % 4 == 1:
                v = "REJECT %d " % i + "".join(chr(65 + (j + i) % 26) for j in range(3000 + 700 * (i % 10)))
            else:
                v = "REJECT big %d" % i
            f.write("%s %s\n" % (k, v))
            ks.append(k)
        keys["big"] = ks
    return keys


def damage(rng, data):
    """a damaged copy of DATA and what was done"""
    b = bytearray(data)
    x = rng.random()
    if x < 0.85:
        # a third of them where a reader looks first: hash's meta page and
        # page headers (the first 64 bytes of a 4 KiB page), cdb's tables
        if rng.random() < 0.35:
            i = min(len(b) - 1, rng.randrange(len(b) // 4096 + 1) * 4096 + rng.randrange(64))
        else:
            i = rng.randrange(len(b))
        v = rng.randrange(1, 256)
        b[i] ^= v
        return bytes(b), "byte %d ^= 0x%02x" % (i, v)
    if x < 0.95:
        what = []
        for _ in range(rng.randrange(2, 9)):
            i = rng.randrange(len(b))
            b[i] = rng.randrange(256)
            what.append(str(i))
        return bytes(b), "bytes %s" % ",".join(what)
    n = rng.randrange(len(b))
    return bytes(b[:n]), "truncated to %d" % n


def main():
    pfc, rounds, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    verbose = "--verbose" in sys.argv
    if not os.access(POSTMAP, os.X_OK):
        print("no %s" % POSTMAP)
        return 77
    rng = random.Random(seed)
    d = tempfile.mkdtemp(prefix="pfc-damaged-")
    try:
        return fuzz(pfc, rounds, seed, rng, d, verbose)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def fuzz(pfc, rounds, seed, rng, d, verbose):
    keys = write_tables(d)
    with open(os.path.join(d, "main.cf"), "w") as f:
        f.write("compatibility_level = 3.6\n"
                "smtpd_recipient_restrictions = check_sender_access hash:%s/t,"
                " check_recipient_access cdb:%s/t, reject_unauth_destination\n" % (d, d))
    pristine = {}
    for t in ("small", "big"):
        for typ, suf in (("hash", ".db"), ("cdb", ".cdb")):
            st, _, err = run([POSTMAP, "-c", d, "%s:%s/%s" % (typ, d, t)])
            if st != 0:
                print("postmap %s:%s failed: %s" % (typ, t, err.decode(errors="replace")))
                return 1
            with open(os.path.join(d, t + suf), "rb") as f:
                pristine[(t, typ)] = f.read()
    # the table main.cf names: d/t, its source a copy of the one in use
    failures = []
    counts = {"rounds": 0, "runs": 0, "unreadable": 0, "answered-differently": 0}
    for rnd in range(rounds):
        t = rng.choice(("small", "big"))
        typ = rng.choice(("hash", "cdb"))
        suf = ".db" if typ == "hash" else ".cdb"
        data, what = damage(rng, pristine[(t, typ)])
        shutil.copyfile(os.path.join(d, t), os.path.join(d, "t"))
        for other in (".db", ".cdb"):
            src = pristine[(t, "hash" if other == ".db" else "cdb")]
            with open(os.path.join(d, "t" + other), "wb") as f:
                f.write(data if other == suf else src)
        ks = rng.sample(keys[t], 40) + ["nothere%d@x.example" % rnd]
        if t == "big":
            ks += [k for k in keys[t] if len(k) > 1000][:5]
        where = "seed %d round %d: %s %s.%s %s" % (seed, rnd, typ, t, suf, what)
        stdin = ("\n".join(ks) + "\n").encode()
        runs = [("query", [pfc, "-c", d, "query", "%s:%s/t" % (typ, d), "-"], stdin),
                ("check", [pfc, "-c", d, "check"], None)]
        for k in ks[:2]:
            runs.append(("explain", [pfc, "-c", d, "explain", "--client", "192.0.2.1",
                                     "--helo", "h.example", "--sender", k if typ == "hash" else "a@b.example",
                                     "--recipient", k if typ == "cdb" else "a@b.example"], None))
        counts["rounds"] += 1
        qout = None
        for name, argv, inp in runs:
            st, out, err = run(argv, inp)
            counts["runs"] += 1
            e = err.decode(errors="replace")
            if st == "hang" or (isinstance(st, int) and (st < 0 or st >= 126)) \
                    or any(s in e for s in SAN):
                failures.append("%s: %s: status %s: %s" % (where, name, st, e.strip()[:600]))
            if name == "query":
                qout = (st, out, e)
            if name == "check" and "unreadable-map" in out.decode(errors="replace"):
                counts["unreadable"] += 1
        # pfconsole's answers against postmap -q's, on the same damaged file
        pst, pout, perr = run([POSTMAP, "-c", d, "-q", "-", "%s:%s/t" % (typ, d)], stdin)
        if b"malformed UTF-8" in perr:
            # Postfix (smtputf8_enable=yes) refuses a value that is not
            # UTF-8 with a query error; pfconsole answers it (not a crash)
            counts["non-utf8-value"] = counts.get("non-utf8-value", 0) + 1
        elif qout and isinstance(pst, int) and qout[0] in (0, 1) and not qout[2].strip() \
                and (qout[1] != pout or pst not in (0, 1) or perr.strip()):
            counts["answered-differently"] += 1
            failures.append("%s: query answered differently from postmap -q, silently" % where)
        if verbose:
            print("%s: query %s postmap %s" % (where, qout[0] if qout else "?", pst))
    print("damaged indexes: %d rounds, %d runs, %d failures, check said unreadable-map "
          "in %d rounds, postmap -q refused a non-UTF-8 value in %d, seed %d"
          % (counts["rounds"], counts["runs"], len(failures), counts["unreadable"],
             counts.get("non-utf8-value", 0), seed))
    for f in failures[:30]:
        print("FAIL " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
