/* Audit reports (spec pca.md §5.14, §6.9). The report is written while the
 * request waits: the certificates stream from the store one row at a time
 * (store_cert_each over the (ca_id, serial) key) into a temporary file that
 * is renamed into place, so a reader never sees half a report and memory
 * stays flat however many certificates the CA issued. */
#include "pca/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"
#include "x509/info.h"
#include "x509/pem.h"

#define PCA_ACM_PRINCIPAL  "acm.amazonaws.com"
#define PCA_AUDIT_PATH_MAX 4096

static const char pca_audit_csv_header[] =
    "awsAccountId,requestedByServicePrincipal,certificateArn,serial,subject,notBefore,"
    "notAfter,issuedAt,revokedAt,revocationReason,templateArn\n";

bool pca_audit_bucket_ok(const char *name)
{
	size_t n = strlen(name);
	int dots = 0, digits_only_labels = 0, labels = 1;
	bool label_digits = true;
	if (n < 3 || n > 63 || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789.-") != n)
		return false;
	if (strchr(".-", name[0]) != NULL || strchr(".-", name[n - 1]) != NULL ||
	    strstr(name, "..") != NULL)
		return false;
	for (const char *p = name; *p != '\0'; p++) {
		if (*p == '.') {
			dots++;
			labels++;
			digits_only_labels += label_digits;
			label_digits = true;
		} else if (*p < '0' || *p > '9') {
			label_digits = false;
		}
	}
	digits_only_labels += label_digits;
	/* 192.168.5.4 looks like an IP address: S3 refuses it. */
	return !(dots == 3 && digits_only_labels == labels);
}

void pca_audit_csv_field(FILE *f, const char *s)
{
	if (s == NULL)
		return;
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* YYYY-MM-DDTHH:MM:SS+0000, the report's time format. */
static void pca_audit_time(int64_t t, char buf[32])
{
	struct tm tm;
	time_t tt = (time_t)t;
	buf[0] = '\0';
	if (gmtime_r(&tt, &tm) != NULL)
		strftime(buf, 32, "%Y-%m-%dT%H:%M:%S+0000", &tm);
}

/* Lowercase hex → colon hex ("0a1b" → "0a:1b"). */
static void pca_audit_colon_serial(const char *hex, char *out, size_t size)
{
	size_t o = 0;
	for (size_t i = 0; hex[i] != '\0' && hex[i + 1] != '\0' && o + 3 < size; i += 2) {
		if (o > 0)
			out[o++] = ':';
		out[o++] = hex[i];
		out[o++] = hex[i + 1];
	}
	out[o] = '\0';
}

struct pca_audit_writer {
	FILE *f;
	bool csv;
	bool first;
	char ca_arn[ARN_MAX];
	struct cm_err *err;
};

/* One record's fields in the header's order; NULL = absent. */
enum {
	F_ACCOUNT,
	F_PRINCIPAL,
	F_ARN,
	F_SERIAL,
	F_SUBJECT,
	F_NOT_BEFORE,
	F_NOT_AFTER,
	F_ISSUED,
	F_REVOKED,
	F_REASON,
	F_TEMPLATE,
	F__COUNT
};
static const char *const pca_audit_names[F__COUNT] = {
    "awsAccountId",   "requestedByServicePrincipal",
    "certificateArn", "serial",
    "subject",	      "notBefore",
    "notAfter",	      "issuedAt",
    "revokedAt",      "revocationReason",
    "templateArn"};

static void pca_audit_emit(struct pca_audit_writer *w, const char *const v[F__COUNT])
{
	if (w->csv) {
		for (int i = 0; i < F__COUNT; i++) {
			if (i > 0)
				fputc(',', w->f);
			pca_audit_csv_field(w->f, v[i]);
		}
		fputc('\n', w->f);
		return;
	}
	json_t *obj = json_object();
	for (int i = 0; i < F__COUNT; i++)
		if (v[i] != NULL)
			json_object_set_new(obj, pca_audit_names[i], json_string(v[i]));
	fputs(w->first ? "\n" : ",\n", w->f);
	json_dumpf(obj, w->f, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(obj);
	w->first = false;
}

static int pca_audit_row(void *p, const struct store_cert_row *row)
{
	struct pca_audit_writer *w = p;
	struct x509_cert_info info = {0};
	char arn[ARN_MAX + 80], serial[X509_SERIAL_COLON_MAX + 4];
	char nb[32], na[32], issued[32], revoked[32];
	if (row->der == NULL)
		return 0; /* a serial reserved but never signed was never issued */
	X509 *cert = x509_cert_from_der(row->der, row->der_len, w->err);
	if (cert == NULL || x509_cert_info_get(cert, &info, w->err) < 0) {
		X509_free(cert);
		x509_cert_info_clear(&info);
		return -1;
	}
	arn_format_pca_certificate(arn, sizeof(arn), w->ca_arn, row->serial);
	pca_audit_colon_serial(row->serial, serial, sizeof(serial));
	pca_audit_time(row->not_before, nb);
	pca_audit_time(row->not_after, na);
	pca_audit_time(row->issued_at, issued);
	pca_audit_time(row->revoked_at, revoked);
	bool by_acm = strcmp(row->requester, PCA_ACM_PRINCIPAL) == 0;
	const char *v[F__COUNT] = {row->account_id,
				   by_acm ? PCA_ACM_PRINCIPAL : NULL,
				   arn,
				   serial,
				   info.subject,
				   nb,
				   na,
				   issued,
				   row->revoked_at != 0 ? revoked : NULL,
				   row->revoked_at != 0 ? row->revocation_reason : NULL,
				   row->template_arn};
	pca_audit_emit(w, v);
	X509_free(cert);
	x509_cert_info_clear(&info);
	return ferror(w->f) ? -1 : 0;
}

/* mkdir -p, 0700 like the data folder: reports are the operator's. */
static int pca_audit_mkdirs(char *path)
{
	for (char *p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		int rc = mkdir(path, 0700);
		*p = '/';
		if (rc < 0 && errno != EEXIST)
			return -1;
	}
	return mkdir(path, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

/* Writes the whole report to a temporary file, syncs and renames it. */
static int pca_audit_write(const struct pca_ctx *ctx, const struct store_ca *ca, const char *path,
			   bool csv, struct cm_err *err)
{
	char tmp[PCA_AUDIT_PATH_MAX + 8];
	struct pca_audit_writer w = {.csv = csv, .first = true, .err = err};
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	w.f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (w.f == NULL) {
		if (fd >= 0)
			close(fd);
		return cm_fail(err, CM_ERR_REQUEST_FAILED, "cannot write the audit report");
	}
	pca_ca_arn(ctx, ca, w.ca_arn, sizeof(w.ca_arn));
	fputs(csv ? pca_audit_csv_header : "[", w.f);
	int rc = store_cert_each(ctx->store, ca->id, pca_audit_row, &w, err);
	if (!csv)
		fputs(w.first ? "]\n" : "\n]\n", w.f);
	if (rc == 0 && (fflush(w.f) != 0 || ferror(w.f) || fsync(fileno(w.f)) != 0))
		rc = cm_fail(err, CM_ERR_REQUEST_FAILED, "cannot write the audit report");
	if (fclose(w.f) != 0 && rc == 0)
		rc = cm_fail(err, CM_ERR_REQUEST_FAILED, "cannot write the audit report");
	if (rc == 0 && rename(tmp, path) < 0)
		rc = cm_fail(err, CM_ERR_REQUEST_FAILED, "cannot write the audit report");
	if (rc != 0)
		unlink(tmp);
	return rc == 0 ? 0 : -1;
}

/* Records the report as CREATING unless one was started within the pace;
 * the transaction makes check and insert one step for concurrent callers. */
static int pca_audit_record(const struct pca_ctx *ctx, const struct store_audit_report *r,
			    struct cm_err *err)
{
	int64_t last = 0;
	if (store_begin(ctx->store, err) < 0)
		return -1;
	if (store_audit_last(ctx->store, r->ca_id, &last, err) < 0)
		goto rollback;
	if (last != 0 && ctx->now - last < PCA_AUDIT_PACE) {
		cm_fail(err, CM_ERR_REQUEST_IN_PROGRESS,
			"An audit report for this certificate authority was started less than 30 "
			"minutes ago");
		goto rollback;
	}
	if (store_audit_insert(ctx->store, r, err) < 0)
		goto rollback;
	return store_commit(ctx->store, err);
rollback:
	store_rollback(ctx->store);
	return -1;
}

/* Fills the record of a new report and makes its folder. */
static int pca_audit_prepare(const struct pca_ctx *ctx, const char *data_dir,
			     const struct store_ca *ca, const char *bucket, bool csv,
			     struct store_audit_report *r, char *path, struct cm_err *err)
{
	memset(r, 0, sizeof(*r));
	arn_uuid4(r->id);
	snprintf(r->ca_id, sizeof(r->ca_id), "%s", ca->id);
	snprintf(r->account_id, sizeof(r->account_id), "%s", ca->account_id);
	snprintf(r->bucket, sizeof(r->bucket), "%s", bucket);
	snprintf(r->s3_key, sizeof(r->s3_key), "audit-report/%s/%s.%s", ca->id, r->id,
		 csv ? "csv" : "json");
	snprintf(r->format, sizeof(r->format), "%s", csv ? "CSV" : "JSON");
	snprintf(r->status, sizeof(r->status), "CREATING");
	r->created_at = ctx->now;
	int n = snprintf(path, PCA_AUDIT_PATH_MAX, "%s/audit/%s/audit-report/%s", data_dir, bucket,
			 ca->id);
	if (n < 0 || n >= PCA_AUDIT_PATH_MAX - 64 || pca_audit_mkdirs(path) < 0)
		return cm_fail(err, CM_ERR_INVALID_ARGS,
			       "The folder for bucket %s cannot be created", bucket);
	snprintf(path + n, (size_t)(PCA_AUDIT_PATH_MAX - n), "/%s.%s", r->id, csv ? "csv" : "json");
	return 0;
}

int pca_audit_create(const struct pca_ctx *ctx, const char *data_dir, const char *arn,
		     const char *bucket, bool csv, char *id_out, char *key_out, size_t key_size,
		     struct cm_err *err)
{
	struct store_ca ca;
	struct store_audit_report r;
	char path[PCA_AUDIT_PATH_MAX];
	struct cm_err werr = {0};
	int rc = -1;
	if (pca_ca_load(ctx, arn, "CertificateAuthorityArn", &ca, err) < 0)
		return -1;
	if (pca_state_allows(PCA_OP_AUDIT_REPORT, pca_effective_status(&ca, ctx->now), err) < 0)
		goto out;
	if (data_dir == NULL || !pca_audit_bucket_ok(bucket)) {
		cm_fail(err, CM_ERR_INVALID_ARGS, "S3BucketName %.63s is not a valid bucket name",
			bucket);
		goto out;
	}
	if (pca_audit_prepare(ctx, data_dir, &ca, bucket, csv, &r, path, err) < 0 ||
	    pca_audit_record(ctx, &r, err) < 0)
		goto out;
	/* The report exists from here: a write failure is its FAILED status. */
	const char *status = "SUCCESS";
	if (pca_audit_write(ctx, &ca, path, csv, &werr) < 0) {
		status = "FAILED";
		log_event(LOG_ERROR, "audit report failed", "report", r.id, "error", werr.msg,
			  LOG_END);
	}
	if (store_audit_set_status(ctx->store, r.id, status, err) < 0)
		goto out;
	snprintf(id_out, 37, "%.36s", r.id);
	snprintf(key_out, key_size, "%s", r.s3_key);
	rc = 0;
out:
	store_ca_clear(&ca);
	return rc;
}

int pca_audit_describe(const struct pca_ctx *ctx, const char *arn, const char *id,
		       struct store_audit_report *out, struct cm_err *err)
{
	struct store_ca ca;
	if (pca_ca_load(ctx, arn, "CertificateAuthorityArn", &ca, err) < 0)
		return -1;
	int rc = pca_state_allows(PCA_OP_AUDIT_REPORT, pca_effective_status(&ca, ctx->now), err);
	if (rc == 0)
		rc = store_audit_get(ctx->store, ca.id, id, out, err);
	if (rc < 0 && err->code == CM_ERR_NOT_FOUND)
		cm_fail(err, CM_ERR_NOT_FOUND, "Could not find audit report %.40s", id);
	store_ca_clear(&ca);
	return rc;
}
