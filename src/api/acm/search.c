/* Handler: SearchCertificates (spec acm.md §5.14). Decodes the
 * FilterStatement union tree into the store's typed nodes (every union must
 * have exactly one member; acm/ hands out the nodes under its depth and size
 * limits), and encodes each hit as a CertificateSearchResult. Unlike
 * ListCertificates there is no default key-type filter. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "api/acm/common.h"
#include "api/acm/handlers.h"
#include "api/pca/common.h"
#include "aws/jv.h"
#include "aws/token.h"
#include "x509/dn.h"
#include "x509/leaf.h"
#include "x509/usage.h"

#define SEARCH_SCOPE "SearchCertificates"
#define PATH_MAX_LEN 256

static const char *const renewal_statuses[] = {"PENDING_AUTO_RENEWAL", "PENDING_VALIDATION",
					       "SUCCESS", "FAILED", NULL};
static const char *const types[] = {"IMPORTED", "AMAZON_ISSUED", "PRIVATE", NULL};
static const char *const comparison_ops[] = {"CONTAINS", "EQUALS", NULL};
/* In enum store_acm_sort order. */
static const char *const sort_by_values[] = {"CREATED_AT",
					     "NOT_AFTER",
					     "STATUS",
					     "RENEWAL_STATUS",
					     "EXPORTED",
					     "IN_USE",
					     "NOT_BEFORE",
					     "KEY_ALGORITHM",
					     "TYPE",
					     "CERTIFICATE_ARN",
					     "COMMON_NAME",
					     "REVOKED_AT",
					     "RENEWAL_ELIGIBILITY",
					     "ISSUED_AT",
					     "MANAGED_BY",
					     "EXPORT_OPTION",
					     "VALIDATION_METHOD",
					     "IMPORTED_AT",
					     NULL};

/* --- request ---------------------------------------------------------------- */

/* The index in members[] of the one member o sets; a union with none or
 * several is a ValidationException naming what was set. */
static int union_one(json_t *o, const char *path, const char *const *members, int *which,
		     struct cm_err *err)
{
	char set[256] = "";
	int n = 0;
	for (int i = 0; members[i] != NULL; i++) {
		json_t *v = json_object_get(o, members[i]);
		if (v == NULL || json_is_null(v))
			continue;
		*which = i;
		size_t used = strlen(set);
		snprintf(set + used, sizeof(set) - used, "%s%s", n > 0 ? "," : "", members[i]);
		n++;
	}
	if (n == 1)
		return 0;
	return jv_fail_constraint(err, path, set,
				  "Member must have exactly one member of the union set");
}

/* An enum member known to be present (union_one picked it). */
static int enum_of(json_t *o, const char *path, const char *name, const char *const *values,
		   const char **out, struct cm_err *err)
{
	int i = 0;
	if (jv_enum(o, path, name, true, values, &i, NULL, err) < 0)
		return -1;
	*out = values[i];
	return 0;
}

/* {Value, ComparisonOperator} of a CommonName or DnsName filter. */
static int decode_name(json_t *parent, const char *prefix, const char *name,
		       struct store_acm_search_node *n, struct cm_err *err)
{
	char path[PATH_MAX_LEN];
	json_t *o = NULL;
	const char *op = NULL;
	jv_path(path, sizeof(path), prefix, name);
	if (jv_object(parent, prefix, name, true, &o, err) < 0 ||
	    jv_string(o, path, "Value", true, 1, 256, &n->text, err) < 0 ||
	    enum_of(o, path, "ComparisonOperator", comparison_ops, &op, err) < 0)
		return -1;
	n->contains = strcmp(op, "CONTAINS") == 0;
	return 0;
}

/* Subject / SubjectAlternativeName: unions of one member each. */
static int decode_name_union(json_t *parent, const char *prefix, const char *name,
			     const char *member, struct store_acm_search_node *n,
			     struct cm_err *err)
{
	char path[PATH_MAX_LEN];
	const char *const members[] = {member, NULL};
	json_t *o = NULL;
	int which = 0;
	jv_path(path, sizeof(path), prefix, name);
	if (jv_object(parent, prefix, name, true, &o, err) < 0 ||
	    union_one(o, path, members, &which, err) < 0)
		return -1;
	return decode_name(o, path, member, n, err);
}

/* A timestamp bound: inclusive, so a fractional Start rounds up and a
 * fractional End down; far-off values are clamped, not refused. */
