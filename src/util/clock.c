/* Wall and monotonic clocks behind one small interface. The offset is set once
 * at start (or by a unit test) and read by every thread afterwards. */
#include "util/clock.h"

#include <stdatomic.h>
#include <time.h>

static _Atomic int64_t clock_offset;

int64_t clock_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec + atomic_load(&clock_offset);
}

int64_t clock_wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

int64_t clock_monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void clock_set_offset(int64_t offset_seconds)
{
	atomic_store(&clock_offset, offset_seconds);
}

int64_t clock_advance(int64_t seconds)
{
	if (seconds > 0)
		atomic_fetch_add(&clock_offset, seconds);
	return clock_now();
}
