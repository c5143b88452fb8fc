/* The one source of time. Nothing else calls time(): tests move this clock. */
#ifndef CERTAIN_UTIL_CLOCK_H
#define CERTAIN_UTIL_CLOCK_H

#include <stdint.h>

/* Seconds since the Unix epoch, UTC, plus any offset a test has set. */
int64_t clock_now(void);

/* Milliseconds on a monotonic clock, for durations only. */
int64_t clock_monotonic_ms(void);

/* Shifts clock_now() by offset seconds (tests, and `serve --clock-offset`). */
void clock_set_offset(int64_t offset_seconds);

#endif
