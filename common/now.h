/* now: the clock, behind one seam so tests can move time.
 * now_ms_fn is replaced by tests; production code calls now_ms()/now_s() only. */
#ifndef COMMON_NOW_H
#define COMMON_NOW_H

#include <stdint.h>

/* Wall-clock Unix time in milliseconds. Replaced by tests. */
extern int64_t (*now_ms_fn)(void);

int64_t now_ms(void);
int64_t now_s(void);

/* Monotonic milliseconds, for measuring durations (not replaceable). */
int64_t now_mono_ms(void);

#endif
