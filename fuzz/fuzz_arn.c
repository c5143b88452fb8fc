/* libFuzzer target: ARN parsing (CA and certificate ARNs) and the pattern
 * checks behind it. Input: the ARN text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/arn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct arn_ca ca = {0};
	struct cm_err err;
	char serial[48];
	if (arn_parse_ca(text, "Arn", &ca, &err) == 0) {
		char back[ARN_MAX];
		arn_format_ca(back, sizeof(back), ca.partition, ca.region, ca.account, ca.ca_id);
		/* A parsed ARN formats back to itself. */
		if (strcmp(back, text) != 0)
			abort();
	}
	arn_parse_pca_certificate(text, "Arn", &ca, serial, sizeof(serial), &err);
	free(text);
	return 0;
}
