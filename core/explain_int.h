/*
 * core/explain_int.h - what the explain_*.c files share: the evaluator's
 * state (struct explain, struct st), the table cache (struct xtable), the
 * key store and line index, and the functions one file calls in another.
 * Internal to core/explain*.c; the interface is core/explain.h.
 */
#ifndef PFCONSOLE_CORE_EXPLAIN_INT_H
#define PFCONSOLE_CORE_EXPLAIN_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/explain.h"
#include "core/kvparse.h"
#include "core/maincf.h"
#include "core/pattern.h"
#include "util/hash.h"
#include "util/htable.h"
#include "util/strbuf.h"
#include "maps/map.h"

/* ------------------------------------------------------------------ */
/* small helpers                                                        */

static inline char *
xstrndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = 0;
	}
	return p;
}

static inline char *
xstrdup(const char *s)
{
	return s ? xstrndup(s, strlen(s)) : NULL;
}

/* scopy - what snprintf(DST, SIZE, "%s", SRC) stores (SIZE > 0), without
 * printf: SRC cut to SIZE - 1 bytes, always NUL-terminated */
static inline void
scopy(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = 0;
}

static inline void
lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

#define W_ONES 0x0101010101010101ULL
#define W_HIGH 0x8080808080808080ULL

/* w_has - the high bit of every byte of X that equals C (exact per byte:
 * no borrow crosses a byte, as every byte is given its high bit first) */
static inline uint64_t
w_has(uint64_t x, unsigned char c)
{
	uint64_t z = x ^ (c * W_ONES);

	return ~(((z | W_HIGH) - W_ONES) | z) & W_HIGH;
}

/* a list of words (restriction lists) */
/* wnet - an item of a name/address list, parsed once (namadr_match) */
struct wnet {
	unsigned char state;        /* WNET_UNPARSED, WNET_NET, WNET_OTHER */
	unsigned char net[16];
	int fam;
	unsigned bits;
};

#define WNET_UNPARSED 0
#define WNET_NET 1                  /* parse_net accepted the item (after any '!') */
#define WNET_OTHER 2

struct words {
	char **v;
	size_t n, cap;
	struct wnet *net;           /* NULL, or one per item: filled as used */
	const struct restriction **rs; /* NULL, or one per item: restriction_find's
	                                * answer, filled as used (words_restriction) */
};

/* ------------------------------------------------------------------ */
/* in-memory key table (texthash, inline, --sources, line index)        */

struct kvent {
	char *key;                  /* folded key; value follows its NUL */
	size_t klen;
	const char *val;            /* NULL for a line index */
	unsigned line;
};

struct kvtab {
	struct kvent *v;            /* dense, in insertion order */
	size_t n, cap;
	struct htable t;            /* folded key -> index in v + 1 */
};

/* line index of an indexed table's source: key hash -> first line (postmap
 * keeps the first of duplicate keys).  No key storage: an entry holds the
 * key's whole 64-bit hash (a wrong line needs a full 64-bit collision:
 * about 3e-8 for 1,000,000 keys) and the line.  Built in two sequential
 * passes instead of random inserts (which were cache- and TLB-miss bound:
 * 0.1 s for 1,000,000 keys): entries are appended in source order, then
 * grouped by the hash's upper bits with a counting sort, which keeps the
 * source order within a group, so a lookup returns the first line.
 * 1,000,000 entries cost 12 MB (24 MB while grouping).  Hence not
 * util/htable.h's table: it is built once and never grows, and the
 * random inserts are what this index avoids. */
struct li_ent {
	uint32_t hi, lo, line;      /* hi, lo: the hash's upper and lower 32 bits */
};

struct lineidx {
	struct li_ent *v;           /* appended, then grouped */
	size_t n, cap;
	uint32_t *start;            /* grouped: group g is v[start[g] .. start[g + 1]) */
	uint32_t mask;              /* groups - 1 */
};

struct kvload {
	struct kvtab *t;
	bool with_val;
	bool fold;
	struct lineidx *li;         /* line index instead of T */
};

/* ------------------------------------------------------------------ */
/* tables                                                               */

enum xt_kind { XT_MAP, XT_KV, XT_PASSWD, XT_ERROR };

