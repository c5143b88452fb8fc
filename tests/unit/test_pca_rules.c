/* PCA rules without a server: validity arithmetic and the state matrix. */
#include "harness.h"
#include "pca/ca.h"
#include "pca/state.h"

/* 2026-01-31T12:00:00Z */
#define JAN31 1769860800LL

TEST(pca_validity_calendar)
{
	struct cm_err err = {0};
	int64_t na = 0;
	struct pca_validity v = {PCA_VALIDITY_MONTHS, 1};
	CHECK(pca_validity_resolve(&v, JAN31, &na, &err) == 0);
	CHECK(na == 1772280000LL); /* 2026-02-28T12:00:00Z: clamped to month end */
	v = (struct pca_validity){PCA_VALIDITY_DAYS, 10};
	CHECK(pca_validity_resolve(&v, JAN31, &na, &err) == 0 && na == JAN31 + 864000);
	v = (struct pca_validity){PCA_VALIDITY_YEARS, 2};
	CHECK(pca_validity_resolve(&v, JAN31, &na, &err) == 0 && na == 1832932800LL);
	v = (struct pca_validity){PCA_VALIDITY_ABSOLUTE, 2524608000LL};
	CHECK(pca_validity_resolve(&v, JAN31, &na, &err) == 0 && na == 2524608000LL);
}

TEST(pca_validity_end_date)
{
	struct cm_err err = {0};
	int64_t na = 0;
	struct pca_validity v = {PCA_VALIDITY_END_DATE, 491231235959LL};
	CHECK(pca_validity_resolve(&v, JAN31, &na, &err) == 0 && na == 2524607999LL);
	v = (struct pca_validity){PCA_VALIDITY_END_DATE, 20491231235959LL};
	CHECK(pca_validity_resolve(&v, JAN31, &na, &err) == 0 && na == 2524607999LL);
	v = (struct pca_validity){PCA_VALIDITY_END_DATE, 991231235959LL}; /* 1999 */
	CHECK(pca_validity_resolve(&v, JAN31, &na, &err) == 0 && na == 946684799LL);
	v = (struct pca_validity){PCA_VALIDITY_END_DATE, 491331235959LL}; /* month 13 */
	CHECK(pca_validity_resolve(&v, JAN31, &na, &err) < 0 && err.code == CM_ERR_INVALID_ARGS);
	v = (struct pca_validity){PCA_VALIDITY_END_DATE, 1234};
	CHECK(pca_validity_resolve(&v, JAN31, &na, &err) < 0);
	v = (struct pca_validity){PCA_VALIDITY_ABSOLUTE, 253402300800LL};
	CHECK(pca_validity_resolve(&v, JAN31, &na, &err) < 0);
}

TEST(pca_state_matrix)
{
	struct cm_err err = {0};
	CHECK(pca_state_allows(PCA_OP_ISSUE, PCA_ACTIVE, &err) == 0);
	CHECK(pca_state_allows(PCA_OP_ISSUE, PCA_DISABLED, &err) < 0);
	CHECK(err.code == CM_ERR_INVALID_STATE);
	CHECK(pca_state_allows(PCA_OP_GET_CSR, PCA_CREATING, &err) < 0);
	CHECK(err.code == CM_ERR_REQUEST_IN_PROGRESS);
	CHECK(pca_state_allows(PCA_OP_ISSUE_ROOT_SELF, PCA_PENDING_CERTIFICATE, &err) == 0);
	CHECK(pca_state_allows(PCA_OP_RESTORE, PCA_DELETED, &err) == 0);
	CHECK(pca_state_allows(PCA_OP_RESTORE, PCA_DISABLED, &err) < 0);
	CHECK(pca_state_allows(PCA_OP_DELETE, PCA_ACTIVE, &err) < 0);
	CHECK(pca_state_allows(PCA_OP_REVOKE, PCA_DISABLED, &err) == 0);
	CHECK(pca_state_allows(PCA_OP_TAG, PCA_DELETED, &err) < 0);
}

TEST(pca_effective_status_expired)
{
	struct store_ca ca = {0};
	unsigned char der[1] = {0};
	strcpy(ca.status, "ACTIVE");
	ca.cert_der = der;
	ca.not_after = 1000;
	CHECK(pca_effective_status(&ca, 999) == PCA_ACTIVE);
	CHECK(pca_effective_status(&ca, 1001) == PCA_EXPIRED);
	strcpy(ca.status, "DELETED");
	CHECK(pca_effective_status(&ca, 1001) == PCA_DELETED);
}
