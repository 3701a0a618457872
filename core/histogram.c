/* histogram.c: log-linear latency histogram.
 *
 * Bucket b covers values whose top bit is p = b / SUB and whose next four
 * bits are b % SUB; values below SUB get exact buckets. Relative bucket width
 * is at most 1/SUB, so a quantile read at the bucket's upper edge is within
 * about 6% (and usually far closer); max is kept exactly. */
#include "core/histogram.h"

#include <string.h>

#define NBUCKETS (PD_HIST_POW * PD_HIST_SUB)

static unsigned bucket_of(uint64_t v)
{
    unsigned p, sub;

    if (v < PD_HIST_SUB)
        return (unsigned)v;
    p = 63u - (unsigned)__builtin_clzll(v); /* v >= 16, so p >= 4 */
    sub = (unsigned)(v >> (p - 4)) & (PD_HIST_SUB - 1);
    if ((p - 3) * PD_HIST_SUB + sub >= NBUCKETS)
        return NBUCKETS - 1;
    return (p - 3) * PD_HIST_SUB + sub;
}

/* Largest value that falls in bucket b. */
static uint64_t upper_of(unsigned b)
{
    unsigned p, sub;

    if (b < PD_HIST_SUB)
        return b;
    p = b / PD_HIST_SUB + 3;
    sub = b % PD_HIST_SUB;
    return (((uint64_t)(PD_HIST_SUB + sub + 1)) << (p - 4)) - 1;
}

void pd_histogram_reset(pd_histogram *h)
{
    memset(h, 0, sizeof(*h));
}

void pd_histogram_record(pd_histogram *h, uint64_t us)
{
    h->bucket[bucket_of(us)]++;
    h->count++;
    h->sum_us += us;
    if (us > h->max_us)
        h->max_us = us;
}

uint64_t pd_histogram_quantile(const pd_histogram *h, double q)
{
    uint64_t rank, seen = 0;
    unsigned b;

    if (h->count == 0)
        return 0;
    if (q >= 1.0)
        return h->max_us;
    rank = (uint64_t)(q * (double)h->count);
    if (rank < 1)
        rank = 1;
    for (b = 0; b < NBUCKETS; b++) {
        seen += h->bucket[b];
        if (seen >= rank) {
            uint64_t u = upper_of(b);
            return u < h->max_us ? u : h->max_us;
        }
    }
    return h->max_us;
}

void pd_histogram_merge(pd_histogram *dst, const pd_histogram *src)
{
    unsigned b;

    for (b = 0; b < NBUCKETS; b++)
        dst->bucket[b] += src->bucket[b];
    dst->count += src->count;
    dst->sum_us += src->sum_us;
    if (src->max_us > dst->max_us)
        dst->max_us = src->max_us;
}