struct xtable {
	char *ref;                  /* "hash:/etc/postfix/access" as written */
	size_t reflen;
	char *type, *name;
	enum xt_kind kind;
	bool fixed;                 /* DICT_FLAG_FIXED: partial keys are looked up */
	bool fold;                  /* fixed tables fold the query (FOLD_FIX) */
	bool pattern;               /* regexp/pcre */
	bool cidr;                  /* cidr (maps/map_cidr.c) */
	struct map *m;
	struct pattern_table pt;
	bool have_pt;
	struct kvtab kv;            /* texthash, inline, --sources */
	struct lineidx lines;       /* indexed: key -> source line, built on demand */
	bool lines_built;
	struct map *index;          /* --sources: the built index, for staleness */
	char *src;                  /* source file shown in FILE:LINE; NULL inline */
	char *error;                /* XT_ERROR: the reason (Postfix's wording) */
	bool watch;                 /* opts.watch_tables names it: lookups kept in a brief trail */
	struct xtable *next;
};

struct explain {
	struct maincf *cf;
	struct explain_opts opts;
	bool hold;                  /* explain_hold: tables keep their locks between runs */
	char *dir;
	struct xtable *tables;
	struct words client, helo, mail, relay, rcpt;
	struct words classes;       /* names, in order */
	struct words *class_lists;  /* parallel */
	bool delay_reject, relay_first, fake_relay, parent_style, soft_bounce;
	bool allow_untrusted_routing, reject_unlisted_rcpt, append_dot_mydomain;
	bool reject_unlisted_sender;
	int map_reject_code, map_defer_code, reject_code, defer_code, relay_code;
	int non_fqdn_code, bad_name_code, unk_client_code, plaintext_code, mul_rcpt_code;
	int virt_alias_code;
	char *null_key, *rcpt_delim, *myorigin, *mydomain, *local_rcpt_maps;
	char *startup_error;        /* smtpd refuses to start */
	char *service_note;         /* master.cf smtpd services with -o overrides */
	struct override {
		char *name, *raw, *expanded;
	} *over;                    /* --service: that service's -o name=value */
	size_t nover;
	bool relay_parent;          /* relay_domains in parent_domain_matches_subdomains */
	struct pcache {
		char *name;
		struct words w;
	} pcache[16];               /* split list parameters, by name */
	size_t npcache;
	struct hit *stack;          /* evaluation stack, reused by every probe */
	struct st *st;              /* a probe's state, reused by every probe */
	bool sasl_enable;
	/* read once (a parameter lookup by name cost as much as a tenth of a
	 * rejected probe): smtpd_reject_footer raw, footer maps set */
	const char *reject_footer;
	bool reject_footer_maps;
};

/* ------------------------------------------------------------------ */
/* evaluation state                                                     */

enum { ST_DUNNO = 0, ST_OK = 1, ST_REJECT = 2, ST_UNKNOWN = 3 };

#define STACK_MAX 128

/* error classes of smtpd_check_reject */
enum { EC_POLICY, EC_SOFTWARE, EC_RESOURCE };

struct hit {
	const char *table;
	const char *src;
	unsigned line;
	char key[512];
	char value[512];
};

struct defer {
	bool active;
	int class;
	int code;
	char dsn[12];
	struct strbuf reason;
	struct hit rule;
	bool have_rule;
};

struct st {
	struct explain *ex;
	struct explain_result *r;
	const char *addr, *name, *namaddr_s;
	char addrbuf[64];           /* ADDR as smtpd has it (explain_client_addr) */
	const char *helo_name;      /* NULL until HELO (or when not sent) */
	const char *sender;         /* NULL before MAIL */
	const char *recipient;      /* NULL before RCPT */
	const char *where;
	int recursion;
	int warn_if_reject;
	struct defer dip, dir;
	bool dip_client, dip_helo, dip_sender;
	bool discard, hold;
	bool aborted;               /* a longjmp out of the lists */
	bool rcptmap_checked;
	/* the last reject (error_text) */
	int ecode;
	char edsn[12];
	struct strbuf etext;
	bool have_erule;
	bool have_prule;
	unsigned prule_seq;         /* bumped at each prule update */
	char *isender, *ircpt;      /* the probe's addresses in internal (unquoted) form */
	struct strbuf isender_sb, ircpt_sb;   /* their storage, kept across probes */
	const char *pad_for;        /* permit_auth_destination cache: recipient */
	int pad_status;
	bool have_hrule;
	struct hit *stack;          /* STACK_MAX entries, owned by struct explain */
	int depth;
	int indent;
	bool mute;                  /* a brief trail (explain_result.brief): trail lines dropped */
	/* st_new clears everything above for each probe (the struct is
	 * reused: no 7 KB calloc per probe); what follows is only read
	 * after being written in the same probe (namaddr by st_new, pad_res
	 * when pad_for is set, the rules when their have_ flag is) */
	char namaddr[1100];
	char pad_res[512];
	struct hit erule;
	struct hit prule;           /* last table entry that permitted */
	struct hit hrule;           /* HOLD / DISCARD entry */
};

