/*
 * tests/fuzz/fuzz_logline.c - libFuzzer harness for the log line parser.
 *
 * One input = one log line.  Parses it, and for an event renders it both
 * ways (JSON, and the text form through core/textsafe), checks the spans
 * lie inside the input and the text form holds no control byte, and copies
 * it (pf_event_dup).  Built and run by tests/fuzz/run.sh.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/feed.h"
#include "core/logline.h"
#include "util/strbuf.h"
#include "core/textsafe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_span(struct pf_span sp, const char *line, size_t len)
{
	if (sp.p == NULL)
		return;
	if (sp.p < line || sp.p + sp.n > line + len)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a copy of exactly SIZE bytes, so ASan catches any read past it */
	char *line = malloc(size ? size : 1);
	struct logline_ctx ctx;
	struct pf_event ev, *dup;
	struct strbuf sb;
	size_t i;

	if (line == NULL)
		return 0;
	memcpy(line, data, size);
	logline_ctx_init(&ctx, 1795000000);
	if (logline_parse(line, size, &ctx, &ev) == LOGLINE_EVENT) {
		const struct pf_span *spans[] = { &ev.host, &ev.service, &ev.program, &ev.queue_id,
						  &ev.action_word, &ev.stage, &ev.client_name,
						  &ev.client_ip, &ev.client_port, &ev.dsn, &ev.reason,
						  &ev.from, &ev.to, &ev.proto, &ev.helo, &ev.text,
						  &ev.line, &ev.message };

		for (i = 0; i < sizeof(spans) / sizeof(spans[0]); i++)
			check_span(*spans[i], line, size);
		strbuf_init(&sb);
		if (event_to_json(&ev, &sb) < 0)
			abort();
		strbuf_reset(&sb);
		if (feed_event_text(&ev, &sb) < 0)
			abort();
		for (i = 0; i < sb.len; i++)
			if ((unsigned char)sb.buf[i] < 0x20 || sb.buf[i] == 0x7f)
				abort();
		strbuf_fini(&sb);
		dup = pf_event_dup(&ev);
		pf_event_free(dup);
	}
	(void)logline_is_event(line, size);
	/* textsafe on raw bytes: bounded width, valid output */
	strbuf_init(&sb);
	{
		size_t w;

		if (textsafe_append(&sb, line, size, size % 97, &w, NULL) < 0 || w > size % 97)
			abort();
	}
	strbuf_fini(&sb);
	free(line);
	return 0;
}
