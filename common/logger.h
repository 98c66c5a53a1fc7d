/* logger: the one logging entry point.
 *
 * One line per event on stderr:
 *   2026-11-24T14:15:54.123Z info auth/http: listening addr=127.0.0.1 port=8080
 * time (UTC, ms), level, program/component, then the message: lower-case, what
 * failed first, followed by key=value fields. CR, LF and other control bytes in
 * the formatted text are escaped (\r, \n, \xNN), so one event is one line.
 * errno is preserved across calls. Secrets (passwords, tokens, cookies, SMTP
 * credentials) must never be passed in; use logger_redact() for a token hint.
 * Thread-safe: each line is written with one write(2).
 */
#ifndef COMMON_LOGGER_H
#define COMMON_LOGGER_H

#include <stddef.h>

enum logger_level { LOGGER_DEBUG, LOGGER_INFO, LOGGER_WARN, LOGGER_ERROR };

/* program: "auth", "mailer", "mailctl". min: lines below it are dropped.
 * LOG_LEVEL=debug|info|warn|error in the environment overrides min. */
void logger_init(const char *program, enum logger_level min);

void logger_emit(enum logger_level level, const char *component, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define LOG_DEBUG(comp, ...) logger_emit(LOGGER_DEBUG, comp, __VA_ARGS__)
#define LOG_INFO(comp, ...)  logger_emit(LOGGER_INFO, comp, __VA_ARGS__)
#define LOG_WARN(comp, ...)  logger_emit(LOGGER_WARN, comp, __VA_ARGS__)
#define LOG_ERROR(comp, ...) logger_emit(LOGGER_ERROR, comp, __VA_ARGS__)

/* Writes a loggable hint of a secret into out: its first 6 bytes and "…" (or
 * "-" when empty). Returns out. */
const char *logger_redact(const char *secret, char *out, size_t out_len);

#endif
