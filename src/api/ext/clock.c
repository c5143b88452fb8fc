/* Handler: AdvanceClock (the test clock of `serve --test-clock`). Moves the
 * server's clock forward and runs a scheduler and a delivery pass before it
 * answers, so a test sees the consequences of the time it skipped. Without
 * the flag the operation does not exist, and says so exactly as an unknown
 * one does: a production server must not even admit it could move time. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "api/ext/handlers.h"
#include "aws/jv.h"
#include "lifecycle/lifecycle.h"
#include "revocation/revocation.h"
#include "util/clock.h"

/* Far more than any test needs, and far from int64 overflow. */
#define EXT_CLOCK_MAX (100LL * 366 * 86400)

/* "30d", "12h", "90m", "45s" or a sequence of them ("1d12h"); -1 when not. */
static long long ext_parse_duration(const char *s)
{
	long long total = 0;
	if (*s == '\0')
		return -1;
	while (*s != '\0') {
		if (!isdigit((unsigned char)*s))
			return -1;
		char *end;
		long long n = strtoll(s, &end, 10);
		const char *units = "smhd";
		const char *u = *end != '\0' ? strchr(units, *end) : NULL;
		static const long long mult[] = {1, 60, 3600, 86400};
		if (u == NULL || n > EXT_CLOCK_MAX)
			return -1;
		total += n * mult[u - units];
		if (total > EXT_CLOCK_MAX)
			return -1;
		s = end + 1;
	}
	return total;
}

int ext_api_advance_clock(const struct aws_ctx *actx, json_t *in, json_t **out, struct cm_err *err)
{
	const char *duration = NULL;
	long long seconds = 0;
	bool have_seconds = false;
	if (!actx->env->test_clock)
		return cm_fail(err, CM_ERR_UNKNOWN_OPERATION, "Unknown operation %s",
			       "Certain.AdvanceClock");
	if (jv_string(in, NULL, "Duration", false, 2, 64, &duration, err) < 0 ||
	    jv_int(in, NULL, "Seconds", false, 1, EXT_CLOCK_MAX, &seconds, &have_seconds, err) < 0)
		return -1;
	if ((duration == NULL) == !have_seconds)
		return cm_fail(err, CM_ERR_VALIDATION,
			       "1 validation error detected: exactly one of Duration and Seconds "
			       "must be given");
	if (duration != NULL && (seconds = ext_parse_duration(duration)) <= 0)
		return jv_fail_constraint(err, "Duration", duration,
					  "Member must be like 30d, 12h, 90m or 45s");
	int64_t now = clock_advance(seconds);
	revocation_clock_moved();
	if (lifecycle_run_pass(err) < 0)
		return -1;
	*out = json_pack("{s:I, s:I}", "Now", (json_int_t)now, "Advanced", (json_int_t)seconds);
	return 0;
}
