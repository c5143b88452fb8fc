/* Decoding ASN1Subject, GeneralName, CsrExtensions and ApiPassthrough from
 * request JSON (spec pca.md §4; constraints from pca-model.md). A failed
 * decode frees what it allocated and leaves *out zeroed. */
#include "api/pca/shapes.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/jv.h"
#include "util/hex.h"

#define SHAPE_PATH  320
#define OID_PATTERN "([0-2])\\.([0-9]|([0-3][0-9]))((\\.([0-9]+)){0,126})"
#define DNQ_CHARSET "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'()+,-.?:/= "
#define LETTERS	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

/* A member path "prefix.name" (or "prefix.name.i" for list element i,
 * 1-based). Paths are for messages only: a deep one is cut, never an error. */
static const char *shape_path(char *buf, const char *prefix, const char *name, size_t index)
{
	int n = index > 0 ? snprintf(buf, SHAPE_PATH, "%s.%s.%zu", prefix, name, index)
			  : snprintf(buf, SHAPE_PATH, "%s.%s", prefix, name);
	if (n < 0)
		buf[0] = '\0';
	return buf;
}

/* Element i of a list, which must be an object. */
static int shape_elem(json_t *arr, size_t i, const char *path, json_t **out, struct cm_err *err)
{
	*out = json_array_get(arr, i);
	if (!json_is_object(*out))
		return cm_fail(err, CM_ERR_SERIALIZATION, "Member '%s' must be a JSON object",
			       path);
	return 0;
}

/* An optional or required OID string (model: length 0–64 and OID_PATTERN). */
static int shape_oid(json_t *obj, const char *prefix, const char *name, bool required,
		     const char **out, struct cm_err *err)
{
	char path[SHAPE_PATH];
	if (jv_string(obj, prefix, name, required, 0, 64, out, err) < 0)
		return -1;
	if (*out != NULL && !jv_is_oid(*out))
		return jv_fail_constraint(
		    err, shape_path(path, prefix, name, 0), *out,
		    "Member must satisfy regular expression pattern: " OID_PATTERN);
	return 0;
}

/* How many of the named members are present (and not null). */
static int shape_count_members(json_t *obj, const char *const *names)
{
	int n = 0;
	for (; *names != NULL; names++) {
		json_t *v = json_object_get(obj, *names);
		n += v != NULL && !json_is_null(v);
	}
	return n;
}

/* ---- ASN1Subject ---- */

static const struct {
	const char *name;
	size_t offset;
	size_t min, max;
	const char *charset; /* NULL: any */
	const char *pattern; /* for the message */
} shape_subject_members[] = {
    {"Country", offsetof(struct x509_subject, country), 2, 2, LETTERS, "[A-Za-z]{2}"},
    {"Organization", offsetof(struct x509_subject, organization), 0, 64, NULL, NULL},
    {"OrganizationalUnit", offsetof(struct x509_subject, organizational_unit), 0, 64, NULL, NULL},
    {"DistinguishedNameQualifier", offsetof(struct x509_subject, dn_qualifier), 0, 64, DNQ_CHARSET,
     "[a-zA-Z0-9'()+-.?:/= ]*"},
    {"State", offsetof(struct x509_subject, state), 0, 128, NULL, NULL},
    {"CommonName", offsetof(struct x509_subject, common_name), 0, 64, NULL, NULL},
    {"SerialNumber", offsetof(struct x509_subject, serial_number), 0, 64, DNQ_CHARSET,
     "[a-zA-Z0-9'()+-.?:/= ]*"},
    {"Locality", offsetof(struct x509_subject, locality), 0, 128, NULL, NULL},
    {"Title", offsetof(struct x509_subject, title), 0, 64, NULL, NULL},
    {"Surname", offsetof(struct x509_subject, surname), 0, 40, NULL, NULL},
    {"GivenName", offsetof(struct x509_subject, given_name), 0, 16, NULL, NULL},
    {"Initials", offsetof(struct x509_subject, initials), 0, 5, NULL, NULL},
    {"Pseudonym", offsetof(struct x509_subject, pseudonym), 0, 128, NULL, NULL},
    {"GenerationQualifier", offsetof(struct x509_subject, generation_qualifier), 0, 3, NULL, NULL},
};

