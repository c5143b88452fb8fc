/* Structured logging: one logfmt line per event on stderr.
 * Callers pass key/value pairs; values are quoted and escaped here, so a
 * client-controlled string can never forge a second line. Never log a key,
 * a secret, a passphrase, a full CSR or PEM. */
#ifndef CERTAIN_UTIL_LOG_H
#define CERTAIN_UTIL_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Minimum level printed (set once at start from the command line). */
void log_set_level(enum log_level level);

/* The end of a log_event argument list: a typed null pointer, since a bare
 * NULL may be an int 0 in a variadic call. */
#define LOG_END ((const char *)NULL)

/* log_event(LOG_INFO, "request", "id", id, "op", op, LOG_END): msg, then pairs. */
void log_event(enum log_level level, const char *msg, ...) __attribute__((sentinel));

#endif
