/* populate: fills a stopped server's data folder with many ACM certificates,
 * for the scale rows of `make bench`. It opens the folder the way `certain
 * serve` does (cli_open_data: keystore, database, migrations) and inserts
 * --count rows through store_acm_cert_insert, in transactions of 50,000 rows.
 * Every row copies one of the --template certificates (real ones the server
 * issued, so blobs, chain and JSON fields have their real sizes) with a new
 * id, serial, domain name and creation time; creation times are spread over
 * the last two years, oldest first, and the templates alternate by row.
 *
 * It prints one JSON line: {"inserted":N,"seconds":S,"rows_per_s":R,
 * "middle_id":ID,"middle_token":T}. middle_token is a ListCertificates
 * NextToken positioned right after the middle inserted row, made with the
 * server's own token key (keystore label and cursor "created_at|id" as in
 * cli/serve.c and acm/list.c), so a benchmark can ask for a page deep in the
 * list without paging there first. --sample FILE writes the ids of up to
 * --samples (default 1000) inserted rows, chosen uniformly, one per line.
 *
 * By default every row is due at the start of its renewal window
 * (scan_due_at = not_after - 60 days, as issuance sets it), so the first
 * scheduler pass on the folder has the whole past to catch up on: about half
 * the rows expire or enter their window in it. --settled writes instead what
 * a scheduler that has kept up leaves behind (src/lifecycle/scan.c,
 * scan_next_due with the default 45 days): rows past their not_after are
 * stored EXPIRED (out of the due index), rows inside their 60-day renewal
 * window are due at the next UTC midnight (and warned today when inside the
 * 45-day warning window), the rest at the start of their renewal window.
 *
 * usage: populate --data DIR --account ID --count N --template ID
 *                 [--template ID ...] [--sample FILE] [--samples K] [--settled] */
#include <getopt.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/token.h"
#include "cli/cli.h"
#include "keystore/keystore.h"
#include "store/store.h"

#define POP_MAX_TEMPLATES 4
#define POP_BATCH	  50000
#define POP_SPAN	  (2 * 365 * 86400LL) /* creation times cover two years */
#define POP_VALIDITY	  (395 * 86400LL)     /* ACM_PRIVATE_VALIDITY_DAYS */
#define POP_DAY		  86400LL
#define POP_RENEW_DAYS	  60 /* ACM_PRIVATE_RENEWAL_DAYS */
#define POP_WARN_DAYS	  45 /* ACM_DEFAULT_DAYS_BEFORE_EXPIRY */

struct pop_opts {
	const char *data, *account, *sample_file;
	const char *templates[POP_MAX_TEMPLATES];
	int n_templates;
	long count, samples;
	int settled;
};

static double pop_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int pop_parse(int argc, char **argv, struct pop_opts *o)
{
	static const struct option opts[] = {{"data", 1, 0, 'd'},   {"account", 1, 0, 'a'},
					     {"count", 1, 0, 'n'},  {"template", 1, 0, 't'},
					     {"sample", 1, 0, 's'}, {"samples", 1, 0, 'k'},
					     {"settled", 0, 0, 'S'}, {0, 0, 0, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->data = optarg;
			break;
		case 'a':
			o->account = optarg;
			break;
		case 'n':
			o->count = atol(optarg);
			break;
		case 's':
			o->sample_file = optarg;
			break;
		case 'k':
			o->samples = atol(optarg);
			break;
		case 'S':
			o->settled = 1;
			break;
		case 't':
			if (o->n_templates == POP_MAX_TEMPLATES)
				return -1;
			o->templates[o->n_templates++] = optarg;
			break;
		default:
			return -1;
		}
	}
	return o->data != NULL && o->account != NULL && o->count > 0 && o->n_templates > 0 &&
		       o->samples > 0
		   ? 0
		   : -1;
}

