/* One pass of the expiry scan (issue: lifecycle; spec acm.md §6.7, §6.8),
 * run by the scheduler thread and by lifecycle_run_pass. */
#ifndef CERTAIN_LIFECYCLE_SCAN_H
#define CERTAIN_LIFECYCLE_SCAN_H

#include <stdint.h>

#include "lifecycle/lifecycle.h"

struct lifecycle_scan_stats {
	int examined;	     /* due rows looked at */
	int warned;	     /* Approaching Expiration events */
	int expired;	     /* certificates marked EXPIRED */
	int renewed;	     /* managed renewals that succeeded */
	int renewal_failed;  /* attempts the CA refused */
	int renewal_started; /* public renewals handed to (or running in) the ACME worker */
	int action_required; /* Renewal Action Required events */
	int skipped;	     /* changed by someone else meanwhile: left for the next pass */
};

/* Looks at every ISSUED certificate due at now (all accounts): warns,
 * marks expired and renews, each change committed with its event. A problem
 * with one certificate is logged and does not stop the pass; -1 only when
 * the work list cannot be read. */
int lifecycle_scan(const struct lifecycle_cfg *cfg, int64_t now, struct lifecycle_scan_stats *stats,
		   struct cm_err *err);

/* The Renewal Action Required mark for a certificate days_left whole days
 * from expiry whose last event was for mark last (0 = none): the mark to
 * send now, or 0 when none is due (spec §6.7, once each: PRIVATE at 45, 30,
 * 15, 3, 1 days before expiry; public at 30, 15, 7, 3, 1). */
int lifecycle_action_mark(int64_t days_left, int last, bool public_cert);

#endif