static int decode_bound(json_t *range, const char *path, const char *name, bool start, int64_t *out,
			struct cm_err *err)
{
	char full[PATH_MAX_LEN];
	json_t *v = json_object_get(range, name);
	*out = start ? INT64_MIN : INT64_MAX;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_number(v))
		return cm_fail(err, CM_ERR_SERIALIZATION, "Member '%s' must be a JSON number",
			       jv_path(full, sizeof(full), path, name));
	double d = start ? ceil(json_number_value(v)) : floor(json_number_value(v));
	const double lim = 4e18;
	*out = d < -lim ? -(int64_t)lim : d > lim ? (int64_t)lim : (int64_t)d;
	return 0;
}

static int decode_range(json_t *parent, const char *prefix, const char *name,
			struct store_acm_search_node *n, struct cm_err *err)
{
	char path[PATH_MAX_LEN];
	json_t *o = NULL;
	jv_path(path, sizeof(path), prefix, name);
	if (jv_object(parent, prefix, name, true, &o, err) < 0 ||
	    decode_bound(o, path, "Start", true, &n->start, err) < 0 ||
	    decode_bound(o, path, "End", false, &n->end, err) < 0)
		return -1;
	return 0;
}

/* [0-9a-f]{2}(:[0-9a-f]{2}){1,19} */
static bool serial_pattern_ok(const char *s)
{
	size_t len = strlen(s);
	if (len < 5 || len > 59 || (len + 1) % 3 != 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		bool colon = i % 3 == 2;
		if (colon ? s[i] != ':' : strchr("0123456789abcdef", s[i]) == NULL)
			return false;
	}
	return true;
}

static int decode_serial(json_t *o, const char *path, struct store_acm_search_node *n,
			 struct cm_err *err)
{
	char full[PATH_MAX_LEN];
	if (jv_string(o, path, "SerialNumber", true, 2, 59, &n->text, err) < 0)
		return -1;
	if (!serial_pattern_ok(n->text))
		return jv_fail_constraint(err, jv_path(full, sizeof(full), path, "SerialNumber"),
					  n->text,
					  "Member must satisfy regular expression pattern: "
					  "[0-9a-f]{2}(:[0-9a-f]{2}){1,19}");
	return 0;
}

/* KeyUsageName ANY: any key usage at all; CUSTOM has no bit, so it matches
 * nothing (Certain records only the nine named bits). */
static unsigned ku_bits(const char *name)
{
	return strcmp(name, "ANY") == 0 ? (1u << X509_KU_BITS) - 1 : x509_ku_from_acm_name(name);
}

static int decode_x509_filter(json_t *o, const char *path, struct store_acm_search_node *n,
			      struct cm_err *err)
{
	static const char *const members[] = {"Subject",
					      "SubjectAlternativeName",
					      "ExtendedKeyUsage",
					      "KeyUsage",
					      "KeyAlgorithm",
					      "SerialNumber",
					      "NotAfter",
					      "NotBefore",
					      NULL};
	const char *v = NULL;
	int which = 0;
	if (union_one(o, path, members, &which, err) < 0)
		return -1;
	switch (which) {
	case 0:
		n->kind = STORE_ACM_SEARCH_COMMON_NAME;
		return decode_name_union(o, path, "Subject", "CommonName", n, err);
	case 1:
		n->kind = STORE_ACM_SEARCH_DNS_NAME;
		return decode_name_union(o, path, "SubjectAlternativeName", "DnsName", n, err);
	case 2:
		n->kind = STORE_ACM_SEARCH_EKU;
		if (enum_of(o, path, "ExtendedKeyUsage", acm_enum_eku_names, &v, err) < 0)
			return -1;
		n->bits = x509_eku_bit_from_name(v);
		return 0;
	case 3:
		n->kind = STORE_ACM_SEARCH_KEY_USAGE;
		if (enum_of(o, path, "KeyUsage", acm_enum_ku_names, &v, err) < 0)
			return -1;
		n->bits = ku_bits(v);
		return 0;
	case 4:
		n->kind = STORE_ACM_SEARCH_KEY_ALG;
		return enum_of(o, path, "KeyAlgorithm", acm_enum_key_algorithms, &n->text, err);
	case 5:
		n->kind = STORE_ACM_SEARCH_SERIAL;
		return decode_serial(o, path, n, err);
	case 6:
		n->kind = STORE_ACM_SEARCH_NOT_AFTER;
		return decode_range(o, path, "NotAfter", n, err);
	default:
		n->kind = STORE_ACM_SEARCH_NOT_BEFORE;
		return decode_range(o, path, "NotBefore", n, err);
	}
}

