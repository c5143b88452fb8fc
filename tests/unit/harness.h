/* A very small unit-test harness: each file in tests/unit defines test
 * functions with TEST(name); the runner (main.c) runs them all and prints
 * "N passed, M failed". A test fails when any CHECK in it fails. */
#ifndef CERTAIN_TESTS_HARNESS_H
#define CERTAIN_TESTS_HARNESS_H

#include <stdio.h>
#include <string.h>

struct harness_test {
	const char *name;
	void (*fn)(int *failures);
	struct harness_test *next;
};

void harness_register(struct harness_test *t);

/* Registers the test at load time through a constructor, so adding a test is
 * adding a function: no list to keep in sync. */
#define TEST(name)                                                           \
	static void test_##name(int *harness_failures);                      \
	static struct harness_test harness_t_##name = {#name, test_##name, 0}; \
	__attribute__((constructor)) static void harness_reg_##name(void)    \
	{                                                                    \
		harness_register(&harness_t_##name);                         \
	}                                                                    \
	static void test_##name(int *harness_failures)

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			(void)fprintf(stderr, "  %s:%d: CHECK failed: %s\n", __FILE__, \
				__LINE__, #cond);                            \
			(*harness_failures)++;                               \
		}                                                            \
	} while (0)

#define CHECK_STR_EQ(a, b)                                                   \
	do {                                                                 \
		const char *harness_a = (a), *harness_b = (b);               \
		if (harness_a == NULL || harness_b == NULL ||                \
		    strcmp(harness_a, harness_b) != 0) {                     \
			(void)fprintf(stderr, "  %s:%d: \"%s\" != \"%s\"\n", __FILE__, \
				__LINE__, harness_a ? harness_a : "(null)",  \
				harness_b ? harness_b : "(null)");           \
			(*harness_failures)++;                               \
		}                                                            \
	} while (0)

#endif
