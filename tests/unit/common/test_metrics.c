/* metrics: Prometheus text format for counters, gauges and histograms. */
#include <string.h>

#include "check.h"
#include "metrics.h"

int main(void)
{
	struct metrics *m = metrics_new();
	static const double bounds[] = { 0.1, 1 };
	struct buf out;

	CHECK_INT(metrics_declare(m, "jobs_total", METRICS_COUNTER, "Jobs.", NULL, 0), 0);
	CHECK_INT(metrics_declare(m, "jobs_total", METRICS_COUNTER, "again", NULL, 0), -1);
	CHECK_INT(metrics_declare(m, "depth", METRICS_GAUGE, "Depth.", NULL, 0), 0);
	CHECK_INT(metrics_declare(m, "lat_seconds", METRICS_HISTOGRAM, "Latency.", bounds, 2), 0);
	metrics_add(m, "jobs_total", "status=\"sent\"", 1);
	metrics_add(m, "jobs_total", "status=\"sent\"", 2);
	metrics_add(m, "unknown_total", "", 1); /* undeclared: ignored */
	metrics_set(m, "depth", "", 7);
	metrics_observe(m, "lat_seconds", "", 0.05);
	metrics_observe(m, "lat_seconds", "", 0.5);
	metrics_observe(m, "lat_seconds", "", 5);
	buf_init(&out, 1 << 16);
	CHECK_INT(metrics_render(m, &out), BUF_OK);
	CHECK_STR(buf_cstr(&out), "# HELP jobs_total Jobs.\n"
	                          "# TYPE jobs_total counter\n"
	                          "jobs_total{status=\"sent\"} 3\n"
	                          "# HELP depth Depth.\n"
	                          "# TYPE depth gauge\n"
	                          "depth 7\n"
	                          "# HELP lat_seconds Latency.\n"
	                          "# TYPE lat_seconds histogram\n"
	                          "lat_seconds_bucket{le=\"0.1\"} 1\n"
	                          "lat_seconds_bucket{le=\"1\"} 2\n"
	                          "lat_seconds_bucket{le=\"+Inf\"} 3\n"
	                          "lat_seconds_sum 5.55\n"
	                          "lat_seconds_count 3\n");
	buf_release(&out);
	metrics_free(&m);
	CHECK(m == NULL);
	return check_summary();
}
