/* Error codes to AWS error types and HTTP statuses: one table, one row per code. */
#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>

static const struct {
	const char *type;
	int status;
} cm_code_table[CM_ERR__COUNT] = {
	[CM_OK] = {"OK", 200},
	[CM_ERR_INTERNAL] = {"InternalFailure", 500},
	[CM_ERR_UNAVAILABLE] = {"ServiceUnavailable", 503},
	[CM_ERR_VALIDATION] = {"ValidationException", 400},
	[CM_ERR_SERIALIZATION] = {"SerializationException", 400},
	[CM_ERR_UNKNOWN_OPERATION] = {"UnknownOperationException", 400},
	[CM_ERR_MISSING_AUTH] = {"MissingAuthenticationTokenException", 400},
	[CM_ERR_INCOMPLETE_SIGNATURE] = {"IncompleteSignatureException", 400},
	[CM_ERR_UNRECOGNIZED_CLIENT] = {"UnrecognizedClientException", 400},
	[CM_ERR_INVALID_SIGNATURE] = {"InvalidSignatureException", 400},
	[CM_ERR_ACCESS_DENIED] = {"AccessDeniedException", 400},
	[CM_ERR_PAYLOAD_TOO_LARGE] = {"RequestEntityTooLargeException", 413},
	[CM_ERR_INVALID_ARGS] = {"InvalidArgsException", 400},
	[CM_ERR_INVALID_ARN] = {"InvalidArnException", 400},
	[CM_ERR_NOT_FOUND] = {"ResourceNotFoundException", 400},
	[CM_ERR_INVALID_STATE] = {"InvalidStateException", 400},
	[CM_ERR_REQUEST_IN_PROGRESS] = {"RequestInProgressException", 400},
	[CM_ERR_REQUEST_FAILED] = {"RequestFailedException", 400},
	[CM_ERR_MALFORMED_CSR] = {"MalformedCSRException", 400},
	[CM_ERR_MALFORMED_CERTIFICATE] = {"MalformedCertificateException", 400},
	[CM_ERR_CERTIFICATE_MISMATCH] = {"CertificateMismatchException", 400},
	[CM_ERR_INVALID_REQUEST] = {"InvalidRequestException", 400},
	[CM_ERR_LIMIT_EXCEEDED] = {"LimitExceededException", 400},
	[CM_ERR_TOO_MANY_TAGS] = {"TooManyTagsException", 400},
	[CM_ERR_INVALID_TAG] = {"InvalidTagException", 400},
	[CM_ERR_INVALID_NEXT_TOKEN] = {"InvalidNextTokenException", 400},
	[CM_ERR_ALREADY_PROCESSED] = {"RequestAlreadyProcessedException", 400},
	[CM_ERR_CONCURRENT_MODIFICATION] = {"ConcurrentModificationException", 400},
	[CM_ERR_INVALID_POLICY] = {"InvalidPolicyException", 400},
	[CM_ERR_RESOURCE_IN_USE] = {"ResourceInUseException", 400},
	[CM_ERR_INVALID_PARAMETER] = {"InvalidParameterException", 400},
	[CM_ERR_INVALID_DOMAIN] = {"InvalidDomainValidationOptionsException", 400},
	[CM_ERR_THROTTLING] = {"ThrottlingException", 400},
	[CM_ERR_CONFLICT] = {"ConflictException", 400},
	[CM_ERR_PERMISSION_EXISTS] = {"PermissionAlreadyExistsException", 400},
};

int cm_fail(struct cm_err *err, enum cm_code code, const char *fmt, ...)
{
	if (err == NULL)
		return -1;
	err->code = code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

void cm_err_clear(struct cm_err *err)
{
	if (err == NULL)
		return;
	err->code = CM_OK;
	err->msg[0] = '\0';
}

const char *cm_code_type(enum cm_code code)
{
	if ((int)code < 0 || code >= CM_ERR__COUNT)
		return "InternalFailure";
	return cm_code_table[code].type;
}

int cm_code_http_status(enum cm_code code)
{
	if ((int)code < 0 || code >= CM_ERR__COUNT)
		return 500;
	return cm_code_table[code].status;
}