static int decode_metadata_filter(json_t *o, const char *path, struct store_acm_search_node *n,
				  struct cm_err *err)
{
	static const char *const members[] = {"Status",	   "RenewalStatus",    "Type",
					      "InUse",	   "Exported",	       "ExportOption",
					      "ManagedBy", "ValidationMethod", NULL};
	static const struct {
		enum store_acm_search_kind kind;
		const char *const *values; /* NULL: a boolean */
	} fields[] = {
	    {STORE_ACM_SEARCH_STATUS, acm_enum_statuses},
	    {STORE_ACM_SEARCH_RENEWAL_STATUS, renewal_statuses},
	    {STORE_ACM_SEARCH_TYPE, types},
	    {STORE_ACM_SEARCH_IN_USE, NULL},
	    {STORE_ACM_SEARCH_EXPORTED, NULL},
	    {STORE_ACM_SEARCH_EXPORT_OPTION, acm_enum_enabled_disabled},
	    {STORE_ACM_SEARCH_MANAGED_BY, acm_enum_managed_by},
	    {STORE_ACM_SEARCH_VALIDATION_METHOD, acm_enum_validation_methods},
	};
	int which = 0;
	if (union_one(o, path, members, &which, err) < 0)
		return -1;
	n->kind = fields[which].kind;
	if (fields[which].values != NULL)
		return enum_of(o, path, members[which], fields[which].values, &n->text, err);
	return jv_bool(o, path, members[which], true, &n->flag, NULL, err);
}

static int decode_filter(json_t *o, const char *path, struct store_acm_search_node *n,
			 struct cm_err *err)
{
	static const char *const members[] = {"CertificateArn", "X509AttributeFilter",
					      "AcmCertificateMetadataFilter", NULL};
	char sub[PATH_MAX_LEN];
	json_t *f = NULL;
	int which = 0;
	if (union_one(o, path, members, &which, err) < 0)
		return -1;
	if (which == 0) {
		/* acm_search resolves the ARN inside the caller's account. */
		n->kind = STORE_ACM_SEARCH_ID;
		return jv_string(o, path, "CertificateArn", true, 20, 2048, &n->text, err);
	}
	if (jv_object(o, path, members[which], true, &f, err) < 0)
		return -1;
	jv_path(sub, sizeof(sub), path, members[which]);
	return which == 1 ? decode_x509_filter(f, sub, n, err)
			  : decode_metadata_filter(f, sub, n, err);
}

static int decode_statement(json_t *o, const char *path, struct acm_search_tree *t,
			    struct store_acm_search_node *n, int depth, struct cm_err *err);

/* And / Or: 1–15 statements one level down. */
static int decode_list(json_t *o, const char *path, const char *name, struct acm_search_tree *t,
		       struct store_acm_search_node *n, int depth, struct cm_err *err)
{
	char sub[PATH_MAX_LEN];
	json_t *list = NULL;
	if (jv_array(o, path, name, true, 1, ACM_SEARCH_MAX_LIST, &list, err) < 0 ||
	    acm_search_nodes(t, json_array_size(list), depth + 1, &n->children, err) < 0)
		return -1;
	n->n_children = json_array_size(list);
	for (size_t i = 0; i < n->n_children; i++) {
		snprintf(sub, sizeof(sub), "%s.%s.%zu", path, name, i + 1);
		if (decode_statement(json_array_get(list, i), sub, t, &n->children[i], depth + 1,
				     err) < 0)
			return -1;
	}
	return 0;
}

/* Recursion is bounded: acm_search_nodes refuses a level past the limit
 * before this is called for it. */
static int decode_statement(json_t *o, const char *path, struct acm_search_tree *t,
			    struct store_acm_search_node *n, int depth, struct cm_err *err)
{
	static const char *const members[] = {"And", "Or", "Not", "Filter", NULL};
	char sub[PATH_MAX_LEN];
	json_t *v = NULL;
	int which = 0;
	if (!json_is_object(o))
		return cm_fail(err, CM_ERR_SERIALIZATION, "Member '%s' must be a JSON object",
			       path);
	if (union_one(o, path, members, &which, err) < 0)
		return -1;
	switch (which) {
	case 0:
		n->kind = STORE_ACM_SEARCH_AND;
		return decode_list(o, path, "And", t, n, depth, err);
	case 1:
		n->kind = STORE_ACM_SEARCH_OR;
		return decode_list(o, path, "Or", t, n, depth, err);
	case 2:
		n->kind = STORE_ACM_SEARCH_NOT;
		if (jv_object(o, path, "Not", true, &v, err) < 0 ||
		    acm_search_nodes(t, 1, depth + 1, &n->children, err) < 0)
			return -1;
		n->n_children = 1;
		return decode_statement(v, jv_path(sub, sizeof(sub), path, "Not"), t, n->children,
					depth + 1, err);
	default:
		if (jv_object(o, path, "Filter", true, &v, err) < 0)
			return -1;
		return decode_filter(v, jv_path(sub, sizeof(sub), path, "Filter"), n, err);
	}
}

