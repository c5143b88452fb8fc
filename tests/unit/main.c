/* Runs every registered unit test (optionally only those whose name contains
 * argv[1]) and prints the one summary line the suite is judged by. */
#include "harness.h"

#include <openssl/err.h>

static struct harness_test *harness_head;

void harness_register(struct harness_test *t)
{
	t->next = harness_head;
	harness_head = t;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;
	for (struct harness_test *t = harness_head; t != NULL; t = t->next) {
		if (argc > 1 && strstr(t->name, argv[1]) == NULL)
			continue;
		int failures = 0;
		t->fn(&failures);
		ERR_clear_error();
		if (failures == 0) {
			passed++;
		} else {
			failed++;
			fprintf(stderr, "FAIL %s\n", t->name);
		}
	}
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
