/* The growing string: doubles from 256 bytes, refuses past its cap. */
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>

void strbuf_put(struct strbuf *b, const void *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap != 0 ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = b->max == 0 || cap <= b->max ? realloc(b->p, cap) : NULL;
		if (p == NULL) {
			b->failed = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void strbuf_puts(struct strbuf *b, const char *s)
{
	strbuf_put(b, s, strlen(s));
}

char *strbuf_take(struct strbuf *b, size_t *len)
{
	char *out = b->failed ? NULL : b->p != NULL ? b->p : strdup("");
	if (b->failed)
		free(b->p);
	if (len != NULL)
		*len = out != NULL ? b->len : 0;
	b->p = NULL;
	b->len = b->cap = 0;
	return out;
}
