#include "metrics.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "str.h"

#define METRICS_MAX_FAMILIES 64
#define METRICS_MAX_BOUNDS   16

static const double default_bounds[] = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
	                                 0.5,   1.0,  2.5,   5.0,  10.0 };

struct series {
	int family;
	char *labels;
	double value; /* counter/gauge value, histogram sum */
	unsigned long long count;
	unsigned long long buckets[METRICS_MAX_BOUNDS];
};

struct family {
	char *name, *help;
	enum metrics_kind kind;
	double bounds[METRICS_MAX_BOUNDS];
	int n_bounds;
};

struct metrics {
	pthread_mutex_t lock;
	struct family families[METRICS_MAX_FAMILIES];
	int n_families;
	struct series *series;
	size_t n_series;
	unsigned long long dropped;
};

struct metrics *metrics_new(void)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (m)
		pthread_mutex_init(&m->lock, NULL);
	return m;
}

void metrics_free(struct metrics **mp)
{
	struct metrics *m = *mp;

	if (!m)
		return;
	for (int i = 0; i < m->n_families; i++) {
		free(m->families[i].name);
		free(m->families[i].help);
	}
	for (size_t i = 0; i < m->n_series; i++)
		free(m->series[i].labels);
	free(m->series);
	pthread_mutex_destroy(&m->lock);
	free(m);
	*mp = NULL;
}

static int find_family(const struct metrics *m, const char *name)
{
	for (int i = 0; i < m->n_families; i++)
		if (strcmp(m->families[i].name, name) == 0)
			return i;
	return -1;
}

int metrics_declare(struct metrics *m, const char *name, enum metrics_kind kind, const char *help,
                    const double *bounds, int n_bounds)
{
	struct family *f;
	int rc = -1;

	if (!bounds) {
		bounds = default_bounds;
		n_bounds = (int)(sizeof(default_bounds) / sizeof(default_bounds[0]));
	}
	if (n_bounds > METRICS_MAX_BOUNDS)
		return -1;
	pthread_mutex_lock(&m->lock);
	if (find_family(m, name) >= 0 || m->n_families >= METRICS_MAX_FAMILIES)
		goto out;
	f = &m->families[m->n_families];
	f->name = text_dup(name);
	f->help = text_dup(help);
	if (!f->name || !f->help) {
		free(f->name);
		free(f->help);
		goto out;
	}
	f->kind = kind;
	f->n_bounds = kind == METRICS_HISTOGRAM ? n_bounds : 0;
	memcpy(f->bounds, bounds, sizeof(double) * (size_t)f->n_bounds);
	m->n_families++;
	rc = 0;
out:
	pthread_mutex_unlock(&m->lock);
	return rc;
}

/* The series of (family, labels), created on first use; NULL past the cap. */
static struct series *series_get(struct metrics *m, const char *name, const char *labels)
{
	int family = find_family(m, name);
	struct series *s;

	if (family < 0)
		return NULL;
	for (size_t i = 0; i < m->n_series; i++)
		if (m->series[i].family == family && strcmp(m->series[i].labels, labels) == 0)
			return &m->series[i];
	if (m->n_series >= METRICS_MAX_SERIES) {
		m->dropped++;
		return NULL;
	}
	s = realloc(m->series, (m->n_series + 1) * sizeof(*s));
	if (!s)
		return NULL;
	m->series = s;
	s = &m->series[m->n_series];
	memset(s, 0, sizeof(*s));
	s->family = family;
	s->labels = text_dup(labels);
	if (!s->labels)
		return NULL;
	m->n_series++;
	return s;
}

void metrics_add(struct metrics *m, const char *name, const char *labels, double delta)
{
	struct series *s;

	pthread_mutex_lock(&m->lock);
	s = series_get(m, name, labels);
	if (s)
		s->value += delta;
	pthread_mutex_unlock(&m->lock);
}

void metrics_set(struct metrics *m, const char *name, const char *labels, double value)
{
	struct series *s;

	pthread_mutex_lock(&m->lock);
	s = series_get(m, name, labels);
	if (s)
		s->value = value;
	pthread_mutex_unlock(&m->lock);
}

void metrics_observe(struct metrics *m, const char *name, const char *labels, double value)
{
	struct series *s;

	pthread_mutex_lock(&m->lock);
	s = series_get(m, name, labels);
	if (s) {
		const struct family *f = &m->families[s->family];

		s->value += value;
		s->count++;
		for (int i = 0; i < f->n_bounds; i++)
			if (value <= f->bounds[i])
				s->buckets[i]++;
	}
	pthread_mutex_unlock(&m->lock);
}

static const char *kind_name(enum metrics_kind kind)
{
	return kind == METRICS_COUNTER ? "counter" : kind == METRICS_GAUGE ? "gauge" : "histogram";
}

/* name{labels,extra} with the braces only when there is something inside. */
static int render_name(struct buf *out, const char *name, const char *suffix, const char *labels,
                       const char *extra)
{
	bool any = labels[0] || extra[0];

	return buf_appendf(out, "%s%s%s%s%s%s%s", name, suffix, any ? "{" : "", labels,
	                   labels[0] && extra[0] ? "," : "", extra, any ? "}" : "");
}

static int render_histogram(struct buf *out, const struct family *f, const struct series *s)
{
	char le[64];
	int rc = BUF_OK;

	for (int i = 0; i < f->n_bounds && rc == BUF_OK; i++) {
		snprintf(le, sizeof(le), "le=\"%g\"", f->bounds[i]);
		rc = render_name(out, f->name, "_bucket", s->labels, le);
		if (rc == BUF_OK)
			rc = buf_appendf(out, " %llu\n", s->buckets[i]);
	}
	if (rc == BUF_OK)
		rc = render_name(out, f->name, "_bucket", s->labels, "le=\"+Inf\"");
	if (rc == BUF_OK)
		rc = buf_appendf(out, " %llu\n", s->count);
	if (rc == BUF_OK)
		rc = render_name(out, f->name, "_sum", s->labels, "");
	if (rc == BUF_OK)
		rc = buf_appendf(out, " %.9g\n", s->value);
	if (rc == BUF_OK)
		rc = render_name(out, f->name, "_count", s->labels, "");
	if (rc == BUF_OK)
		rc = buf_appendf(out, " %llu\n", s->count);
	return rc;
}

static int render_family(struct buf *out, const struct metrics *m, int family)
{
	const struct family *f = &m->families[family];
	int rc = buf_appendf(out, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help, f->name,
	                     kind_name(f->kind));

	for (size_t i = 0; i < m->n_series && rc == BUF_OK; i++) {
		const struct series *s = &m->series[i];

		if (s->family != family)
			continue;
		if (f->kind == METRICS_HISTOGRAM) {
			rc = render_histogram(out, f, s);
			continue;
		}
		rc = render_name(out, f->name, "", s->labels, "");
		if (rc == BUF_OK)
			rc = buf_appendf(out, " %.17g\n", s->value);
	}
	return rc;
}

int metrics_render(struct metrics *m, struct buf *out)
{
	int rc = BUF_OK;

	pthread_mutex_lock(&m->lock);
	for (int i = 0; i < m->n_families && rc == BUF_OK; i++)
		rc = render_family(out, m, i);
	pthread_mutex_unlock(&m->lock);
	return rc;
}
