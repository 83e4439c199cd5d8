/* Whole reads and writes on file descriptors, retried on EINTR and short
 * counts. */
#ifndef TS_CORE_FDIO_H
#define TS_CORE_FDIO_H

#include <stddef.h>
#include <stdint.h>

/* 0, or -1 with errno set (0 after a write that wrote nothing). */
int ts_write_all(int fd, const void *data, size_t len);

/* 0, or -1 with errno set: len bytes at off, or -1 with errno 0 when the
 * file ends first. */
int ts_pread_all(int fd, void *buf, size_t len, uint64_t off);

#endif
