/* The CA state machine of AWS Private CA (spec pca.md §6.1–6.2): statuses,
 * the status a client sees (EXPIRED is derived from the CA certificate), and
 * the operation × state matrix as one table. */
#ifndef CERTAIN_PCA_STATE_H
#define CERTAIN_PCA_STATE_H

#include <stdint.h>

#include "store/store.h"
#include "util/err.h"

enum pca_status {
	PCA_CREATING,
	PCA_PENDING_CERTIFICATE,
	PCA_ACTIVE,
	PCA_DELETED,
	PCA_DISABLED,
	PCA_EXPIRED,
	PCA_FAILED,
	PCA_STATUS__COUNT
};

/* Operations whose permission depends on the CA's status. */
enum pca_op {
	PCA_OP_GET_CSR,
	PCA_OP_IMPORT_CA_CERT,
	PCA_OP_GET_CA_CERT,
	PCA_OP_ISSUE,
	PCA_OP_ISSUE_ROOT_SELF, /* a root signing its own CSR (§6.3) */
	PCA_OP_GET_CERT,
	PCA_OP_REVOKE,
	PCA_OP_UPDATE,
	PCA_OP_DELETE,
	PCA_OP_RESTORE,
	PCA_OP_TAG,
	PCA_OP_AUDIT_REPORT, /* Create/Describe audit report */
	PCA_OP_PERMISSIONS,  /* permissions and resource policies */
	PCA_OP__COUNT
};

const char *pca_status_name(enum pca_status s);
/* -1 when the name is not a status. */
int pca_status_from_name(const char *name, enum pca_status *out);

/* The status a client sees: EXPIRED once the CA certificate's notAfter has
 * passed (unless DELETED), whatever is stored. */
enum pca_status pca_effective_status(const struct store_ca *ca, int64_t now);

/* 0 when op is allowed in status s; otherwise the error the matrix names. */
int pca_state_allows(enum pca_op op, enum pca_status s, struct cm_err *err);

#endif