/* A random version 4 UUID, as the server makes them. */
static void pop_uuid(char out[37])
{
	unsigned char b[16];
	if (RAND_bytes(b, sizeof(b)) != 1)
		memset(b, 0x5a, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
}

/* Row i: the template's material under a new identity. Only the text fields
 * that name the certificate are replaced (buffers in bufs); every owned
 * pointer of c still belongs to the template, so c is never cleared. */
struct pop_bufs {
	char names[300], subject[300];
};

/* --settled: the row as a scheduler that has kept up leaves it. */
static void pop_settle(struct store_acm_cert *c, int64_t now)
{
	int64_t tomorrow = (now / POP_DAY + 1) * POP_DAY;
	if (c->not_after <= now) {
		snprintf(c->status, sizeof(c->status), "EXPIRED");
		return;
	}
	if (c->not_after - POP_RENEW_DAYS * POP_DAY > now)
		return; /* due at the start of its renewal window */
	c->scan_due_at = c->not_after < tomorrow ? c->not_after : tomorrow;
	if (c->not_after - POP_WARN_DAYS * POP_DAY <= now)
		c->expiry_warned_day = now / POP_DAY;
}

static void pop_row(const struct store_acm_cert *tmpl, long i, long count, int64_t now,
		    int settled, struct store_acm_cert *c, struct pop_bufs *b)
{
	*c = *tmpl;
	pop_uuid(c->id);
	c->created_at = now - POP_SPAN + (int64_t)(POP_SPAN * i / count);
	c->issued_at = c->created_at;
	c->not_before = c->created_at;
	c->not_after = c->created_at + POP_VALIDITY; /* older rows read EXPIRED, as they would */
	c->scan_due_at = c->not_after - 60 * 86400; /* as issuance sets it: the renewal window */
	c->expiry_warned_day = 0;
	c->action_required_days = 0;
	if (settled)
		pop_settle(c, now);
	snprintf(c->domain_name, sizeof(c->domain_name), "host-%ld.bench.example.com", i);
	snprintf(b->names, sizeof(b->names), "[\"%s\"]", c->domain_name);
	snprintf(b->subject, sizeof(b->subject), "CN=%s", c->domain_name);
	c->names_json = b->names;
	c->subject = b->subject;
	/* 16 bytes of colon hex from the id's random digits: unique like the real ones. */
	size_t n = 0;
	for (const char *p = c->id; *p != '\0' && n + 3 < sizeof(c->serial); p++) {
		if (*p == '-')
			continue;
		if (n > 0 && n % 3 == 2)
			c->serial[n++] = ':';
		c->serial[n++] = *p;
	}
	c->serial[n] = '\0';
	c->in_use = false;
	c->revision = 0;
}

/* The NextToken after row (created_at, id), keyed the way the server keys it. */
static char *pop_token(struct keystore *ks, const char *account, int64_t created_at, const char *id)
{
	unsigned char key[32];
	char cursor[96];
	if (keystore_derive(ks, "certain/next-token/v1", key) < 0)
		return NULL;
	snprintf(cursor, sizeof(cursor), "%lld|%s", (long long)created_at, id);
	char *token = token_encode(key, account, "ListCertificates", cursor);
	OPENSSL_cleanse(key, sizeof(key));
	return token;
}

/* Reservoir sampling: every inserted id has the same chance to be kept.
 * xorshift64 is plenty for picking rows. */
static void pop_sample(char (*sample)[40], long k, long seen, const char *id, uint64_t *rng)
{
	*rng ^= *rng << 13;
	*rng ^= *rng >> 7;
	*rng ^= *rng << 17;
	long slot = seen < k ? seen : (long)(*rng % (uint64_t)(seen + 1));
	if (slot < k)
		snprintf(sample[slot], 40, "%s", id);
}

static int pop_insert_all(const struct pop_opts *o, struct store *st,
			  const struct store_acm_cert *tmpl, char (*sample)[40],
			  struct store_acm_cert *middle)
{
	struct cm_err err = {0};
	int64_t now = (int64_t)time(NULL);
	uint64_t rng = (uint64_t)now | 1;
	for (long i = 0; i < o->count; i++) {
		struct store_acm_cert c;
		struct pop_bufs b;
		if (i % POP_BATCH == 0 && (i > 0 ? store_commit(st, &err) : 0) < 0)
			goto fail;
		if (i % POP_BATCH == 0 && store_begin(st, &err) < 0)
			goto fail;
		pop_row(&tmpl[i % o->n_templates], i, o->count, now, o->settled, &c, &b);
		if (store_acm_cert_insert(st, &c, &err) < 0)
			goto fail;
		pop_sample(sample, o->samples, i, c.id, &rng);
		if (i == o->count / 2) {
			snprintf(middle->id, sizeof(middle->id), "%s", c.id);
			middle->created_at = c.created_at;
		}
	}
	if (store_commit(st, &err) < 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "populate: %s\n", err.msg);
	store_rollback(st);
	return -1;
}

static int pop_write_sample(const char *path, char (*sample)[40], long n)
{
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return -1;
	for (long i = 0; i < n; i++)
		fprintf(f, "%s\n", sample[i]);
	return fclose(f);
}

int main(int argc, char **argv)
{
	struct pop_opts o = {.samples = 1000};
	struct store_acm_cert tmpl[POP_MAX_TEMPLATES], middle;
	struct keystore *ks = NULL;
	struct store *st = NULL;
	struct cm_err err = {0};
	char(*sample)[40] = NULL;
	char *token = NULL;
	int loaded = 0, rc = 1;
	memset(tmpl, 0, sizeof(tmpl));
	memset(&middle, 0, sizeof(middle));
	if (pop_parse(argc, argv, &o) < 0) {
		fprintf(stderr, "usage: see the comment at the top of bench/populate.c\n");
		return 2;
	}
	if (cli_open_data(o.data, 0, &ks, &st) < 0)
		return 1;
	for (; loaded < o.n_templates; loaded++) {
		if (store_acm_cert_get(st, o.account, o.templates[loaded], &tmpl[loaded], &err) <
		    0) {
			fprintf(stderr, "populate: template %s: %s\n", o.templates[loaded],
				err.msg);
			goto out;
		}
	}
	if (o.samples > o.count)
		o.samples = o.count;
	sample = calloc((size_t)o.samples, sizeof(*sample));
	double t0 = pop_now();
	if (sample == NULL || pop_insert_all(&o, st, tmpl, sample, &middle) < 0)
		goto out;
	double secs = pop_now() - t0;
	token = pop_token(ks, o.account, middle.created_at, middle.id);
	if (token == NULL ||
	    (o.sample_file != NULL && pop_write_sample(o.sample_file, sample, o.samples) < 0)) {
		fprintf(stderr, "populate: cannot make the token or write the sample\n");
		goto out;
	}
	printf("{\"inserted\":%ld,\"seconds\":%.3f,\"rows_per_s\":%.0f,\"middle_id\":\"%s\","
	       "\"middle_token\":\"%s\"}\n",
	       o.count, secs, (double)o.count / secs, middle.id, token);
	rc = 0;
out:
	free(token);
	free(sample);
	for (int i = 0; i < loaded; i++)
		store_acm_cert_clear(&tmpl[i]);
	store_close(st);
	keystore_close(ks);
	return rc;
}