static int decode_tree(json_t *in, struct acm_search_tree *t, struct cm_err *err)
{
	json_t *o = NULL;
	struct store_acm_search_node *root = NULL;
	t->used = 0;
	if (jv_object(in, NULL, "FilterStatement", false, &o, err) < 0)
		return -1;
	if (o == NULL)
		return 0;
	if (acm_search_nodes(t, 1, 1, &root, err) < 0)
		return -1;
	return decode_statement(o, "FilterStatement", t, root, 1, err);
}

static int decode_cursor(const struct aws_ctx *actx, json_t *in, char *cursor, size_t size,
			 struct cm_err *err)
{
	const char *token = NULL;
	cursor[0] = '\0';
	if (jv_string(in, NULL, "NextToken", false, 1, 10000, &token, err) < 0)
		return -1;
	if (token == NULL)
		return 0;
	/* SearchCertificates lists no InvalidArgsException: a bad token is a
	 * ValidationException here. */
	if (token_decode(actx->env->token_key, actx->account, SEARCH_SCOPE, token, cursor, size,
			 err) < 0)
		return cm_fail(err, CM_ERR_VALIDATION, "The NextToken is not valid");
	return 0;
}

/* --- response --------------------------------------------------------------- */

/* Absent and non-UTF-8 values are left out (json_string refuses the latter). */
static void set_str(json_t *o, const char *name, const char *v)
{
	if (v != NULL && v[0] != '\0')
		json_object_set_new(o, name, json_string(v));
}

static void set_time(json_t *o, const char *name, int64_t t)
{
	if (t != 0)
		json_object_set_new(o, name, json_integer(t));
}

/* A list member only when it has elements. */
static void set_list(json_t *o, const char *name, json_t *list)
{
	if (json_array_size(list) > 0)
		json_object_set_new(o, name, list);
	else
		json_decref(list);
}

static json_t *dn_json(const struct x509_dn *dn)
{
	json_t *o = json_object(), *dc = json_array(), *custom = json_array();
	set_str(o, "CommonName", dn->common_name);
	for (size_t i = 0; i < dn->n_domain_components; i++)
		json_array_append_new(dc, json_string(dn->domain_components[i]));
	set_list(o, "DomainComponents", dc);
	set_str(o, "Country", dn->country);
	set_str(o, "Organization", dn->organization);
	set_str(o, "OrganizationalUnit", dn->organizational_unit);
	set_str(o, "Locality", dn->locality);
	set_str(o, "State", dn->state);
	set_str(o, "SerialNumber", dn->serial_number);
	set_str(o, "Title", dn->title);
	set_str(o, "Surname", dn->surname);
	set_str(o, "GivenName", dn->given_name);
	set_str(o, "Initials", dn->initials);
	set_str(o, "Pseudonym", dn->pseudonym);
	set_str(o, "GenerationQualifier", dn->generation_qualifier);
	set_str(o, "DistinguishedNameQualifier", dn->dn_qualifier);
	for (size_t i = 0; i < dn->n_custom; i++) {
		json_t *a = json_object();
		set_str(a, "ObjectIdentifier", dn->custom[i].oid);
		set_str(a, "Value", dn->custom[i].value);
		json_array_append_new(custom, a);
	}
	set_list(o, "CustomAttributes", custom);
	return o;
}

static json_t *gn_json(const struct x509_gn_entry *e)
{
	json_t *o = json_object(), *other = NULL;
	switch (e->kind) {
	case X509_GN_DNS:
		set_str(o, "DnsName", e->value);
		break;
	case X509_GN_RFC822:
		set_str(o, "Rfc822Name", e->value);
		break;
	case X509_GN_URI:
		set_str(o, "UniformResourceIdentifier", e->value);
		break;
	case X509_GN_IP:
		set_str(o, "IpAddress", e->value);
		break;
	case X509_GN_REGISTERED_ID:
		set_str(o, "RegisteredId", e->value);
		break;
	case X509_GN_DIRECTORY:
		json_object_set_new(o, "DirectoryName", dn_json(&e->directory));
		break;
	case X509_GN_OTHER_NAME:
		other = json_object();
		set_str(other, "ObjectIdentifier", e->oid);
		set_str(other, "Value", e->value);
		json_object_set_new(o, "OtherName", other);
		break;
	default:
		break;
	}
	return o;
}

