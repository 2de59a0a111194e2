/*
 * tests/unit/test_replay.c - core/replay.c: a big log parsed in two halves
 * at once (replay_opts.threads > 1) gives exactly the transactions of one
 * pass: messages whose lines straddle the middle, queue IDs reused while
 * an older message of that ID is still in flight, messages never removed,
 * rejects and discards of a later recipient of an accepted message.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/replay.h"
#include "util/strbuf.h"

static unsigned long seed = 14;

static unsigned
rnd(unsigned n)
{
	seed = seed * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)((seed >> 33) % n);
}

struct om {
	char qid[16];
	int step;               /* 0 client= done, then EOM, from, to..., removed */
	int nrcpt;
	bool abandon;           /* never removed */
	int n;                  /* its number: sender, recipients */
};

#define OPEN 64
#define ZOMBIES 64

static void
line(struct strbuf *sb, unsigned long *t, const char *prog, const char *fmt, ...)
{
	va_list ap;

	(*t)++;
	strbuf_addf(sb, "Nov %02lu %02lu:%02lu:%02lu mx postfix/%s[%lu]: ", 2 + *t / 86400 % 27,
		    *t / 3600 % 24, *t / 60 % 60, *t % 60, prog, 1000 + *t % 500);
	va_start(ap, fmt);
	strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
	strbuf_add(sb, "\n", 1);
}

/* make_log - about 6 MB of interleaved sessions */
static void
make_log(struct strbuf *sb)
{
	struct om open[OPEN];
	size_t nopen = 0;
	unsigned long t = 0, q = 0x10000;
	int n = 0, reused = 0;
	char zombie[ZOMBIES][16];
	size_t nz = 0;

	while (sb->len < (6u << 20)) {
		unsigned r = rnd(100);

		if (r < 30) {
			line(sb, &t, "smtpd", "NOQUEUE: reject: RCPT from unknown[203.0.%u.%u]: 554 5.7.1 "
			     "<u%d@qq.com>: Sender address rejected: 521; from=<u%d@qq.com> to=<foo@bar.org> "
			     "proto=ESMTP helo=<h%d.example>", rnd(256), rnd(254) + 1, n, n, n);
			n++;
		} else if (r < 34) {
			line(sb, &t, "smtpd", "connect from unknown[203.0.113.%u]", rnd(254) + 1);
		} else if (r < 45 && nopen < OPEN) {
			struct om *m = &open[nopen++];

			memset(m, 0, sizeof(*m));
			/* now and then the ID of the oldest message never removed (Postfix
			 * reuses queue IDs): one pass forgets that message unfinished */
			if (nz > 0 && rnd(50) == 0) {
				memcpy(m->qid, zombie[0], sizeof(m->qid));
				memmove(zombie[0], zombie[1], --nz * sizeof(zombie[0]));
				reused++;
			} else {
				snprintf(m->qid, sizeof(m->qid), "%lX", q++);
			}
			m->nrcpt = 1 + (int)rnd(3);
			m->abandon = rnd(12) == 0;
			m->n = n++;
			line(sb, &t, "smtpd", "%s: client=mail%d.example[198.51.100.%u]%s", m->qid, m->n,
			     rnd(254) + 1, m->n % 7 == 0 ? ", sasl_method=PLAIN, sasl_username=joe" : "");
		} else if (nopen > 0) {
			size_t i = rnd((unsigned)nopen);
			struct om *m = &open[i];

			m->step++;
			if (m->step == 1) {
				if (m->n % 3 == 0)
					line(sb, &t, "smtpd", "%s: info: END-OF-MESSAGE from mail%d.example[198.51.100.1]: "
					     "x; from=<s%d@ex.example> to=<r%d@bar.org> proto=ESMTP helo=<mail%d.example>",
					     m->qid, m->n, m->n, m->n, m->n);
				else if (m->n % 3 == 1)
					line(sb, &t, "smtpd", "%s: reject: RCPT from mail%d.example[198.51.100.1]: 550 5.1.1 "
					     "<x%d@bar.org>: Recipient address rejected: no; from=<s%d@ex.example> "
					     "to=<x%d@bar.org> proto=ESMTP helo=<mail%d.example>",
					     m->qid, m->n, m->n, m->n, m->n, m->n);
				else
					line(sb, &t, "smtpd", "%s: discard: RCPT from mail%d.example[198.51.100.1]: "
					     "<r%d-0@bar.org>: Recipient address triggers DISCARD action; from=<s%d@ex.example> "
					     "to=<r%d-0@bar.org> proto=ESMTP helo=<mail%d.example>",
					     m->qid, m->n, m->n, m->n, m->n, m->n);
			} else if (m->step == 2) {
				line(sb, &t, "qmgr", "%s: from=<s%d@ex.example>, size=900, nrcpt=%d (queue active)",
				     m->qid, m->n, m->nrcpt);
			} else if (m->step < 3 + m->nrcpt) {
				int k = m->step - 3;

				if (k == 1)
					line(sb, &t, "local", "%s: to=<a%d@bar.org>, orig_to=<r%d-%d@bar.org>, "
					     "relay=local, delay=0.1, status=sent (ok)", m->qid, m->n, m->n, k);
				else
					line(sb, &t, "smtp", "%s: to=<r%d-%d@bar.org>, relay=mx.example[192.0.2.1]:25, "
					     "delay=0.1, status=sent (ok)", m->qid, m->n, k);
			} else {
				if (!m->abandon) {
					line(sb, &t, "qmgr", "%s: removed", m->qid);
				} else {
					if (nz == ZOMBIES)
						memmove(zombie[0], zombie[1], --nz * sizeof(zombie[0]));
					memcpy(zombie[nz++], m->qid, sizeof(zombie[0]));
				}
				open[i] = open[--nopen];
			}
		}
	}
	assert_true(reused > 20);
}

static void
same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void
test_split_same(void **state)
{
	struct strbuf sb;
	struct replay_log *one, *two;
	struct replay_opts o1 = { 0, 1 }, o2 = { 0, 2 };
	size_t i, n, accepted = 0, held = 0;

	(void)state;
	strbuf_init(&sb);
	make_log(&sb);
	assert_int_equal(replay_parse(sb.buf, sb.len, &o1, &one), 0);
	assert_int_equal(replay_parse(sb.buf, sb.len, &o2, &two), 0);
	n = replay_count(one);
	assert_true(n > 20000);
	assert_int_equal(replay_count(two), n);
	assert_int_equal(replay_lines(two), replay_lines(one));
	for (i = 0; i < n; i++) {
		const struct replay_txn *a = replay_at(one, i), *b = replay_at(two, i);

		assert_int_equal(a->line, b->line);
		assert_int_equal(a->time, b->time);
		same(a->client_name, b->client_name);
		same(a->client_addr, b->client_addr);
		same(a->helo, b->helo);
		assert_int_equal(a->helo_known, b->helo_known);
		same(a->sender, b->sender);
		same(a->recipient, b->recipient);
		same(a->sasl_user, b->sasl_user);
		same(a->queue_id, b->queue_id);
		same(a->host, b->host);
		assert_int_equal(a->logged, b->logged);
		assert_int_equal(a->code, b->code);
		same(a->dsn, b->dsn);
		same(a->text, b->text);
		same(a->not_replayed, b->not_replayed);
		accepted += a->logged == EXPLAIN_ACCEPT;
		held += a->logged == EXPLAIN_DISCARD;
	}
	assert_true(accepted > 1000 && held > 100);
	replay_free(one);
	replay_free(two);
	strbuf_fini(&sb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_same),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
