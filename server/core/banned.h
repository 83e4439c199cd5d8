/* Functions that are easy to misuse. Including this header after the system
 * headers turns any use of them into a compile error. */
#ifndef TS_BANNED_H
#define TS_BANNED_H

#define TS_BANNED(func) sorry_##func##_is_banned_use_snprintf_or_ts_buf

#undef strcpy
#define strcpy(x, y) TS_BANNED(strcpy)
#undef strcat
#define strcat(x, y) TS_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) TS_BANNED(strncpy)
#undef sprintf
#define sprintf(...) TS_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) TS_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) TS_BANNED(strtok)
#undef gets
#define gets(x) TS_BANNED(gets)

#endif
