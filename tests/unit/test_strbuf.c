/* The growing string: appends, growth past the first block, the cap, and
 * what strbuf_take hands back in each case. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "util/strbuf.h"

TEST(strbuf_grows_and_takes)
{
	struct strbuf b = {0};
	size_t len = 99;
	char *empty = strbuf_take(&b, &len);
	CHECK(empty != NULL && empty[0] == '\0' && len == 0);
	free(empty);
	for (int i = 0; i < 1000; i++)
		strbuf_puts(&b, "abc");
	strbuf_put(&b, "d\0e", 3);
	char *s = strbuf_take(&b, &len);
	CHECK(s != NULL && len == 3003 && strncmp(s, "abcabc", 6) == 0 && s[3000] == 'd' &&
	      s[3001] == '\0' && s[3002] == 'e' && s[3003] == '\0');
	CHECK(b.p == NULL && b.len == 0);
	free(s);
}

TEST(strbuf_cap_fails_once_for_all)
{
	struct strbuf b = {.max = 512};
	char block[300];
	memset(block, 'x', sizeof(block));
	strbuf_put(&b, block, sizeof(block)); /* 301 bytes fit in 512 */
	CHECK(!b.failed && b.len == 300);
	strbuf_put(&b, block, sizeof(block)); /* 601 would need 1024 */
	CHECK(b.failed);
	strbuf_put(&b, "y", 1); /* no-op from now on */
	CHECK(b.len == 300);
	size_t len = 7;
	CHECK(strbuf_take(&b, &len) == NULL && len == 0 && b.p == NULL);
}