static json_t *x509_json(const struct acm_search_hit *h)
{
	const struct store_acm_cert *c = h->cert;
	json_t *o = json_object(), *sans = json_array(), *ekus = json_array();
	json_object_set_new(o, "Issuer", dn_json(&h->x509->issuer));
	json_object_set_new(o, "Subject", dn_json(&h->x509->subject));
	for (size_t i = 0; i < h->x509->n_sans; i++) {
		json_t *gn = gn_json(&h->x509->sans[i]);
		if (json_object_size(gn) > 0)
			json_array_append_new(sans, gn);
		else
			json_decref(gn); /* a value that is not UTF-8 */
	}
	set_list(o, "SubjectAlternativeNames", sans);
	/* NONE is a filter value for "no EKU extension", never shown. */
	for (unsigned i = 0; i < X509_EKU_BITS; i++)
		if ((c->eku_bits & (1u << i)) && (1u << i) != X509_EKU_NONE)
			json_array_append_new(ekus, json_string(x509_eku_bit_name(i)));
	set_list(o, "ExtendedKeyUsages", ekus);
	set_str(o, "KeyAlgorithm", c->key_alg);
	set_list(o, "KeyUsages", acm_api_key_usages(c->key_usage, false));
	set_str(o, "SerialNumber", c->serial);
	set_time(o, "NotAfter", c->not_after);
	set_time(o, "NotBefore", c->not_before);
	return o;
}

/* Same presence rules as the summary and Describe (spec §4). */
static json_t *metadata_json(const struct acm_search_hit *h)
{
	const struct store_acm_cert *c = h->cert;
	json_t *o = json_object();
	set_time(o, "CreatedAt", strcmp(c->type, "IMPORTED") == 0 ? 0 : c->created_at);
	json_object_set_new(o, "Exported", json_boolean(c->exported));
	set_time(o, "ImportedAt", c->imported_at);
	json_object_set_new(o, "InUse", json_boolean(c->in_use));
	set_time(o, "IssuedAt", c->issued_at);
	set_str(o, "RenewalEligibility", h->renewal_eligible ? "ELIGIBLE" : "INELIGIBLE");
	if (strcmp(c->status, "REVOKED") == 0)
		set_time(o, "RevokedAt", c->revoked_at);
	set_str(o, "Status", h->status);
	set_str(o, "RenewalStatus", c->renewal_status);
	set_str(o, "Type", c->type);
	set_str(o, "ExportOption", c->export_option);
	set_str(o, "ManagedBy", c->managed_by);
	set_str(o, "ValidationMethod", c->validation_method);
	return o;
}

struct search_page {
	const struct acm_ctx *ctx;
	json_t *results;
};

static void search_hit(void *fctx, const struct acm_search_hit *h)
{
	struct search_page *p = fctx;
	char arn[ARN_MAX];
	json_t *r = json_object();
	acm_arn(p->ctx, h->cert->id, arn, sizeof(arn));
	set_str(r, "CertificateArn", arn);
	if (h->x509 != NULL)
		json_object_set_new(r, "X509Attributes", x509_json(h));
	json_object_set_new(r, "CertificateMetadata",
			    json_pack("{s:o}", "AcmCertificateMetadata", metadata_json(h)));
	json_array_append_new(p->results, r);
}

int acm_api_search(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)
{
	struct acm_ctx ctx = acm_api_ctx(actx);
	struct acm_search_tree tree;
	long long max = ACM_SEARCH_DEFAULT_RESULTS;
	int by = 0, order = 0;
	char cursor[TOKEN_CURSOR_MAX + 1], next[TOKEN_CURSOR_MAX + 1];
	if (decode_tree(in, &tree, err) < 0 ||
	    jv_int(in, NULL, "MaxResults", false, 1, ACM_SEARCH_MAX_RESULTS, &max, NULL, err) < 0 ||
	    jv_enum(in, NULL, "SortBy", false, sort_by_values, &by, NULL, err) < 0 ||
	    jv_enum(in, NULL, "SortOrder", false, acm_enum_sort_orders, &order, NULL, err) < 0 ||
	    decode_cursor(actx, in, cursor, sizeof(cursor), err) < 0)
		return -1;
	struct search_page page = {&ctx, json_array()};
	if (acm_search(&ctx, &tree, (enum store_acm_sort)by, order == 1, cursor, (int)max,
		       search_hit, &page, next, sizeof(next), err) < 0) {
		json_decref(page.results);
		return -1;
	}
	*out = json_pack("{s:o}", "Results", page.results);
	return next[0] != '\0' ? pca_api_set_next_token(actx, out, SEARCH_SCOPE, next, err) : 0;
}