#define SHAPE_N_SUBJECT (sizeof(shape_subject_members) / sizeof(shape_subject_members[0]))

static int shape_custom_attrs(json_t *obj, const char *path, struct x509_subject *out,
			      struct cm_err *err)
{
	char p[SHAPE_PATH];
	json_t *arr = NULL, *el;
	if (jv_array(obj, path, "CustomAttributes", false, 1, 150, &arr, err) < 0)
		return -1;
	if (arr == NULL)
		return 0;
	out->custom = calloc(json_array_size(arr), sizeof(*out->custom));
	if (out->custom == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	out->n_custom = json_array_size(arr);
	for (size_t i = 0; i < out->n_custom; i++) {
		shape_path(p, path, "CustomAttributes", i + 1);
		if (shape_elem(arr, i, p, &el, err) < 0 ||
		    shape_oid(el, p, "ObjectIdentifier", true, &out->custom[i].oid, err) < 0 ||
		    jv_string(el, p, "Value", true, 1, 256, &out->custom[i].value, err) < 0)
			return -1;
	}
	return 0;
}

static int shape_subject(json_t *obj, const char *path, struct x509_subject *out,
			 struct cm_err *err)
{
	char p[SHAPE_PATH];
	size_t n_std = 0;
	for (size_t i = 0; i < SHAPE_N_SUBJECT; i++) {
		const char **dst = (const char **)((char *)out + shape_subject_members[i].offset);
		if (jv_string(obj, path, shape_subject_members[i].name, false,
			      shape_subject_members[i].min, shape_subject_members[i].max, dst,
			      err) < 0)
			return -1;
		if (*dst != NULL && shape_subject_members[i].charset != NULL &&
		    !jv_is_in_charset(*dst, shape_subject_members[i].charset)) {
			char msg[128];
			snprintf(msg, sizeof(msg),
				 "Member must satisfy regular expression pattern: %s",
				 shape_subject_members[i].pattern);
			return jv_fail_constraint(
			    err, shape_path(p, path, shape_subject_members[i].name, 0), *dst, msg);
		}
		n_std += *dst != NULL && (*dst)[0] != '\0';
	}
	if (shape_custom_attrs(obj, path, out, err) < 0)
		return -1;
	if (n_std > 0 && out->n_custom > 0)
		return cm_fail(
		    err, CM_ERR_INVALID_ARGS,
		    "%s: CustomAttributes cannot be combined with other subject attributes", path);
	return 0;
}

int pca_shape_subject_decode(json_t *obj, const char *path, struct x509_subject *out,
			     struct cm_err *err)
{
	memset(out, 0, sizeof(*out));
	if (!json_is_object(obj))
		return cm_fail(err, CM_ERR_SERIALIZATION, "Member '%s' must be a JSON object",
			       path);
	if (shape_subject(obj, path, out, err) < 0) {
		pca_shape_subject_free(out);
		return -1;
	}
	return 0;
}

void pca_shape_subject_free(struct x509_subject *s)
{
	if (s == NULL)
		return;
	free(s->custom);
	memset(s, 0, sizeof(*s));
}

/* ---- GeneralName ---- */

static const char *const shape_gn_members[] = {
    "OtherName",     "Rfc822Name",   "DnsName",
    "DirectoryName", "EdiPartyName", "UniformResourceIdentifier",
    "IpAddress",     "RegisteredId", NULL,
};

static int shape_ip(const char *path, const char *v, struct cm_err *err)
{
	unsigned char buf[16];
	if (inet_pton(AF_INET, v, buf) == 1 || inet_pton(AF_INET6, v, buf) == 1)
		return 0;
	return cm_fail(err, CM_ERR_INVALID_ARGS,
		       "%s.IpAddress '%.39s' is not an IPv4 or IPv6 address", path, v);
}

static int shape_gn_object(json_t *obj, const char *path, struct x509_general_name *out,
			   struct cm_err *err)
{
	char p[SHAPE_PATH];
	json_t *sub = NULL;
	if (jv_object(obj, path, "OtherName", false, &sub, err) < 0)
		return -1;
	if (sub != NULL) {
		out->kind = X509_GN_OTHER_NAME;
		shape_path(p, path, "OtherName", 0);
		return shape_oid(sub, p, "TypeId", true, &out->type_id, err) < 0 ||
			       jv_string(sub, p, "Value", true, 0, 256, &out->value, err) < 0
			   ? -1
			   : 0;
	}
	if (jv_object(obj, path, "EdiPartyName", false, &sub, err) < 0)
		return -1;
	if (sub != NULL) {
		out->kind = X509_GN_EDI_PARTY;
		shape_path(p, path, "EdiPartyName", 0);
		return jv_string(sub, p, "PartyName", true, 0, 256, &out->value, err) < 0 ||
			       jv_string(sub, p, "NameAssigner", false, 0, 256, &out->name_assigner,
					 err) < 0
			   ? -1
			   : 0;
	}
	if (jv_object(obj, path, "DirectoryName", false, &sub, err) < 0)
		return -1;
	if (sub != NULL) {
		out->kind = X509_GN_DIRECTORY;
		return shape_subject(sub, shape_path(p, path, "DirectoryName", 0), &out->directory,
				     err);
	}
	return 1; /* not an object kind */
}

static int shape_general_name(json_t *obj, const char *path, struct x509_general_name *out,
			      struct cm_err *err)
{
	static const struct {
		const char *name;
		enum x509_gn_kind kind;
		size_t max;
	} text[] = {
	    {"Rfc822Name", X509_GN_RFC822, 256},
	    {"DnsName", X509_GN_DNS, 253},
	    {"UniformResourceIdentifier", X509_GN_URI, 253},
	    {"IpAddress", X509_GN_IP, 39},
	};
	if (shape_count_members(obj, shape_gn_members) != 1)
		return cm_fail(err, CM_ERR_INVALID_ARGS,
			       "%s must have exactly one member of the GeneralName union", path);
	int rc = shape_gn_object(obj, path, out, err);
	if (rc <= 0)
		return rc;
	for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++) {
		if (jv_string(obj, path, text[i].name, false, 0, text[i].max, &out->value, err) < 0)
			return -1;
		if (out->value != NULL) {
			out->kind = text[i].kind;
			return out->kind == X509_GN_IP ? shape_ip(path, out->value, err) : 0;
		}
	}
	out->kind = X509_GN_REGISTERED_ID;
	return shape_oid(obj, path, "RegisteredId", true, &out->value, err);
}

