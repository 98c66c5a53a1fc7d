/* str: small string helpers that the C library lacks or gets wrong.
 * None allocates except text_dup/text_ndup (free() the result). */
#ifndef COMMON_STR_H
#define COMMON_STR_H

#include <stdbool.h>
#include <stddef.h>

/* Copies src into dst (size n), always NUL-terminating. Returns 0, or -1 when
 * src did not fit (dst then holds a truncated copy). */
int text_copy(char *dst, size_t n, const char *src);

/* malloc'ed copies; NULL only when out of memory. */
char *text_dup(const char *s);
char *text_ndup(const char *s, size_t n);

/* ASCII case-insensitive equality. */
bool text_equal_ci(const char *a, const char *b);

/* True if s[0..n) contains CR, LF or NUL: such a value must never reach a header. */
bool text_has_crlf(const char *s, size_t n);

/* True if s[0..n) is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
bool text_utf8_valid(const char *s, size_t n);

/* The value of a hexadecimal digit, or -1. */
int text_hex_value(char c);

/* Parses a whole decimal integer in [min, max]. Returns 0, or -1 on any junk,
 * overflow or out-of-range value (*out is then unchanged). */
int text_parse_ll(const char *s, long long min, long long max, long long *out);

/* Parses 1/0/true/false/yes/no in any case. Returns 0 or -1. */
int text_parse_bool(const char *s, bool *out);

#endif
