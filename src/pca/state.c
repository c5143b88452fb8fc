/* The operation × state matrix of spec pca.md §6.2, as data. */
#include "pca/state.h"

#include <string.h>

static const char *const pca_status_names[PCA_STATUS__COUNT] = {
	[PCA_CREATING] = "CREATING",   [PCA_PENDING_CERTIFICATE] = "PENDING_CERTIFICATE",
	[PCA_ACTIVE] = "ACTIVE",       [PCA_DELETED] = "DELETED",
	[PCA_DISABLED] = "DISABLED",   [PCA_EXPIRED] = "EXPIRED",
	[PCA_FAILED] = "FAILED",
};

/* Y = allowed, S = InvalidStateException, P = RequestInProgressException. */
static const char pca_matrix[PCA_OP__COUNT][PCA_STATUS__COUNT + 1] = {
	/*                        CR PC AC DE DI EX FA */
	[PCA_OP_GET_CSR] =         "PYYSYYS",
	[PCA_OP_IMPORT_CA_CERT] =  "PYYSYYS",
	[PCA_OP_GET_CA_CERT] =     "SSYSYYS",
	[PCA_OP_ISSUE] =           "SSYSSSS",
	[PCA_OP_ISSUE_ROOT_SELF] = "SYYSYYS",
	[PCA_OP_GET_CERT] =        "SYYSYYS",
	[PCA_OP_REVOKE] =          "SSYSYYS",
	[PCA_OP_UPDATE] =          "SSYSYYS",
	[PCA_OP_DELETE] =          "YYSSYYY",
	[PCA_OP_RESTORE] =         "SSSYSSS",
	[PCA_OP_TAG] =             "YYYSYYY",
	[PCA_OP_AUDIT_REPORT] =    "SSYSYYS",
	[PCA_OP_PERMISSIONS] =     "SSYSYYS",
};

const char *pca_status_name(enum pca_status s)
{
	return (unsigned)s < PCA_STATUS__COUNT ? pca_status_names[s] : "FAILED";
}

int pca_status_from_name(const char *name, enum pca_status *out)
{
	for (int i = 0; i < PCA_STATUS__COUNT; i++) {
		if (strcmp(pca_status_names[i], name) == 0) {
			*out = (enum pca_status)i;
			return 0;
		}
	}
	return -1;
}

enum pca_status pca_effective_status(const struct store_ca *ca, int64_t now)
{
	enum pca_status s = PCA_FAILED;
	pca_status_from_name(ca->status, &s);
	if (s != PCA_DELETED && ca->cert_der != NULL && ca->not_after > 0 && ca->not_after < now)
		return PCA_EXPIRED;
	return s;
}

int pca_state_allows(enum pca_op op, enum pca_status s, struct cm_err *err)
{
	char verdict = pca_matrix[op][s];
	if (verdict == 'Y')
		return 0;
	if (verdict == 'P')
		return cm_fail(err, CM_ERR_REQUEST_IN_PROGRESS,
			       "The certificate authority is still being created");
	return cm_fail(err, CM_ERR_INVALID_STATE,
		       "The certificate authority is in the %s state, which does not allow this "
		       "operation",
		       pca_status_name(s));
}