/* resolve class of a recipient: domain list matching */
enum rclass { RC_DEFAULT, RC_LOCAL, RC_ALIAS, RC_VIRTUAL, RC_RELAY };

/* explain.c */
const char * cfget(struct explain *ex, const char *name, enum maincf_source *src);
const char * cfraw(struct explain *ex, const char *name, enum maincf_source *src);
void trail(struct st *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void trail_parts(struct st *s, const char *a, const char *b, const char *c, const char *d,
	    const char *e); void
hit_copy(struct hit *dst, const struct hit *src);
int reject_text(struct st *s, int eclass, int code, const char *dsn, const char *text, size_t tlen);
int check_reject(struct st *s, int eclass, int code, const char *dsn, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
int server_error(struct st *s);
int unknown(struct st *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void defer_if(struct st *s, struct defer *d, int eclass, int code, const char *dsn,
	 const char *fmt, ...) __attribute__((format(printf, 6, 7)));
int defer_if_permit(struct st *s, int code, const char *dsn, const char *fmt, const char *a1,
		const char *a2, const char *a3); int
code_param(struct maincf *cf, const char *name, int def);

/* explain_kv.c */
int kv_put(struct kvtab *t, const char *k, size_t kl, const char *v, size_t vl, unsigned line,
       bool with_val); const struct kvent *
kv_get(const struct kvtab *t, const char *k, size_t kl);
void kv_free(struct kvtab *t);
int li_reserve(struct lineidx *li, size_t n);
int li_finish(struct lineidx *li);
unsigned li_get(const struct lineidx *li, uint64_t h);
void li_free(struct lineidx *li);
const char * fold_key(const char *key, size_t kl, char *buf, size_t size, char **heap, size_t *outl);
int kvload_fn(void *ctx, const struct kv_entry *e);
int build_line_index(struct xtable *t);

/* explain_table.c */
void xt_free(struct xtable *t);
struct xtable * open_table(struct explain *ex, const char *ref);
int xt_find(struct st *s, struct xtable *t, const char *key, bool partial, const char **val,
	struct hit *h);

/* explain_lists.c */
bool parse_ip(const char *s, int *family, unsigned char *out);
bool net_match(int fam, const unsigned char *net, unsigned bits, int afam, const unsigned char *a);
bool parse_net(const char *s, int *fam, unsigned char *net, unsigned *bits);
int words_add(struct words *w, const char *s, size_t n);
void words_free(struct words *w);
int words_split(struct words *w, const char *s);
/* words_restriction - restriction_find of item I, looked up once per list */
const struct restriction *words_restriction(struct words *w, size_t i);
struct words * param_words(struct explain *ex, const char *name);
int list_match_domain(struct st *s, const char *param, const char *domain, bool parent);
bool is_my_interface_literal(struct explain *ex, const char *lit);
int namadr_match(struct st *s, const char *param, const char *name, const char *addr);
int reject_invalid_hostaddr(struct st *s, const char *addr, const char *reply_name,
			enum access_ctx ctx); int
reject_invalid_hostname(struct st *s, const char *name, const char *reply_name,
			enum access_ctx ctx); int
reject_non_fqdn_hostname(struct st *s, const char *name, const char *reply_name,
			 enum access_ctx ctx); int
reject_non_fqdn_address(struct st *s, const char *addr, const char *reply_name,
			enum access_ctx ctx);

/* explain_access.c */
const char * ctxcls(enum access_ctx c);
int check_access(struct st *s, struct xtable *t, const char *name, int *found,
	     const char *reply_name, enum access_ctx ctx, const char *def_acl); bool
valid_hostaddr(const char *s);
int check_domain_access(struct st *s, struct xtable *t, const char *domain, bool partial,
		    int *found, const char *reply_name, enum access_ctx ctx, const char *def_acl); int
check_namadr_access(struct st *s, struct xtable *t, const char *name, const char *addr,
		    const char *reply_name, enum access_ctx ctx, const char *def_acl); void
resolve_addr(struct explain *ex, const char *addr, struct strbuf *out);
int resolve_class(struct st *s, const char *addr, bool *routed);
int check_mail_access(struct st *s, struct xtable *t, const char *addr, int *found,
		  const char *reply_name, enum access_ctx ctx, const char *def_acl); int
permit_auth_destination(struct st *s, const char *recipient);
int check_rcpt_maps(struct st *s, const char *recipient, enum access_ctx ctx);

/* explain_restrict.c */
struct words * find_class(struct explain *ex, const char *name);
int generic_checks(struct st *s, struct words *list, const char *reply_name, enum access_ctx ctx,
	       const char *def_acl);

#endif