int pca_shape_general_name_decode(json_t *obj, const char *path, struct x509_general_name *out,
				  struct cm_err *err)
{
	memset(out, 0, sizeof(*out));
	if (!json_is_object(obj))
		return cm_fail(err, CM_ERR_SERIALIZATION, "Member '%s' must be a JSON object",
			       path);
	if (shape_general_name(obj, path, out, err) < 0) {
		pca_shape_general_name_free(out);
		return -1;
	}
	return 0;
}

void pca_shape_general_name_free(struct x509_general_name *gn)
{
	if (gn == NULL)
		return;
	pca_shape_subject_free(&gn->directory);
	memset(gn, 0, sizeof(*gn));
}

/* A list of GeneralName into a new array (*out, *n set even on failure, for freeing). */
static int shape_general_names(json_t *arr, const char *path, const char *name,
			       struct x509_general_name **out, size_t *n, struct cm_err *err)
{
	char p[SHAPE_PATH];
	json_t *el;
	*out = calloc(json_array_size(arr), sizeof(**out));
	if (*out == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	*n = json_array_size(arr);
	for (size_t i = 0; i < *n; i++) {
		shape_path(p, path, name, i + 1);
		if (shape_elem(arr, i, p, &el, err) < 0 ||
		    shape_general_name(el, p, &(*out)[i], err) < 0)
			return -1;
	}
	return 0;
}

/* ---- KeyUsage ---- */

static int shape_key_usage(json_t *obj, const char *path, bool *has, unsigned *bits,
			   struct cm_err *err)
{
	json_t *ku = NULL;
	char p[SHAPE_PATH];
	if (jv_object(obj, path, "KeyUsage", false, &ku, err) < 0)
		return -1;
	*has = ku != NULL;
	*bits = 0;
	if (ku == NULL)
		return 0;
	shape_path(p, path, "KeyUsage", 0);
	for (unsigned i = 0; i < X509_KU_BITS; i++) {
		bool v = false;
		if (jv_bool(ku, p, x509_ku_member_name(i), false, &v, NULL, err) < 0)
			return -1;
		*bits |= v ? 1u << i : 0;
	}
	return 0;
}

/* ---- CsrExtensions ---- */

static int shape_access_description(json_t *el, const char *path,
				    struct x509_access_description *ad, struct cm_err *err)
{
	static const char *const methods[] = {"CustomObjectIdentifier", "AccessMethodType", NULL};
	static const char *const types[] = {"CA_REPOSITORY", "RESOURCE_PKI_MANIFEST",
					    "RESOURCE_PKI_NOTIFY", NULL};
	json_t *method = NULL, *loc = NULL;
	char p[SHAPE_PATH];
	int type = 0;
	bool has_type = false;
	if (jv_object(el, path, "AccessMethod", true, &method, err) < 0 ||
	    jv_object(el, path, "AccessLocation", true, &loc, err) < 0)
		return -1;
	shape_path(p, path, "AccessMethod", 0);
	if (shape_count_members(method, methods) != 1)
		return cm_fail(err, CM_ERR_INVALID_ARGS,
			       "%s must have exactly one of CustomObjectIdentifier and "
			       "AccessMethodType",
			       p);
	if (shape_oid(method, p, "CustomObjectIdentifier", false, &ad->method_oid, err) < 0 ||
	    jv_enum(method, p, "AccessMethodType", false, types, &type, &has_type, err) < 0)
		return -1;
	if (has_type)
		ad->method_oid = x509_access_method_oid(types[type]);
	return shape_general_name(loc, shape_path(p, path, "AccessLocation", 0), &ad->location,
				  err);
}

static int shape_csr_extensions(json_t *obj, const char *path, struct x509_csr_extensions *out,
				struct cm_err *err)
{
	json_t *arr = NULL, *el;
	char p[SHAPE_PATH];
	if (shape_key_usage(obj, path, &out->has_key_usage, &out->key_usage, err) < 0 ||
	    jv_array(obj, path, "SubjectInformationAccess", false, 0, 1000, &arr, err) < 0)
		return -1;
	if (arr == NULL || json_array_size(arr) == 0)
		return 0;
	out->sia = calloc(json_array_size(arr), sizeof(*out->sia));
	if (out->sia == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	out->n_sia = json_array_size(arr);
	for (size_t i = 0; i < out->n_sia; i++) {
		shape_path(p, path, "SubjectInformationAccess", i + 1);
		if (shape_elem(arr, i, p, &el, err) < 0 ||
		    shape_access_description(el, p, &out->sia[i], err) < 0)
			return -1;
	}
	return 0;
}

int pca_shape_csr_extensions_decode(json_t *obj, const char *path, struct x509_csr_extensions *out,
				    struct cm_err *err)
{
	memset(out, 0, sizeof(*out));
	if (!json_is_object(obj))
		return cm_fail(err, CM_ERR_SERIALIZATION, "Member '%s' must be a JSON object",
			       path);
	if (shape_csr_extensions(obj, path, out, err) < 0) {
		pca_shape_csr_extensions_free(out);
		return -1;
	}
	return 0;
}

void pca_shape_csr_extensions_free(struct x509_csr_extensions *ext)
{
	if (ext == NULL)
		return;
	for (size_t i = 0; i < ext->n_sia; i++)
		pca_shape_general_name_free(&ext->sia[i].location);
	free(ext->sia);
	memset(ext, 0, sizeof(*ext));
}

/* ---- ApiPassthrough ---- */

static int shape_policy(json_t *el, const char *path, struct x509_policy *pol, struct cm_err *err)
{
	static const char *const qualifier_ids[] = {"CPS", NULL};
	json_t *arr = NULL, *q, *qual = NULL;
	char p[SHAPE_PATH], qp[SHAPE_PATH];
	int id = 0;
	if (shape_oid(el, path, "CertPolicyId", true, &pol->policy_oid, err) < 0 ||
	    jv_array(el, path, "PolicyQualifiers", false, 1, 20, &arr, err) < 0)
		return -1;
	if (arr == NULL)
		return 0;
	pol->cps_uris = calloc(json_array_size(arr), sizeof(*pol->cps_uris));
	if (pol->cps_uris == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	pol->n_cps = json_array_size(arr);
	for (size_t i = 0; i < pol->n_cps; i++) {
		shape_path(p, path, "PolicyQualifiers", i + 1);
		if (shape_elem(arr, i, p, &q, err) < 0 ||
		    jv_enum(q, p, "PolicyQualifierId", true, qualifier_ids, &id, NULL, err) < 0 ||
		    jv_object(q, p, "Qualifier", true, &qual, err) < 0 ||
		    jv_string(qual, shape_path(qp, p, "Qualifier", 0), "CpsUri", true, 0, 256,
			      &pol->cps_uris[i], err) < 0)
			return -1;
	}
	return 0;
}

static int shape_policies(json_t *ext, const char *path, struct x509_passthrough *out,
			  struct cm_err *err)
{
	json_t *arr = NULL, *el;
	char p[SHAPE_PATH];
	if (jv_array(ext, path, "CertificatePolicies", false, 1, 20, &arr, err) < 0)
		return -1;
	if (arr == NULL)
		return 0;
	out->policies = calloc(json_array_size(arr), sizeof(*out->policies));
	if (out->policies == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	out->n_policies = json_array_size(arr);
	for (size_t i = 0; i < out->n_policies; i++) {
		shape_path(p, path, "CertificatePolicies", i + 1);
		if (shape_elem(arr, i, p, &el, err) < 0 ||
		    shape_policy(el, p, &out->policies[i], err) < 0)
			return -1;
	}
	return 0;
}

static int shape_ekus(json_t *ext, const char *path, struct x509_passthrough *out,
		      struct cm_err *err)
{
	static const char *const members[] = {"ExtendedKeyUsageType",
					      "ExtendedKeyUsageObjectIdentifier", NULL};
	static const char *const types[] = {"SERVER_AUTH",
					    "CLIENT_AUTH",
					    "CODE_SIGNING",
					    "EMAIL_PROTECTION",
					    "TIME_STAMPING",
					    "OCSP_SIGNING",
					    "SMART_CARD_LOGIN",
					    "DOCUMENT_SIGNING",
					    "CERTIFICATE_TRANSPARENCY",
					    NULL};
	json_t *arr = NULL, *el;
	char p[SHAPE_PATH];
	if (jv_array(ext, path, "ExtendedKeyUsage", false, 1, 20, &arr, err) < 0)
		return -1;
	if (arr == NULL)
		return 0;
	out->eku = calloc(json_array_size(arr), sizeof(*out->eku));
	if (out->eku == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	out->n_eku = json_array_size(arr);
	for (size_t i = 0; i < out->n_eku; i++) {
		int type = 0;
		bool has_type = false;
		shape_path(p, path, "ExtendedKeyUsage", i + 1);
		if (shape_elem(arr, i, p, &el, err) < 0)
			return -1;
		if (shape_count_members(el, members) != 1)
			return cm_fail(err, CM_ERR_INVALID_ARGS,
				       "%s must have exactly one of ExtendedKeyUsageType and "
				       "ExtendedKeyUsageObjectIdentifier",
				       p);
		if (jv_enum(el, p, "ExtendedKeyUsageType", false, types, &type, &has_type, err) <
			0 ||
		    shape_oid(el, p, "ExtendedKeyUsageObjectIdentifier", false, &out->eku[i], err) <
			0)
			return -1;
		if (has_type)
			out->eku[i] = x509_eku_type_oid(types[type]);
	}
	return 0;
}

/* CustomExtension.Value: base64 text of the DER extension value, decoded here. */
static int shape_custom_ext(json_t *el, const char *path, struct x509_custom_ext *c,
			    struct cm_err *err)
{
	const char *b64 = NULL;
	char p[SHAPE_PATH];
	if (shape_oid(el, path, "ObjectIdentifier", true, &c->oid, err) < 0 ||
	    jv_string(el, path, "Value", true, 1, 4096, &b64, err) < 0 ||
	    jv_bool(el, path, "Critical", false, &c->critical, NULL, err) < 0)
		return -1;
	size_t n = strlen(b64);
	c->value = malloc(n / 4 * 3 + 3);
	if (c->value == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	long len = b64_decode_strict(b64, n, c->value, n / 4 * 3 + 3);
	if (len <= 0)
		return jv_fail_constraint(err, shape_path(p, path, "Value", 0), b64,
					  "Member must satisfy regular expression pattern: "
					  "(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|"
					  "[A-Za-z0-9+/]{3}=)?");
	c->value_len = (size_t)len;
	return 0;
}

static int shape_customs(json_t *ext, const char *path, struct x509_passthrough *out,
			 struct cm_err *err)
{
	json_t *arr = NULL, *el;
	char p[SHAPE_PATH];
	if (jv_array(ext, path, "CustomExtensions", false, 1, 150, &arr, err) < 0)
		return -1;
	if (arr == NULL)
		return 0;
	out->custom = calloc(json_array_size(arr), sizeof(*out->custom));
	if (out->custom == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	out->n_custom = json_array_size(arr);
	for (size_t i = 0; i < out->n_custom; i++) {
		shape_path(p, path, "CustomExtensions", i + 1);
		if (shape_elem(arr, i, p, &el, err) < 0 ||
		    shape_custom_ext(el, p, &out->custom[i], err) < 0)
			return -1;
		for (size_t k = 0; k < i; k++)
			if (strcmp(out->custom[k].oid, out->custom[i].oid) == 0)
				return cm_fail(err, CM_ERR_INVALID_ARGS,
					       "%s: extension %s is given more than once", p,
					       out->custom[i].oid);
	}
	return 0;
}

static int shape_passthrough(json_t *obj, const char *path, struct x509_passthrough *out,
			     struct cm_err *err)
{
	json_t *ext = NULL, *subject = NULL, *san = NULL;
	char p[SHAPE_PATH];
	if (jv_object(obj, path, "Subject", false, &subject, err) < 0 ||
	    jv_object(obj, path, "Extensions", false, &ext, err) < 0)
		return -1;
	if (subject != NULL) {
		out->has_subject = true;
		if (shape_subject(subject, shape_path(p, path, "Subject", 0), &out->subject, err) <
		    0)
			return -1;
	}
	if (ext == NULL)
		return 0;
	shape_path(p, path, "Extensions", 0);
	if (shape_policies(ext, p, out, err) < 0 || shape_ekus(ext, p, out, err) < 0 ||
	    shape_key_usage(ext, p, &out->has_key_usage, &out->key_usage, err) < 0 ||
	    jv_array(ext, p, "SubjectAlternativeNames", false, 1, 150, &san, err) < 0)
		return -1;
	if (san != NULL &&
	    shape_general_names(san, p, "SubjectAlternativeNames", &out->san, &out->n_san, err) < 0)
		return -1;
	return shape_customs(ext, p, out, err);
}

int pca_shape_passthrough_decode(json_t *obj, const char *path, struct x509_passthrough *out,
				 struct cm_err *err)
{
	memset(out, 0, sizeof(*out));
	if (!json_is_object(obj))
		return cm_fail(err, CM_ERR_SERIALIZATION, "Member '%s' must be a JSON object",
			       path);
	if (shape_passthrough(obj, path, out, err) < 0) {
		pca_shape_passthrough_free(out);
		return -1;
	}
	return 0;
}

void pca_shape_passthrough_free(struct x509_passthrough *p)
{
	if (p == NULL)
		return;
	pca_shape_subject_free(&p->subject);
	free(p->eku);
	for (size_t i = 0; i < p->n_san; i++)
		pca_shape_general_name_free(&p->san[i]);
	free(p->san);
	for (size_t i = 0; i < p->n_policies; i++)
		free(p->policies[i].cps_uris);
	free(p->policies);
	for (size_t i = 0; i < p->n_custom; i++)
		free(p->custom[i].value);
	free(p->custom);
	memset(p, 0, sizeof(*p));
}
