/* The one source of time. Nothing else calls time(): tests move this clock. */
#ifndef CERTAIN_UTIL_CLOCK_H
#define CERTAIN_UTIL_CLOCK_H

#include <stdint.h>

/* Seconds since the Unix epoch, UTC, plus any offset a test has set. */
int64_t clock_now(void);

/* Seconds since the Unix epoch as the host's clock says, without the offset:
 * only for checking what outsiders stamp with their own real clocks (SigV4
 * X-Amz-Date), which a moved test clock must not make look stale. */
int64_t clock_wall_now(void);

/* Milliseconds on a monotonic clock, for durations only. */
int64_t clock_monotonic_ms(void);

/* Shifts clock_now() by offset seconds (tests, and `serve --clock-offset`). */
void clock_set_offset(int64_t offset_seconds);

/* Moves clock_now() forward by seconds (the test clock of `serve --test-clock`);
 * returns the new clock_now(). Never backwards: negative values are ignored. */
int64_t clock_advance(int64_t seconds);

#endif
