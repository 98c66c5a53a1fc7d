/* metrics: counters, gauges and histograms in Prometheus text format.
 *
 * A registry holds metric families (declared once with metrics_declare) and
 * their series, each identified by a label string such as
 * `route="/login",status="200"` ("" for none). Label strings must come from
 * code, never raw input (the caller bounds cardinality); past
 * METRICS_MAX_SERIES new series are dropped. Thread-safe (one mutex).
 * Ownership: metrics_new() gives a registry that metrics_free() frees.
 */
#ifndef COMMON_METRICS_H
#define COMMON_METRICS_H

#include "buf.h"

#define METRICS_MAX_SERIES 1024

enum metrics_kind { METRICS_COUNTER, METRICS_GAUGE, METRICS_HISTOGRAM };

struct metrics;

struct metrics *metrics_new(void);
void metrics_free(struct metrics **m);

/* Declares a family. Histograms use bounds (upper bounds in seconds, ascending,
 * n_bounds of them); NULL gives 5 ms … 10 s defaults. Returns 0, or -1 on a
 * repeated name or out of memory. */
int metrics_declare(struct metrics *m, const char *name, enum metrics_kind kind, const char *help,
                    const double *bounds, int n_bounds);

void metrics_add(struct metrics *m, const char *name, const char *labels, double delta);
void metrics_set(struct metrics *m, const char *name, const char *labels, double value);
void metrics_observe(struct metrics *m, const char *name, const char *labels, double value);

/* Appends the whole registry in text format 0.0.4. Returns a buf status. */
int metrics_render(struct metrics *m, struct buf *out);

#endif
