/* buf: a bounded, growable byte buffer (curl's dynbuf with its "toobig").
 *
 * Ownership: a struct buf owns its data; buf_release() frees it, buf_detach()
 * hands it to the caller (free() it). Every buffer that input can grow has a
 * maximum, and exceeding it is an error the caller must answer, not a truncation.
 */
#ifndef COMMON_BUF_H
#define COMMON_BUF_H

#include <stdarg.h>
#include <stddef.h>

enum buf_status {
	BUF_OK = 0,
	BUF_TOO_BIG = -1, /* the append would pass the buffer's maximum */
	BUF_NOMEM = -2,
};

struct buf {
	char *data; /* always NUL-terminated after the first append; NULL before */
	size_t len;
	size_t cap;
	size_t max; /* the largest len allowed */
};

/* Prepares an empty buffer that may grow to max bytes. Allocates nothing. */
void buf_init(struct buf *b, size_t max);

/* Appends n bytes. Returns BUF_OK, BUF_TOO_BIG (the buffer is unchanged) or BUF_NOMEM. */
int buf_append(struct buf *b, const void *p, size_t n);
int buf_append_str(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_appendf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vappendf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* The contents as a C string; "" for an empty buffer. Borrowed. */
const char *buf_cstr(const struct buf *b);

/* Empties the buffer, keeping its memory. */
void buf_reset(struct buf *b);

/* Frees the contents; the buffer is empty and reusable afterwards. */
void buf_release(struct buf *b);

/* Returns the NUL-terminated contents (caller frees with free()) and empties
 * the buffer. Never NULL unless out of memory: an empty buffer gives "". */
char *buf_detach(struct buf *b, size_t *len);

#endif
