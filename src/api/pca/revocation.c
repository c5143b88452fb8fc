/* RevocationConfiguration: validation (model limits and the rules of spec
 * pca.md §4) and normalisation to the form Describe echoes: both parts,
 * defaults filled in. The CRL and OCSP publishers (src/pca/revocation.c,
 * src/revocation/) and the URLs in issued certificates follow it. */
#include <stdlib.h>
#include <string.h>

#include "api/pca/common.h"
#include "aws/jv.h"

#define CNAME_CHARS                                                                         \
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-;/?:@&=+$,%_.!~*()'"

static const char *const acl_values[] = {"PUBLIC_READ", "BUCKET_OWNER_FULL_CONTROL", NULL};
static const char *const crl_types[] = {"COMPLETE", "PARTITIONED", NULL};

static int rev_check_cname(const char *path, const char *cname, struct cm_err *err)
{
	if (!jv_is_in_charset(cname, CNAME_CHARS))
		return jv_fail_constraint(err, path, cname,
					  "Member must satisfy regular expression pattern: "
					  "[-a-zA-Z0-9;/?:@&=+$,%_.!~*()']*");
	if (strncmp(cname, "http://", 7) == 0 || strncmp(cname, "https://", 8) == 0)
		return cm_fail(err, CM_ERR_INVALID_ARGS,
			       "%s must not start with http:// or https://", path);
	return 0;
}

#define PATH_CHARS                                                                          \
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-;?:@&=+$,%_.!~*()'"

/* CustomPath: the model's pattern, segments of PATH_CHARS joined by single
 * slashes. The path is also a folder under the bucket's (spec §6.8), so a
 * "." or ".." segment, which the pattern lets through, is refused (Certain). */
static int rev_check_path(const char *path, struct cm_err *err)
{
	const char *p = path;
	do {
		size_t n = strcspn(p, "/");
		bool ok = n > 0;
		for (size_t i = 0; ok && i < n; i++)
			ok = strchr(PATH_CHARS, p[i]) != NULL;
		if (!ok)
			return jv_fail_constraint(
			    err, "RevocationConfiguration.CrlConfiguration.CustomPath", path,
			    "Member must satisfy regular expression pattern: "
			    "[-a-zA-Z0-9;?:@&=+$,%_.!~*()']+(/[-a-zA-Z0-9;?:@&=+$,%_.!~*()']+)*");
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return cm_fail(err, CM_ERR_INVALID_ARGS,
				       "CustomPath must not have a '.' or '..' segment");
		p += n;
	} while (*p++ == '/');
	return 0;
}

/* A disabled part carries nothing else (AWS rejects extra members). */
static int rev_disabled_only(json_t *part, const char *path, struct cm_err *err)
{
	if (json_object_size(part) > 1)
		return cm_fail(err, CM_ERR_INVALID_ARGS,
			       "%s: when Enabled is false no other member may be given", path);
	return 0;
}

