/* Logging to stderr, one line per event, safe from any thread. */
#ifndef TS_LOG_H
#define TS_LOG_H

void ts_log(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define ts_log_info(...) ts_log("info", __VA_ARGS__)
#define ts_log_warn(...) ts_log("warn", __VA_ARGS__)
#define ts_log_error(...) ts_log("error", __VA_ARGS__)

#endif
