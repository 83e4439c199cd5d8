/* A reader of zips in memory that does not grow with the number of
 * entries: the central directory is walked in a fixed buffer, once, and a
 * member is found again by the offset of its central directory record
 * (what the caller keeps per entry), not by a table of every entry as
 * libzip keeps (~310 bytes an entry: 310 MB at a million images).
 *
 * Stored and deflated members, zip64 sizes, offsets and end records; no
 * encryption, no archives split over disks. Every member's bytes are
 * checked against the CRC-32 and size of its central directory record, and
 * its local header must be where that record says. */
#ifndef TS_EXPORT_ZIPR_H
#define TS_EXPORT_ZIPR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ts_zipr;
struct ts_zipr_file;

/* Where a zip's end records say its central directory is. */
struct ts_zip_ends {
	uint64_t eocd_at;        /* the end of central directory record */
	uint64_t end;            /* the byte after it and its comment */
	uint64_t z64_eocd_at;    /* the zip64 end record, 0 without one */
	uint64_t z64_locator_at; /* its locator (0 without) */
	uint64_t cd_off, cd_size, entries;
};

/* Finds the end records of the zip open at fd (size bytes), the last end
 * record in the file's last 64 KB, and its zip64 record when one of its
 * fields says so; checks the directory lies before them and could hold
 * the entries. 0, or -1 with a reason in why. */
int ts_zip_find_ends(int fd, uint64_t size, struct ts_zip_ends *out, char *why, size_t why_len);

/* Opens the zip at path and finds its central directory. NULL with a
 * reason in why (a sentence fragment: "no end of central directory
 * record") when it is not a zip this reads. */
struct ts_zipr *ts_zipr_open(const char *path, char *why, size_t why_len);

/* The number of entries the end record gives. */
uint64_t ts_zipr_entries(const struct ts_zipr *z);

/* The next entry of the central directory: 1 with *name (valid until the
 * next call) and *at (its record's offset, for ts_zipr_fopen), 0 after
 * the last, -1 with a reason in why when the directory is malformed. A
 * name holding a NUL byte comes as NULL. */
int ts_zipr_next(struct ts_zipr *z, const char **name, uint64_t *at, char *why,
		 size_t why_len);

/* Opens the member whose central directory record is at at. NULL with a
 * reason in why. */
struct ts_zipr_file *ts_zipr_fopen(struct ts_zipr *z, uint64_t at, char *why,
				   size_t why_len);

/* The next bytes of the member: their count, 0 at its end (after its
 * CRC-32 and size were found right), or -1 with a reason in why. */
ssize_t ts_zipr_fread(struct ts_zipr_file *f, void *buf, size_t len, char *why,
		      size_t why_len);

void ts_zipr_fclose(struct ts_zipr_file *f);
void ts_zipr_close(struct ts_zipr *z);

#endif
