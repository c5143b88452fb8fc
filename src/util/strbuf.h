/* A growing NUL-terminated string with an optional hard cap. After a failed
 * append (out of memory, or past the cap) every later append does nothing,
 * so a writer checks once, at the end, with strbuf_take. */
#ifndef CERTAIN_UTIL_STRBUF_H
#define CERTAIN_UTIL_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *p; /* NULL until the first append */
	size_t len, cap;
	size_t max; /* the largest allocation allowed; 0: no cap */
	bool failed;
};

void strbuf_put(struct strbuf *b, const void *s, size_t n);
void strbuf_puts(struct strbuf *b, const char *s);

/* The owned string ("" when nothing was appended) and its length in *len
 * (when len is not NULL); NULL, the buffer freed, when an append failed. */
char *strbuf_take(struct strbuf *b, size_t *len);

#endif
