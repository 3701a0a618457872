/* histogram.h: constant-memory latency histogram.
 *
 * Log-linear buckets (16 per power of two) over microseconds give quantiles
 * within about 6% (1/16 of a power of two) whatever the range, in
 * 2.5 KiB of counters, with O(1) record.
 * A plain value struct: embed it, copy it for a snapshot. */
#ifndef PD_HISTOGRAM_H
#define PD_HISTOGRAM_H

#include <stdint.h>

#define PD_HIST_SUB 16 /* buckets per power of two */
#define PD_HIST_POW 40 /* powers of two: up to ~2^40 us (12 days) */

typedef struct pd_histogram {
    uint64_t count;                         /* samples recorded */
    uint64_t sum_us;                        /* total, for the mean */
    uint64_t max_us;                        /* largest sample */
    uint32_t bucket[PD_HIST_POW * PD_HIST_SUB]; /* counts per bucket */
} pd_histogram;

void pd_histogram_reset(pd_histogram *h);
void pd_histogram_record(pd_histogram *h, uint64_t us);
/* Returns the q-quantile (0 < q <= 1) in microseconds; 0 when empty. The
 * answer is the upper edge of the bucket holding it, capped at max. */
uint64_t pd_histogram_quantile(const pd_histogram *h, double q);
/* Adds src's samples into dst. */
void pd_histogram_merge(pd_histogram *dst, const pd_histogram *src);

#endif
