/* The one error type of Certain: a code that maps 1:1 to an AWS error type,
 * plus a message naming the field or the object at fault. Every layer fills a
 * caller-owned struct cm_err; only the API edge turns it into JSON. */
#ifndef CERTAIN_UTIL_ERR_H
#define CERTAIN_UTIL_ERR_H

#include <stdbool.h>

/* Append-only: each value is one AWS error type (see err.c for the table). */
enum cm_code {
	CM_OK = 0,
	CM_ERR_INTERNAL,              /* InternalFailure (500) */
	CM_ERR_UNAVAILABLE,           /* ServiceUnavailable (503) */
	CM_ERR_VALIDATION,            /* ValidationException */
	CM_ERR_SERIALIZATION,         /* SerializationException: bad JSON / JSON type */
	CM_ERR_UNKNOWN_OPERATION,     /* UnknownOperationException */
	CM_ERR_MISSING_AUTH,          /* MissingAuthenticationTokenException */
	CM_ERR_INCOMPLETE_SIGNATURE,  /* IncompleteSignatureException */
	CM_ERR_UNRECOGNIZED_CLIENT,   /* UnrecognizedClientException */
	CM_ERR_INVALID_SIGNATURE,     /* InvalidSignatureException (incl. clock skew) */
	CM_ERR_ACCESS_DENIED,         /* AccessDeniedException */
	CM_ERR_PAYLOAD_TOO_LARGE,     /* RequestEntityTooLargeException (413) */
	CM_ERR_INVALID_ARGS,          /* InvalidArgsException */
	CM_ERR_INVALID_ARN,           /* InvalidArnException */
	CM_ERR_NOT_FOUND,             /* ResourceNotFoundException */
	CM_ERR_INVALID_STATE,         /* InvalidStateException */
	CM_ERR_REQUEST_IN_PROGRESS,   /* RequestInProgressException */
	CM_ERR_REQUEST_FAILED,        /* RequestFailedException */
	CM_ERR_MALFORMED_CSR,         /* MalformedCSRException */
	CM_ERR_MALFORMED_CERTIFICATE, /* MalformedCertificateException */
	CM_ERR_CERTIFICATE_MISMATCH,  /* CertificateMismatchException */
	CM_ERR_INVALID_REQUEST,       /* InvalidRequestException */
	CM_ERR_LIMIT_EXCEEDED,        /* LimitExceededException */
	CM_ERR_TOO_MANY_TAGS,         /* TooManyTagsException */
	CM_ERR_INVALID_TAG,           /* InvalidTagException */
	CM_ERR_INVALID_NEXT_TOKEN,    /* InvalidNextTokenException */
	CM_ERR_ALREADY_PROCESSED,     /* RequestAlreadyProcessedException */
	CM_ERR_CONCURRENT_MODIFICATION, /* ConcurrentModificationException */
	CM_ERR_INVALID_POLICY,        /* InvalidPolicyException */
	CM_ERR_RESOURCE_IN_USE,       /* ResourceInUseException */
	CM_ERR_INVALID_PARAMETER,     /* InvalidParameterException (ACM) */
	CM_ERR_INVALID_DOMAIN,        /* InvalidDomainValidationOptionsException (ACM) */
	CM_ERR_THROTTLING,            /* ThrottlingException */
	CM_ERR_CONFLICT,              /* ConflictException (ACM) */
	CM_ERR_PERMISSION_EXISTS,     /* PermissionAlreadyExistsException (PCA) */
	CM_ERR__COUNT
};

struct cm_err {
	enum cm_code code;
	char msg[512];
};

/* Fills *err (may be NULL) and returns -1, so callers can `return cm_fail(...)`. */
int cm_fail(struct cm_err *err, enum cm_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Resets *err to CM_OK with an empty message. */
void cm_err_clear(struct cm_err *err);

/* AWS error type name ("ValidationException") and HTTP status for a code. */
const char *cm_code_type(enum cm_code code);
int cm_code_http_status(enum cm_code code);

#endif