static int rev_crl_decode(json_t *in, json_t **out, struct cm_err *err)
{
	static const char P[] = "RevocationConfiguration.CrlConfiguration";
	bool enabled = false, omit = false, has_omit = false;
	long long days = 7;
	int acl = 0, type = 0;
	const char *cname = NULL, *bucket = NULL, *custom_path = NULL;
	json_t *dp = NULL;
	if (jv_bool(in, P, "Enabled", true, &enabled, NULL, err) < 0 ||
	    jv_int(in, P, "ExpirationInDays", false, 1, 5000, &days, NULL, err) < 0 ||
	    jv_string(in, P, "CustomCname", false, 0, 253, &cname, err) < 0 ||
	    jv_string(in, P, "S3BucketName", false, 3, 255, &bucket, err) < 0 ||
	    jv_enum(in, P, "S3ObjectAcl", false, acl_values, &acl, NULL, err) < 0 ||
	    jv_enum(in, P, "CrlType", false, crl_types, &type, NULL, err) < 0 ||
	    jv_string(in, P, "CustomPath", false, 0, 253, &custom_path, err) < 0 ||
	    jv_object(in, P, "CrlDistributionPointExtensionConfiguration", false, &dp, err) < 0)
		return -1;
	if (dp != NULL && jv_bool(dp, P, "OmitExtension", true, &omit, &has_omit, err) < 0)
		return -1;
	if (!enabled) {
		*out = json_pack("{s:b}", "Enabled", 0);
		return rev_disabled_only(in, P, err);
	}
	if (cname != NULL && rev_check_cname("CustomCname", cname, err) < 0)
		return -1;
	if (custom_path != NULL && rev_check_path(custom_path, err) < 0)
		return -1;
	if (bucket == NULL)
		return cm_fail(err, CM_ERR_INVALID_ARGS,
			       "S3BucketName is required when the CRL is enabled");
	if (!jv_is_in_charset(bucket, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				      "0123456789-._/"))
		return jv_fail_constraint(err, "S3BucketName", bucket,
					  "Member must satisfy regular expression pattern: "
					  "[-a-zA-Z0-9._/]+");
	if (omit && cname != NULL)
		return cm_fail(err, CM_ERR_INVALID_ARGS,
			       "OmitExtension cannot be combined with CustomCname");
	/* A partition is found only through the certificate's CDP (Certain). */
	if (omit && type == 1)
		return cm_fail(err, CM_ERR_INVALID_ARGS,
			       "OmitExtension cannot be combined with CrlType PARTITIONED");
	*out = json_pack("{s:b, s:I, s:s, s:s, s:s}", "Enabled", 1, "ExpirationInDays",
			 (json_int_t)days, "S3BucketName", bucket, "S3ObjectAcl", acl_values[acl],
			 "CrlType", crl_types[type]);
	if (cname != NULL)
		json_object_set_new(*out, "CustomCname", json_string(cname));
	if (custom_path != NULL)
		json_object_set_new(*out, "CustomPath", json_string(custom_path));
	if (has_omit)
		json_object_set_new(*out, "CrlDistributionPointExtensionConfiguration",
				    json_pack("{s:b}", "OmitExtension", omit));
	return 0;
}

static int rev_ocsp_decode(json_t *in, json_t **out, struct cm_err *err)
{
	static const char P[] = "RevocationConfiguration.OcspConfiguration";
	bool enabled = false;
	const char *cname = NULL;
	if (jv_bool(in, P, "Enabled", true, &enabled, NULL, err) < 0 ||
	    jv_string(in, P, "OcspCustomCname", false, 0, 253, &cname, err) < 0)
		return -1;
	if (!enabled) {
		*out = json_pack("{s:b}", "Enabled", 0);
		return rev_disabled_only(in, P, err);
	}
	if (cname != NULL && rev_check_cname("OcspCustomCname", cname, err) < 0)
		return -1;
	*out = json_pack("{s:b}", "Enabled", 1);
	if (cname != NULL)
		json_object_set_new(*out, "OcspCustomCname", json_string(cname));
	return 0;
}

int pca_api_revocation_decode(json_t *in, const char *base, char **out, struct cm_err *err)
{
	json_t *crl_in = NULL, *ocsp_in = NULL, *crl = NULL, *ocsp = NULL;
	json_t *result = base != NULL ? json_loads(base, 0, NULL) : NULL;
	int rc = -1;
	if (result == NULL)
		result = json_pack("{s:{s:b}, s:{s:b}}", "CrlConfiguration", "Enabled", 0,
				   "OcspConfiguration", "Enabled", 0);
	if (in != NULL &&
	    (jv_object(in, "RevocationConfiguration", "CrlConfiguration", false, &crl_in, err) < 0 ||
	     jv_object(in, "RevocationConfiguration", "OcspConfiguration", false, &ocsp_in, err) <
		     0))
		goto out;
	if (crl_in != NULL && rev_crl_decode(crl_in, &crl, err) < 0)
		goto out;
	if (ocsp_in != NULL && rev_ocsp_decode(ocsp_in, &ocsp, err) < 0)
		goto out;
	if (crl != NULL)
		json_object_set(result, "CrlConfiguration", crl);
	if (ocsp != NULL)
		json_object_set(result, "OcspConfiguration", ocsp);
	*out = json_dumps(result, JSON_COMPACT | JSON_SORT_KEYS);
	rc = *out != NULL ? 0 : cm_fail(err, CM_ERR_INTERNAL, "out of memory");
out:
	json_decref(crl);
	json_decref(ocsp);
	json_decref(result);
	return rc;
}
