/* Handlers: DescribeCertificateAuthority, ListCertificateAuthorities,
 * UpdateCertificateAuthority, DeleteCertificateAuthority,
 * RestoreCertificateAuthority (spec pca.md §5.2–5.6). */
#include <stdlib.h>
#include <string.h>

#include "api/pca/common.h"
#include "api/pca/handlers.h"
#include "aws/jv.h"
#include "aws/token.h"
#include "pca/access.h"

#define ARN_MEMBER "CertificateAuthorityArn"

int pca_api_describe_ca(const struct aws_ctx *actx, json_t *in, json_t **out,
			struct cm_err *err)
{
	struct pca_ctx ctx = pca_api_ctx(actx);
	struct store_ca ca;
	const char *arn = NULL;
	if (jv_string(in, NULL, ARN_MEMBER, true, 5, 200, &arn, err) < 0 ||
	    pca_ca_load_shared(&ctx, arn, ARN_MEMBER, PCA_ACTION_DESCRIBE_CA, NULL, &ca, err) < 0)
		return -1;
	*out = json_pack("{s:o}", "CertificateAuthority",
			 pca_api_ca_encode(&ctx, &ca, pca_effective_status(&ca, ctx.now)));
	store_ca_clear(&ca);
	return 0;
}

struct list_page {
	const struct pca_ctx *ctx;
	json_t *items;
};

static void list_add(void *p, const struct store_ca *ca, enum pca_status status)
{
	struct list_page *page = p;
	json_array_append_new(page->items, pca_api_ca_encode(page->ctx, ca, status));
}

int pca_api_list_cas(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)
{
	static const char *const owners[] = {"SELF", "OTHER_ACCOUNTS", NULL};
	/* A token of one listing is refused by the other. */
	static const char *const scopes[] = {"ListCertificateAuthorities",
					     "ListCertificateAuthorities|OTHER_ACCOUNTS"};
	struct pca_ctx ctx = pca_api_ctx(actx);
	long long max = 100;
	int owner = 0;
	const char *token = NULL;
	char cursor[128] = "", next[128];
	if (jv_int(in, NULL, "MaxResults", false, 1, 1000, &max, NULL, err) < 0 ||
	    jv_string(in, NULL, "NextToken", false, 1, 43739, &token, err) < 0 ||
	    jv_enum(in, NULL, "ResourceOwner", false, owners, &owner, NULL, err) < 0)
		return -1;
	if (token != NULL && token_decode(actx->env->token_key, ctx.account, scopes[owner], token,
					  cursor, sizeof(cursor), err) < 0)
		return -1;
	if (max > 100)
		max = 100; /* AWS returns at most 100 per page whatever is asked */
	struct list_page page = {.ctx = &ctx, .items = json_array()};
	/* OTHER_ACCOUNTS: the CAs other accounts share with the caller by policy. */
	int rc = owner == 0
		     ? pca_ca_list(&ctx, cursor, (int)max, list_add, &page, next, sizeof(next), err)
		     : pca_ca_list_shared(&ctx, cursor, (int)max, list_add, &page, next,
					  sizeof(next), err);
	if (rc < 0) {
		json_decref(page.items);
		return -1;
	}
	*out = json_pack("{s:o}", "CertificateAuthorities", page.items);
	if (next[0] != '\0')
		return pca_api_set_next_token(actx, out, scopes[owner], next, err);
	return 0;
}

int pca_api_update_ca(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)
{
	static const char *const statuses[] = {"CREATING", "PENDING_CERTIFICATE", "ACTIVE",
					       "DELETED",  "DISABLED",            "EXPIRED",
					       "FAILED",   NULL};
	struct pca_ctx ctx = pca_api_ctx(actx);
	const char *arn = NULL;
	json_t *rev = NULL;
	int status = -1;
	char *rev_json = NULL;
	struct store_ca ca = {0};
	int rc = -1;
	if (jv_string(in, NULL, ARN_MEMBER, true, 5, 200, &arn, err) < 0 ||
	    jv_object(in, NULL, "RevocationConfiguration", false, &rev, err) < 0 ||
	    jv_enum(in, NULL, "Status", false, statuses, &status, NULL, err) < 0)
		return -1;
	if (rev != NULL) {
		/* Parts not given keep their current value: read it first. */
		if (pca_ca_load(&ctx, arn, ARN_MEMBER, &ca, err) < 0 ||
		    pca_api_revocation_decode(rev, ca.revocation_json, &rev_json, err) < 0)
			goto out;
	}
	if (pca_ca_update(&ctx, arn, status >= 0 ? statuses[status] : NULL, rev_json, err) < 0)
		goto out;
	*out = json_object();
	rc = 0;
out:
	store_ca_clear(&ca);
	free(rev_json);
	return rc;
}

int pca_api_delete_ca(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)
{
	struct pca_ctx ctx = pca_api_ctx(actx);
	const char *arn = NULL;
	long long days = 30;
	if (jv_string(in, NULL, ARN_MEMBER, true, 5, 200, &arn, err) < 0 ||
	    jv_int(in, NULL, "PermanentDeletionTimeInDays", false, 7, 30, &days, NULL, err) < 0 ||
	    pca_ca_delete(&ctx, arn, (int)days, err) < 0)
		return -1;
	*out = json_object();
	return 0;
}

int pca_api_restore_ca(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)
{
	struct pca_ctx ctx = pca_api_ctx(actx);
	const char *arn = NULL;
	if (jv_string(in, NULL, ARN_MEMBER, true, 5, 200, &arn, err) < 0 ||
	    pca_ca_restore(&ctx, arn, err) < 0)
		return -1;
	*out = json_object();
	return 0;
}
