/* Request shapes of ACM-PCA that become x509 structs: ASN1Subject,
 * GeneralName, CsrExtensions, ApiPassthrough (spec pca.md §4, pca-model.md).
 * Model constraints → CM_ERR_VALIDATION; semantic rules → CM_ERR_INVALID_ARGS.
 * Decoded structs BORROW their strings from the json_t: keep the JSON alive
 * while the struct is used. Arrays are owned; free with the _free function
 * (safe on a zeroed struct and after a failed decode). */
#ifndef CERTAIN_API_PCA_SHAPES_H
#define CERTAIN_API_PCA_SHAPES_H

#include <jansson.h>

#include "util/err.h"
#include "x509/ca_csr.h"
#include "x509/issue.h"
#include "x509/name.h"

/* path: the dotted member path for messages, e.g. "CertificateAuthorityConfiguration.Subject". */
int pca_shape_subject_decode(json_t *obj, const char *path, struct x509_subject *out,
			     struct cm_err *err);
void pca_shape_subject_free(struct x509_subject *s);

/* Exactly one member must be set, else CM_ERR_INVALID_ARGS. */
int pca_shape_general_name_decode(json_t *obj, const char *path, struct x509_general_name *out,
				  struct cm_err *err);
void pca_shape_general_name_free(struct x509_general_name *gn);

int pca_shape_csr_extensions_decode(json_t *obj, const char *path, struct x509_csr_extensions *out,
				    struct cm_err *err);
void pca_shape_csr_extensions_free(struct x509_csr_extensions *ext);

int pca_shape_passthrough_decode(json_t *obj, const char *path, struct x509_passthrough *out,
				 struct cm_err *err);
void pca_shape_passthrough_free(struct x509_passthrough *p);

#endif
