#include "export/verify.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/jsonstream.h"
#include "export/coco.h"
#include "export/folder_name.h"
#include "export/schema.h"
#include "export/schemas.h"
#include "export/zipr.h"
#include "hash/sha256.h"
#include "media/image.h"
#include "core/banned.h"

/* Size caps: manifest.json is parsed in memory (bounded here);
 * annotations.json is read as a stream, each image, annotation and other
 * top-level member parsed on its own (each bounded by ELEMENT_MAX), so
 * what it costs in memory is a small record per image; images are
 * streamed. */
#define MANIFEST_MAX ((size_t)64 << 20)
#define ANNOTATIONS_MAX ((size_t)1 << 30)
#define ELEMENT_MAX ((size_t)16 << 20)
#define SCHEMA_ERRORS_MAX ((size_t)256 << 10)
#define MAX_PRINTED 500
#define CHUNK (64 * 1024)
#define IMAGE_MAX ((size_t)512 << 20) /* a zip member decoded in memory */

enum entry_kind { ENTRY_FILE, ENTRY_DIR, ENTRY_OTHER };

struct entry {
	/* "manifest.json", "images/17.jpg", "images/" (a dir) ...: in the
	 * name pool (a folder) or borrowed from libzip (a zip) */
	const char *name;
	enum entry_kind kind;
	uint64_t zip_at; /* a zip's entry: the offset of its central directory record */
};

/* One image of annotations.json: what the checks need of it, kept while
 * the rest of the document is read and dropped piece by piece. */
struct image {
	json_int_t id;
	json_int_t width, height;
	const char *file_name; /* in the name pool; NULL when missing or unsafe */
	uint32_t n_annotations;
	/* The ImageFolder layout: 1 + part * n_cats + class index of
	 * "<part>/<class folder>" (dir_name()); 0 for images/ (or when the
	 * document does not say). */
	uint32_t dir;
	unsigned char checksum[32]; /* binary, when has_checksum */
	unsigned char has_checksum; /* a well-formed checksum_sha256 */
	unsigned char split;        /* SPLIT_* */
	unsigned char present;
	unsigned char label_present;
};

/* An image's "split": absent, a part (1 + enum ts_split_part), or else. */
enum { SPLIT_NONE = 0, SPLIT_OTHER = 4 };

/* Strings that live as long as the verification, in large blocks (a
 * pointer stays valid; no allocation per string). */
struct name_pool {
	char **blocks;
	size_t n_blocks;
	size_t used, size; /* of the last block */
};

#define POOL_BLOCK ((size_t)1 << 20)

static const char *pool_dup(struct name_pool *p, const char *s, size_t len)
{
	char *out;

	if (!p->n_blocks || p->size - p->used < len + 1) {
		p->size = len + 1 > POOL_BLOCK ? len + 1 : POOL_BLOCK;
		p->blocks = ts_xrealloc(p->blocks, (p->n_blocks + 1) * sizeof(*p->blocks));
		p->blocks[p->n_blocks++] = ts_xmalloc(p->size);
		p->used = 0;
	}
	out = p->blocks[p->n_blocks - 1] + p->used;
	memcpy(out, s, len);
	out[len] = '\0';
	p->used += len + 1;
	return out;
}

static void pool_release(struct name_pool *p)
{
	for (size_t i = 0; i < p->n_blocks; i++)
		free(p->blocks[i]);
	free(p->blocks);
	memset(p, 0, sizeof(*p));
}

/* Problems held back to be printed later, in the order the checks report
 * (the first MAX_PRINTED lines kept, the rest counted). */
struct held {
	char **lines;
	size_t n;
	int count;
};

struct cat {
	json_int_t id;
	size_t count;
};

/* The state of the checks of the annotations, read one by one. */
struct annstate {
	int images_sorted, single, seg, det;
	json_int_t prev_image, prev_cat; /* of the annotation before */
	/* ImageFolder: info.split */
	int has_split;
	struct ts_split sp;
	/* Detection: the image whose YOLO text is being built, and the text */
	size_t label_at;
	struct ts_buf want;
};

struct vctx {
	const char *path;
	FILE *out;
	int problems;
	/* the export */
	int is_zip;
	int dirfd;
	struct ts_zipr *zip;
	struct entry *entries;
	size_t n_entries;
	/* parsed files */
	struct ts_buf man_bytes;
	/* annotations.json without its images and annotations (empty arrays
	 * stand in for them): info, licenses, categories ... */
	json_t *ann;
	json_t *man;
	int ann_valid; /* schema-valid */
	int man_valid;
	char ann_hex[TS_SHA256_HEX_SIZE];
	size_t ann_len;     /* bytes of annotations.json */
	int ann_canonical;  /* every piece as json_dumps prints it */
	size_t n_anns;      /* annotations of annotations.json */
	/* reading annotations.json */
	json_t *schema;        /* the annotations schema */
	json_t *image_schema;  /* its items of images and annotations */
	json_t *annotation_schema;
	struct ts_schema_validator *validator; /* of c->schema */
	struct annstate st;
	struct ts_buf schema_errors;  /* lines for the whole-document problems */
	struct ts_buf element_errors[2]; /* lines for images, for annotations */
	int n_schema_errors;
	struct held *hold; /* non-NULL: problems go there */
	struct held collected; /* problems of the images, printed after the schema's */
	char *dump;        /* json_dumpb's buffer for the canonical check */
	size_t dump_cap;
	/* images of annotations.json */
	struct image **image_blocks; /* IMG_BLOCK images each: no copy as they grow */
	size_t n_images;
	struct name_pool names; /* file names of images, names of a folder's entries */
	uint32_t *by_name; /* indexes into images, sorted by file_name */
	size_t n_by_name;
	uint32_t *by_label; /* detection: indexes sorted by label file name */
	size_t n_by_label;
	unsigned char (*label_sha)[32]; /* detection: SHA-256 of each image's YOLO text */
	unsigned char *dir_used; /* ImageFolder: dirs (1 + part * n_cats + ci) holding an image */
	/* categories of annotations.json, sorted by id, with annotation counts */
	struct cat *cats;
	size_t n_cats;
	int imgfd; /* images/ of a folder, opened on first use */
	int detection; /* task_type detection or segmentation: labels/ holds YOLO labels */
	int segmentation; /* task_type segmentation: YOLO segmentation lines */
	int problems_muted; /* > 0: problem() counts and prints nothing */
	int imagefolder; /* info.layout "imagefolder": <part>/<class folder>/<file> */
	size_t n_labels; /* label files found */
	struct ts_image_limits limits; /* for the full decode of each image */
};

#define IMG_SHIFT 12
#define IMG_BLOCK ((size_t)1 << IMG_SHIFT)
#define IMG_MASK (IMG_BLOCK - 1)

/* Image i of annotations.json. */
static inline struct image *IMG(const struct vctx *c, size_t i)
{
	return &c->image_blocks[i >> IMG_SHIFT][i & IMG_MASK];
}

static void problem(struct vctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void problem(struct vctx *c, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (c->problems_muted)
		return;
	if (c->hold) {
		struct held *h = c->hold;

		if (h->n < MAX_PRINTED) {
			va_start(ap, fmt);
			vsnprintf(line, sizeof(line), fmt, ap);
			va_end(ap);
			h->lines = ts_xrealloc(h->lines, (h->n + 1) * sizeof(*h->lines));
			h->lines[h->n++] = ts_xstrdup(line);
		}
		h->count++;
		return;
	}
	c->problems++;
	if (c->problems > MAX_PRINTED) {
		if (c->problems == MAX_PRINTED + 1)
			fprintf(c->out, "(more problems not shown)\n");
		return;
	}
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* Names come from the export: keep terminal control codes out. */
	for (char *p = line; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7F)
			*p = '?';
	fprintf(c->out, "%s\n", line);
}

static void held_release(struct held *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->lines[i]);
	free(h->lines);
	memset(h, 0, sizeof(*h));
}

/* Prints (and counts) the problems held in h, and forgets them. */
static void held_flush(struct vctx *c, struct held *h)
{
	for (int i = 0; i < h->count; i++)
		/* Lines past the kept ones are past MAX_PRINTED: only counted. */
		problem(c, "%s", (size_t)i < h->n ? h->lines[i] : "");
	held_release(h);
}

/* --- listing the export ------------------------------------------------ */

static void add_entry(struct vctx *c, size_t *alloc, const char *name,
		      enum entry_kind kind, uint64_t zip_at)
{
	if (c->n_entries == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 64;
		c->entries = ts_xrealloc(c->entries, *alloc * sizeof(*c->entries));
	}
	c->entries[c->n_entries].name = pool_dup(&c->names, name, strlen(name));
	c->entries[c->n_entries].kind = kind;
	c->entries[c->n_entries].zip_at = zip_at;
	c->n_entries++;
}

static enum entry_kind kind_at(int dirfd, const char *name)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return ENTRY_OTHER;
	if (S_ISREG(st.st_mode))
		return ENTRY_FILE;
	if (S_ISDIR(st.st_mode))
		return ENTRY_DIR;
	return ENTRY_OTHER;
}

static int is_part(const char *name)
{
	return !strcmp(name, "train") || !strcmp(name, "val") || !strcmp(name, "test");
}

/* "train/", "val/" or "test/". */
static int is_part_prefix(const char *prefix)
{
	return !strcmp(prefix, "train/") || !strcmp(prefix, "val/") || !strcmp(prefix, "test/");
}

/* Lists dirfd's entries with prefix ("", "images/", "train/" ...).
 * Directories get a trailing '/'. Descends into images/ and labels/, and
 * train/, val/, test/ and the folders in them. */
static int list_dir(struct vctx *c, size_t *alloc, int dirfd, const char *prefix)
{
	int fd = dup(dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	char name[PATH_MAX];

	if (!d) {
		if (fd >= 0)
			close(fd);
		problem(c, "%s%s: cannot list: %s", prefix, *prefix ? "" : ".",
			strerror(errno));
		return -1;
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		enum entry_kind kind;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		kind = kind_at(dirfd, de->d_name);
		snprintf(name, sizeof(name), "%s%s%s", prefix, de->d_name,
			 kind == ENTRY_DIR ? "/" : "");
		add_entry(c, alloc, name, kind, 0);
		/* images/ and labels/; the parts of the ImageFolder layout and
		 * their class folders. */
		if (kind == ENTRY_DIR &&
		    ((!*prefix && (!strcmp(de->d_name, "images") || !strcmp(de->d_name, "labels") ||
				   is_part(de->d_name))) ||
		     (strchr(prefix, '/') == prefix + strlen(prefix) - 1 &&
		      is_part_prefix(prefix)))) {
			int sub = openat(dirfd, de->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub < 0) {
				problem(c, "%s: cannot open: %s", name, strerror(errno));
				continue;
			}
			list_dir(c, alloc, sub, name);
			close(sub);
		}
	}
	closedir(d);
	return 0;
}

/* Lists the zip's entries from its central directory: 0, or -1 with a
 * reason in why when the directory is malformed. */
static int list_zip(struct vctx *c, size_t *alloc, char *why, size_t why_len)
{
	const char *name;
	uint64_t at;
	int r;

	for (uint64_t i = 0; (r = ts_zipr_next(c->zip, &name, &at, why, why_len)) > 0; i++) {
		size_t len;

		if (!name) {
			problem(c, "entry %llu: unreadable name in zip", (unsigned long long)i);
			continue;
		}
		len = strlen(name);
		add_entry(c, alloc, name, len && name[len - 1] == '/' ? ENTRY_DIR : ENTRY_FILE,
			  at);
	}
	return r;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

/* --- reading members --------------------------------------------------- */

/* An open member: a file of the folder (fd) or an entry of the zip (zf). */
struct member {
	int fd;
	struct ts_zipr_file *zf;
};

/* The zip's entry name (entries are sorted by name once listed). */
static const struct entry *zip_entry(const struct vctx *c, const char *name)
{
	struct entry key = { .name = name };

	if (!c->n_entries)
		return NULL;
	return bsearch(&key, c->entries, c->n_entries, sizeof(*c->entries), cmp_entry);
}

/* Opens member name, a regular file. Returns 0, or -1 after reporting. */
static int member_open(struct vctx *c, const char *name, struct member *m)
{
	struct stat st;
	const struct entry *e;
	char why[160];

	m->fd = -1;
	m->zf = NULL;
	if (!c->is_zip) {
		m->fd = openat(c->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (m->fd < 0) {
			problem(c, "%s: %s", name, errno == ENOENT ? "missing" : strerror(errno));
			return -1;
		}
		if (fstat(m->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
			problem(c, "%s: not a regular file", name);
			close(m->fd);
			m->fd = -1;
			return -1;
		}
		return 0;
	}
	e = zip_entry(c, name);
	if (!e) {
		problem(c, "%s: missing", name);
		return -1;
	}
	m->zf = ts_zipr_fopen(c->zip, e->zip_at, why, sizeof(why));
	if (!m->zf) {
		problem(c, "%s: cannot open in zip: %s", name, why);
		return -1;
	}
	return 0;
}

static void member_close(struct member *m)
{
	if (m->zf)
		ts_zipr_fclose(m->zf);
	if (m->fd >= 0)
		close(m->fd);
}

/* The next bytes of m: their count, 0 at the end, or -1 after reporting. */
static ssize_t member_read(struct vctx *c, struct member *m, const char *name, char *buf,
			   size_t len)
{
	for (;;) {
		ssize_t n;

		if (m->zf) {
			char why[160];
			ssize_t z = ts_zipr_fread(m->zf, buf, len, why, sizeof(why));

			if (z >= 0)
				return z;
			problem(c, "%s: read failed: %s", name, why);
			return -1;
		}
		n = read(m->fd, buf, len);
		if (n >= 0)
			return n;
		if (errno != EINTR) {
			problem(c, "%s: read failed: %s", name, strerror(errno));
			return -1;
		}
	}
}

/* Reads a whole (small) member into out. Returns 0, or -1 after reporting. */
static int read_member(struct vctx *c, const char *name, size_t cap, struct ts_buf *out)
{
	struct member m;
	char *chunk;
	ssize_t n;

	if (member_open(c, name, &m))
		return -1;
	chunk = ts_xmalloc(CHUNK);
	while ((n = member_read(c, &m, name, chunk, CHUNK)) > 0) {
		if (ts_buf_add(out, chunk, (size_t)n)) {
			problem(c, "%s: larger than %zu bytes", name, cap);
			n = -1;
			break;
		}
	}
	free(chunk);
	member_close(&m);
	return n == 0 ? 0 : -1;
}

/* Hashes one image and decodes it in full (media/image.h): an export
 * must hold no image that does not decode. A folder's file is mapped; a
 * zip member is read into memory (at most IMAGE_MAX bytes). Returns 0
 * (hex set; *decoded 1 when the image decodes, else a problem was
 * reported and *decoded is 0), or -1 after reporting when the bytes
 * cannot be read. */
/* Opens the file at path ("a/b/file") below dirfd without following a
 * symbolic link at any step; -1 with errno set otherwise. */
static int open_below(int dirfd, const char *path)
{
	char part[PATH_MAX];
	int fd = dup(dirfd);

	while (fd >= 0) {
		size_t len = strcspn(path, "/");
		int next;

		if (len >= sizeof(part)) {
			close(fd);
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(part, path, len);
		part[len] = '\0';
		next = openat(fd, part,
			      O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (path[len] ? O_DIRECTORY : 0));
		close(fd);
		if (!path[len] || next < 0)
			return next;
		fd = next;
		path += len + 1;
	}
	return -1;
}

static void to_hex(const unsigned char bin[32], char hex[TS_SHA256_HEX_SIZE])
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < 32; i++) {
		hex[2 * i] = digits[bin[i] >> 4];
		hex[2 * i + 1] = digits[bin[i] & 15];
	}
	hex[64] = '\0';
}

/* hex: ts_sha256_is_hex. */
static void from_hex(const char *hex, unsigned char bin[32])
{
	for (size_t i = 0; i < 32; i++) {
		int hi = hex[2 * i], lo = hex[2 * i + 1];

		hi = hi <= '9' ? hi - '0' : (hi | 0x20) - 'a' + 10;
		lo = lo <= '9' ? lo - '0' : (lo | 0x20) - 'a' + 10;
		bin[i] = (unsigned char)(hi << 4 | lo);
	}
}

/* The ImageFolder folder of im ("train/0_cat") into out, or NULL when it
 * has none (its file is in images/). */
static const char *dir_name(struct vctx *c, const struct image *im,
			    char out[TS_IMAGEFOLDER_DIR_SIZE])
{
	json_t *acats = json_object_get(c->ann, "categories");
	size_t ci, part;

	if (!im->dir || !c->n_cats)
		return NULL;
	ci = (im->dir - 1) % c->n_cats;
	part = (im->dir - 1) / c->n_cats;
	ts_imagefolder_dir(ts_split_name((enum ts_split_part)part), ci, c->n_cats,
			   json_string_value(json_object_get(json_array_get(acats, ci), "name")),
			   out);
	return out;
}

static int hash_image(struct vctx *c, const struct image *im, char hex[TS_SHA256_HEX_SIZE],
		      int *decoded)
{
	char dirbuf[TS_IMAGEFOLDER_DIR_SIZE];
	const char *dir = dir_name(c, im, dirbuf);
	char name[PATH_MAX];
	struct ts_error err = { 0 };
	struct ts_sha256 h;
	struct ts_buf bytes;
	const unsigned char *data = NULL;
	void *map = NULL;
	size_t len = 0;
	int rc = -1;

	*decoded = 0;
	ts_buf_init(&bytes, IMAGE_MAX);
	snprintf(name, sizeof(name), "%s/%s", dir ? dir : "images", im->file_name);
	if (!c->is_zip) {
		struct stat st;
		int fd;

		if (dir) {
			fd = open_below(c->dirfd, name);
		} else {
			if (c->imgfd < 0)
				c->imgfd = openat(c->dirfd, "images",
						  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			fd = c->imgfd >= 0 ? openat(c->imgfd, im->file_name,
						    O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
					   : -1;
		}
		if (fd < 0) {
			problem(c, "%s: cannot open: %s", name, strerror(errno));
			return -1;
		}
		if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
			problem(c, "%s: not a regular file", name);
			close(fd);
			return -1;
		}
		len = (size_t)st.st_size;
		if (len > 0) {
			map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
			if (map == MAP_FAILED) {
				problem(c, "%s: cannot read: %s", name, strerror(errno));
				close(fd);
				return -1;
			}
			data = map;
		}
		close(fd);
	} else {
		struct member m;
		char *chunk;
		ssize_t n;

		if (member_open(c, name, &m))
			return -1;
		chunk = ts_xmalloc(CHUNK);
		while ((n = member_read(c, &m, name, chunk, CHUNK)) > 0)
			if (ts_buf_add(&bytes, chunk, (size_t)n)) {
				problem(c, "%s: larger than %zu bytes", name, (size_t)IMAGE_MAX);
				n = -1;
				break;
			}
		free(chunk);
		member_close(&m);
		if (n != 0)
			goto out;
		data = (const unsigned char *)bytes.ptr;
		len = bytes.len;
	}
	ts_sha256_init(&h);
	ts_sha256_update(&h, data ? (const void *)data : "", len);
	ts_sha256_final(&h, hex, NULL);
	rc = 0;
	if (ts_media_image_decode_buffer(data, len, &c->limits, NULL, &err) == TS_OK)
		*decoded = 1;
	else
		problem(c, "%s: the image does not decode: %s", name, err.message);
	ts_error_release(&err);
out:
	if (map)
		munmap(map, len);
	ts_buf_release(&bytes);
	return rc;
}

/* --- parsing and schema ------------------------------------------------ */

static json_t *parse(struct vctx *c, const char *name, struct ts_buf *bytes)
{
	json_error_t je;
	json_t *doc;

	doc = json_loadb(bytes->ptr ? bytes->ptr : "", bytes->len, JSON_REJECT_DUPLICATES, &je);
	if (!doc)
		problem(c, "%s: invalid JSON at line %d column %d: %s", name, je.line,
			je.column, je.text);
	return doc;
}

static json_t *load_schema(const char *name, const unsigned char *schema_text,
			   size_t schema_len)
{
	json_error_t je;
	json_t *schema = json_loadb((const char *)schema_text, schema_len, 0, &je);

	if (!schema)
		ts_die("embedded schema for %s does not parse: %s", name, je.text);
	return schema;
}

/* Reports n schema problems of name, whose lines are in errors[0..k). */
static void report_schema(struct vctx *c, const char *name, struct ts_buf *errors, size_t k,
			  int n)
{
	int shown = 0;

	for (size_t b = 0; b < k; b++) {
		char *line = errors[b].ptr;

		while (line && *line) {
			char *nl = strchr(line, '\n');

			if (nl)
				*nl = '\0';
			problem(c, "%s: %s", name, line);
			shown++;
			line = nl ? nl + 1 : NULL;
		}
	}
	/* Lines beyond the buffer cap were counted but not kept. */
	if (shown < n) {
		problem(c, "%s: %d more schema problems", name, n - shown);
		c->problems += n - shown - 1;
	}
}

static int validate(struct vctx *c, const char *name, const unsigned char *schema_text,
		    size_t schema_len, json_t *doc)
{
	json_t *schema = load_schema(name, schema_text, schema_len);
	struct ts_buf errors;
	int n;

	ts_buf_init(&errors, SCHEMA_ERRORS_MAX);
	n = ts_schema_validate(schema, doc, &errors);
	report_schema(c, name, &errors, 1, n);
	ts_buf_release(&errors);
	json_decref(schema);
	return n == 0;
}

/* --- checks on annotations.json ---------------------------------------- */


static json_int_t int_of(json_t *obj, const char *key)
{
	return json_integer_value(json_object_get(obj, key));
}

static const char *str_of(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* Whether two strings of a document differ; a missing one (NULL) equals
 * only another missing one. */
static int str_ne(const char *a, const char *b)
{
	return a && b ? strcmp(a, b) != 0 : a != b;
}

static int cmp_by_name(const void *a, const void *b, void *arg)
{
	const struct vctx *c = arg;

	return strcmp(IMG(c, *(const uint32_t *)a)->file_name,
		      IMG(c, *(const uint32_t *)b)->file_name);
}

static struct image *image_by_name(struct vctx *c, const char *name)
{
	size_t lo = 0, hi = c->n_by_name;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(IMG(c, c->by_name[mid])->file_name, name);

		if (!r)
			return IMG(c, c->by_name[mid]);
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static struct image *image_by_id(struct vctx *c, json_int_t id)
{
	/* images are checked to be sorted by id before this is used */
	size_t lo = 0, hi = c->n_images;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (IMG(c, mid)->id == id)
			return IMG(c, mid);
		if (IMG(c, mid)->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* --- reading annotations.json as a stream ------------------------------ */

static const char *const split_arrays[] = { "images", "annotations", NULL };

/* annotations.json open for reading, hashed and counted on the way. */
struct annread {
	struct vctx *c;
	struct member m;
	struct ts_sha256 h;
	size_t bytes;
	int failed; /* a problem was reported */
};

static ssize_t annread_fn(void *arg, char *buf, size_t len)
{
	struct annread *r = arg;
	struct held *was = r->c->hold;
	ssize_t n;

	r->c->hold = NULL; /* not a problem of the JSON: printed as it comes */
	n = member_read(r->c, &r->m, "annotations.json", buf, len);
	if (n >= 0 && r->bytes + (size_t)n > ANNOTATIONS_MAX) {
		problem(r->c, "annotations.json: larger than %zu bytes", ANNOTATIONS_MAX);
		n = -1;
	}
	r->c->hold = was;
	if (n < 0) {
		r->failed = 1;
		return -1;
	}
	r->bytes += (size_t)n;
	ts_sha256_update(&r->h, buf, (size_t)n);
	return n;
}

/* Opens annotations.json for a streamed pass: r reads and hashes it, s
 * splits its arrays into elements. -1 (reported) when it cannot be opened. */
static int annread_open(struct vctx *c, struct annread *r, struct ts_jsonstream *s)
{
	memset(r, 0, sizeof(*r));
	r->c = c;
	if (member_open(c, "annotations.json", &r->m))
		return -1;
	ts_sha256_init(&r->h);
	ts_jsonstream_init(s, ELEMENT_MAX, split_arrays, annread_fn, r);
	return 0;
}

/* Parses one piece of annotations.json (it says where it starts); NULL
 * after reporting where it is not JSON. */
static json_t *parse_piece(struct vctx *c, const struct ts_jsonstream_item *it,
			   const char *text, size_t len, size_t flags)
{
	json_error_t je;
	json_t *v = json_loadb(len ? text : "", len, JSON_REJECT_DUPLICATES | flags, &je);

	if (!v) {
		size_t line = it->line, col = it->column;

		if (je.line > 1) {
			line += (size_t)je.line - 1;
			col = (size_t)je.column;
		} else if (je.line == 1 && je.column > 0) {
			col += (size_t)je.column - 1;
		}
		problem(c, "annotations.json: invalid JSON at line %zu column %zu: %s", line, col,
			je.text);
	}
	return v;
}

/* Whether text is v as json_dumps(JSON_COMPACT | JSON_PRESERVE_ORDER)
 * prints it. */
static int is_canonical(struct vctx *c, json_t *v, const char *text, size_t len)
{
	size_t flags = JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY;
	size_t n = json_dumpb(v, c->dump, c->dump_cap, flags);

	if (n > c->dump_cap) {
		c->dump_cap = n;
		c->dump = ts_xrealloc(c->dump, n);
		n = json_dumpb(v, c->dump, c->dump_cap, flags);
	}
	return n == len && (!len || !memcmp(c->dump, text, len));
}

static void check_canonical(struct vctx *c, json_t *v, const char *text, size_t len)
{
	if (c->ann_canonical && !is_canonical(c, v, text, len))
		c->ann_canonical = 0;
}

static void free_images(struct vctx *c)
{
	for (size_t b = 0; b < (c->n_images + IMG_MASK) >> IMG_SHIFT; b++)
		free(c->image_blocks[b]);
	free(c->image_blocks);
	c->image_blocks = NULL;
	c->n_images = 0;
}

/* Image i of annotations.json: its schema, and its record, taken
 * defensively (the schema may fail), file names checked. */
static void take_image(struct vctx *c, size_t i, json_t *im)
{
	const char *fn = str_of(im, "file_name");
	const char *sum = str_of(im, "checksum_sha256");
	const char *split = str_of(im, "split");
	char path[48];
	struct image *x;

	snprintf(path, sizeof(path), "/images/%zu", i);
	if (c->image_schema)
		c->n_schema_errors += ts_schema_validator_run(c->validator, c->image_schema, im, path,
							    &c->element_errors[0]);
	if (!(c->n_images & IMG_MASK)) {
		size_t b = c->n_images >> IMG_SHIFT;

		c->image_blocks = ts_xrealloc(c->image_blocks, (b + 1) * sizeof(*c->image_blocks));
		c->image_blocks[b] = ts_xmalloc(IMG_BLOCK * sizeof(struct image));
	}
	x = IMG(c, c->n_images++);
	memset(x, 0, sizeof(*x));
	x->id = int_of(im, "id");
	x->width = int_of(im, "width");
	x->height = int_of(im, "height");
	if (fn && ts_coco_file_name_ok(fn)) {
		x->file_name = pool_dup(&c->names, fn, strlen(fn));
	} else if (fn) {
		struct held *was = c->hold;

		c->hold = &c->collected;
		problem(c, "annotations.json: /images/%zu/file_name: unsafe file name \"%s\"", i,
			fn);
		c->hold = was;
	}
	if (sum && ts_sha256_is_hex(sum)) {
		from_hex(sum, x->checksum);
		x->has_checksum = 1;
	}
	if (json_object_get(im, "split")) {
		x->split = SPLIT_OTHER;
		for (int k = 0; split && k < 3; k++)
			if (!strcmp(split, ts_split_name((enum ts_split_part)k)))
				x->split = (unsigned char)(1 + k);
	}
}

/* Annotation i of annotations.json: its schema (its checks wait for
 * check_annotations_doc, once every image is known). */
static void take_annotation(struct vctx *c, size_t i, json_t *a)
{
	char path[48];

	snprintf(path, sizeof(path), "/annotations/%zu", i);
	if (c->annotation_schema)
		c->n_schema_errors += ts_schema_validator_run(c->validator, c->annotation_schema, a,
							    path, &c->element_errors[1]);
	c->n_anns++;
}

static void take_element(struct vctx *c, int which, size_t i, json_t *v)
{
	if (which == 1)
		take_image(c, i, v);
	else
		take_annotation(c, i, v);
}

/* 1 for "images", 2 for "annotations", else 0. */
static int split_kind(const char *key)
{
	return !strcmp(key, "images") ? 1 : !strcmp(key, "annotations") ? 2 : 0;
}

/* The key of a member: a string, not seen before in the document (jansson
 * would refuse it: JSON_REJECT_DUPLICATES). NULL after reporting. */
static json_t *piece_key(struct vctx *c, const struct ts_jsonstream_item *it, json_t *seen)
{
	json_t *k = parse_piece(c, it, it->key, it->key_len, JSON_DECODE_ANY);

	if (!k)
		return NULL;
	if (!json_is_string(k) || strlen(json_string_value(k)) != json_string_length(k)) {
		problem(c, "annotations.json: invalid JSON at line %zu column %zu: a key "
			"that is not a string without NUL bytes", it->line, it->column);
		json_decref(k);
		return NULL;
	}
	if (json_object_get(seen, json_string_value(k))) {
		problem(c, "annotations.json: invalid JSON at line %zu column %zu: duplicate "
			"object key near '%.*s'", it->line, it->column,
			(int)(it->key_len > 200 ? 200 : it->key_len), it->key);
		json_decref(k);
		return NULL;
	}
	check_canonical(c, k, it->key, it->key_len);
	return k;
}

/* annotations.json is not JSON (problem held in jerr). A document small
 * enough to be one piece is parsed whole, so that its problem is named as
 * jansson names it in the whole text; a larger one gets what the stream
 * found. */
static void whole_error(struct vctx *c, struct held *jerr)
{
	struct ts_buf all;
	json_t *doc = NULL;
	int small;

	ts_buf_init(&all, ELEMENT_MAX);
	c->problems_muted++;
	small = !read_member(c, "annotations.json", ELEMENT_MAX, &all);
	c->problems_muted--;
	if (small && !(doc = parse(c, "annotations.json", &all)))
		held_release(jerr);
	else
		held_flush(c, jerr);
	json_decref(doc);
	ts_buf_release(&all);
}

/* Reads annotations.json piece by piece (first pass): hashes it, checks
 * that it is JSON, in canonical form and what the schema says of each
 * image and annotation, and keeps a record per image and the rest of the
 * document (c->ann, with empty arrays for images and annotations). When
 * it is not JSON, nothing of it is kept (c->ann NULL). */
static void read_annotations(struct vctx *c)
{
	struct annread r;
	struct ts_jsonstream s;
	struct ts_jsonstream_item it;
	json_t *rest = json_object(), *v, *k;
	int which = 0, ok = 1, done = 0;
	size_t kept = 0; /* bytes of the members kept whole in rest */

	struct held jerr; /* the JSON's problem, until it is known whether the
			   * whole document's parse can name it instead */

	memset(&jerr, 0, sizeof(jerr));
	if (annread_open(c, &r, &s)) {
		json_decref(rest);
		return;
	}
	c->ann_canonical = 1;
	c->hold = &jerr;
	while (ok && !done) {
		switch (ts_jsonstream_next(&s, &it)) {
		case TS_JSONSTREAM_END:
			done = 1;
			break;
		case TS_JSONSTREAM_ERROR:
			ok = 0;
			if (r.failed)
				break;
			if (which && !strncmp(it.message, "a value longer", 14))
				problem(c, "annotations.json: /%s/%zu: larger than %zu bytes (each "
					"image and annotation is read on its own, up to that size)",
					which == 1 ? "images" : "annotations", s.index,
					ELEMENT_MAX);
			else
				problem(c, "annotations.json: invalid JSON at line %zu column %zu: %s",
					it.line, it.column, it.message);
			break;
		case TS_JSONSTREAM_DOCUMENT:
			/* Not an object: the parser refuses it, or the schema. */
			v = parse_piece(c, &it, it.value, it.len, 0);
			if (!v) {
				ok = 0;
				break;
			}
			check_canonical(c, v, it.value, it.len);
			json_decref(rest);
			rest = v;
			break;
		case TS_JSONSTREAM_ARRAY:
			k = piece_key(c, &it, rest);
			if (!k) {
				ok = 0;
				break;
			}
			which = split_kind(json_string_value(k));
			json_object_set_new(rest, json_string_value(k), json_array());
			json_decref(k);
			break;
		case TS_JSONSTREAM_MEMBER:
			kept += it.key_len + it.len;
			if (kept > ELEMENT_MAX) {
				struct held *was = c->hold;

				/* not a JSON problem: printed as it is */
				c->hold = NULL;
				problem(c, "annotations.json: the members besides images and "
					"annotations are larger than %zu bytes together",
					ELEMENT_MAX);
				c->hold = was;
				ok = 0;
				break;
			}
			k = piece_key(c, &it, rest);
			if (!k)
				ok = 0;
			v = k ? parse_piece(c, &it, it.value, it.len, JSON_DECODE_ANY) : NULL;
			if (!v) {
				json_decref(k);
				ok = 0;
				break;
			}
			check_canonical(c, v, it.value, it.len);
			if (split_kind(json_string_value(k)) && json_is_array(v)) {
				/* a key spelled with escapes: its array came whole */
				size_t i;
				json_t *e;

				json_array_foreach(v, i, e)
					take_element(c, split_kind(json_string_value(k)), i, e);
				json_decref(v);
				v = json_array();
			}
			json_object_set_new(rest, json_string_value(k), v);
			json_decref(k);
			break;
		case TS_JSONSTREAM_ELEMENT:
			v = parse_piece(c, &it, it.value, it.len, JSON_DECODE_ANY);
			if (!v) {
				ok = 0;
				break;
			}
			check_canonical(c, v, it.value, it.len);
			take_element(c, which, it.index, v);
			json_decref(v);
			break;
		case TS_JSONSTREAM_ARRAY_END:
			which = 0;
			break;
		}
	}
	c->hold = NULL;
	if (ts_jsonstream_spaced(&s))
		c->ann_canonical = 0;
	ts_jsonstream_release(&s);
	member_close(&r.m);
	if (!ok && jerr.count)
		whole_error(c, &jerr);
	if (!ok) {
		ts_sha256_release(&r.h);
		json_decref(rest);
		free_images(c);
		c->n_anns = 0;
		c->n_schema_errors = 0;
		ts_buf_reset(&c->element_errors[0]);
		ts_buf_reset(&c->element_errors[1]);
		held_release(&c->collected);
		return;
	}
	ts_sha256_final(&r.h, c->ann_hex, NULL);
	c->ann_len = r.bytes;
	c->ann = rest;
}

/* Whether line (a schema problem "<pointer>: <message>") is about the
 * top-level member key. */
static int line_under(const char *line, const char *key)
{
	const char *p = line;

	if (*p++ != '/')
		return 0;
	for (; *key; key++) {
		const char *want = *key == '~' ? "~0" : *key == '/' ? "~1" : NULL;

		if (want) {
			if (strncmp(p, want, 2))
				return 0;
			p += 2;
		} else if (*p++ != *key) {
			return 0;
		}
	}
	return *p == '/' || *p == ':';
}

/* Splits the lines of b in place: their starts into *lines. */
static size_t split_lines(struct ts_buf *b, char ***lines)
{
	size_t n = 0;
	char *line = b->ptr;

	*lines = NULL;
	while (line && *line) {
		char *nl = strchr(line, '\n');

		*lines = ts_xrealloc(*lines, (n + 1) * sizeof(**lines));
		(*lines)[n++] = line;
		if (nl)
			*nl = '\0';
		line = nl ? nl + 1 : NULL;
	}
	return n;
}

/* Validates what read_annotations left of annotations.json (images and
 * annotations were validated one by one on the way) and prints the
 * problems in the order validating the whole document gives: the
 * document's own, then member by member in the document's order. */
static int validate_annotations(struct vctx *c)
{
	int n = ts_schema_validator_run(c->validator, c->schema, c->ann, "", &c->schema_errors) +
		c->n_schema_errors;
	char **rest, **el[2];
	size_t n_rest = split_lines(&c->schema_errors, &rest), n_el[2], shown = 0;
	unsigned char *done = ts_xcalloc(n_rest + 1, 1);
	const char *key;
	json_t *v;

	n_el[0] = split_lines(&c->element_errors[0], &el[0]);
	n_el[1] = split_lines(&c->element_errors[1], &el[1]);
	for (size_t i = 0; i < n_rest; i++)
		if (rest[i][0] != '/') {
			problem(c, "annotations.json: %s", rest[i]);
			done[i] = 1;
			shown++;
		}
	json_object_foreach(c->ann, key, v) {
		int kind = split_kind(key);

		for (size_t i = 0; i < n_rest; i++)
			if (!done[i] && line_under(rest[i], key)) {
				problem(c, "annotations.json: %s", rest[i]);
				done[i] = 1;
				shown++;
			}
		if (kind && json_is_array(v) && !json_array_size(v)) {
			for (size_t i = 0; i < n_el[kind - 1]; i++)
				problem(c, "annotations.json: %s", el[kind - 1][i]);
			shown += n_el[kind - 1];
			n_el[kind - 1] = 0;
		}
	}
	for (size_t i = 0; i < n_rest; i++)
		if (!done[i]) {
			problem(c, "annotations.json: %s", rest[i]);
			shown++;
		}
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < n_el[k]; i++)
			problem(c, "annotations.json: %s", el[k][i]);
		shown += n_el[k];
	}
	/* Lines beyond the buffers' cap were counted but not kept. */
	if ((int)shown < n) {
		problem(c, "annotations.json: %d more schema problems", n - (int)shown);
		c->problems += n - (int)shown - 1;
	}
	free(done);
	free(rest);
	free(el[0]);
	free(el[1]);
	return n == 0;
}

/* Sorts the images by file name (duplicates reported). */
static void index_images(struct vctx *c)
{
	size_t i;

	held_flush(c, &c->collected);
	c->by_name = ts_xcalloc(c->n_images ? c->n_images : 1, sizeof(*c->by_name));
	for (i = 0; i < c->n_images; i++)
		if (IMG(c, i)->file_name)
			c->by_name[c->n_by_name++] = (uint32_t)i;
	qsort_r(c->by_name, c->n_by_name, sizeof(*c->by_name), cmp_by_name, c);
	for (i = 1; i < c->n_by_name; i++)
		if (!strcmp(IMG(c, c->by_name[i])->file_name,
			    IMG(c, c->by_name[i - 1])->file_name))
			problem(c, "annotations.json: file_name \"%s\" used by images %lld and %lld",
				IMG(c, c->by_name[i])->file_name,
				(long long)IMG(c, c->by_name[i - 1])->id,
				(long long)IMG(c, c->by_name[i])->id);
}

static int cmp_cat(const void *a, const void *b)
{
	json_int_t x = ((const struct cat *)a)->id, y = ((const struct cat *)b)->id;

	return (x > y) - (x < y);
}

static struct cat *cat_by_id(struct vctx *c, json_int_t id)
{
	struct cat key = { id, 0 };

	return bsearch(&key, c->cats, c->n_cats, sizeof(*c->cats), cmp_cat);
}

static int name_has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7F)
			return 1;
	return 0;
}

/* Returns 1 when ordering allows id lookups (images sorted by id). */
/* An object's rings read from JSON: rings[] point into xy. */
struct obj_rings {
	struct ts_ring *rings;
	size_t n;
	double *xy;
};

static void obj_rings_release(struct obj_rings *o)
{
	free(o->rings);
	free(o->xy);
	memset(o, 0, sizeof(*o));
}

/* Reads rings [[x1, y1, ...], ...] (what) of annotation i into *o; each
 * ring at least 3 points of numbers inside a w x h image. 0 when readable
 * and inside (problems reported otherwise). */
static int read_rings(struct vctx *c, size_t i, const char *what, json_t *arr, json_int_t w,
		      json_int_t h, struct obj_rings *o)
{
	size_t total = 0, at = 0, r;
	json_t *ring;
	int bad = 0;

	memset(o, 0, sizeof(*o));
	if (!json_is_array(arr) || json_array_size(arr) == 0) {
		problem(c, "annotations.json: /annotations/%zu/%s: not a list of rings", i, what);
		return -1;
	}
	json_array_foreach(arr, r, ring) {
		size_t len = json_array_size(ring);

		if (!json_is_array(ring) || len % 2 || len < 6) {
			problem(c, "annotations.json: /annotations/%zu/%s/%zu: not a ring of at "
				"least 3 points [x1, y1, x2, y2, ...]", i, what, r);
			return -1;
		}
		total += len / 2;
	}
	if (total > TS_POLYGON_MAX_OBJECT_POINTS) {
		problem(c, "annotations.json: /annotations/%zu/%s: more than %d points", i, what,
			TS_POLYGON_MAX_OBJECT_POINTS);
		return -1;
	}
	o->n = json_array_size(arr);
	o->rings = ts_xcalloc(o->n, sizeof(*o->rings));
	o->xy = ts_xmalloc(2 * total * sizeof(*o->xy));
	json_array_foreach(arr, r, ring) {
		size_t k;
		json_t *num;

		o->rings[r].xy = o->xy + at;
		o->rings[r].n = json_array_size(ring) / 2;
		json_array_foreach(ring, k, num) {
			double v = json_number_value(num);

			o->xy[at++] = v;
			if (!bad && (!json_is_number(num) || !(v >= 0) ||
				     v > (double)(k % 2 ? h : w))) {
				problem(c, "annotations.json: /annotations/%zu/%s/%zu: point %zu not "
					"inside the %lldx%lld image", i, what, r, k / 2,
					(long long)w, (long long)h);
				bad = 1;
			}
		}
	}
	return bad ? -1 : 0;
}

/* The pixel count of an object's mask may differ from its area by at most
 * the pixels its edges pass through: |dx| + |dy| + 2 per edge. */
static double raster_tolerance(const struct ts_ring *rings, size_t n)
{
	double t = 0;

	for (size_t r = 0; r < n; r++)
		for (size_t k = 0; k < rings[r].n; k++) {
			size_t m = (k + 1) % rings[r].n;

			t += fabs(rings[r].xy[2 * m] - rings[r].xy[2 * k]) +
			     fabs(rings[r].xy[2 * m + 1] - rings[r].xy[2 * k + 1]) + 2;
		}
	return t;
}

/* Segmentation: annotation i's segmentation (polygons, or an RLE with its
 * rings in "polygons"), its bbox (the rings' bounds) and area (the rings'
 * area, holes subtracted, within 1e-6 relative), checked against image im
 * (NULL when unknown: only the shapes are checked). */
static void check_segmentation(struct vctx *c, size_t i, json_t *v, const struct image *im)
{
	json_t *seg = json_object_get(v, "segmentation"), *bbox = json_object_get(v, "bbox");
	json_int_t w = im ? im->width : INT32_MAX, h = im ? im->height : INT32_MAX;
	int rle = json_is_object(seg);
	const char *what = rle ? "polygons" : "segmentation";
	struct obj_rings o;
	double bb[4], area, got;
	size_t r, other;
	enum ts_polygon_fault f;

	if (!seg) {
		problem(c, "annotations.json: /annotations/%zu: a segmentation annotation needs "
			"a segmentation", i);
		return;
	}
	if (read_rings(c, i, what, json_object_get(v, rle ? "polygons" : "segmentation"), w, h,
		       &o))
		goto out;
	f = ts_polygon_object_check(o.rings, o.n, &r, &other);
	if (f) {
		problem(c, "annotations.json: /annotations/%zu/%s/%zu: the ring %s", i, what, r,
			ts_polygon_fault_text(f));
		goto out;
	}
	if (!rle && ts_polygon_has_holes(o.rings, o.n))
		problem(c, "annotations.json: /annotations/%zu/segmentation: a ring is a hole "
			"(an object with holes is written as RLE)", i);
	ts_polygon_bounds(o.rings, o.n, bb);
	for (size_t k = 0; k < 4; k++)
		if (json_array_size(bbox) != 4 ||
		    fabs(json_number_value(json_array_get(bbox, k)) - bb[k]) >
			    1e-9 * (1 + fabs(bb[k]))) {
			problem(c, "annotations.json: /annotations/%zu/bbox: not the bounds of "
				"its polygons", i);
			break;
		}
	area = ts_polygon_area(o.rings, o.n);
	got = json_number_value(json_object_get(v, "area"));
	if (!json_is_number(json_object_get(v, "area")) || fabs(got - area) > 1e-6 * (1 + area))
		problem(c, "annotations.json: /annotations/%zu/area: %g, not the area of its "
			"polygons (%g)", i, got, area);
	if (rle && im) {
		json_t *size = json_object_get(seg, "size");
		const char *counts = str_of(seg, "counts");
		struct ts_rle stated, want;
		struct ts_error rerr = { 0 };

		if (json_array_size(size) != 2 ||
		    json_integer_value(json_array_get(size, 0)) != h ||
		    json_integer_value(json_array_get(size, 1)) != w) {
			problem(c, "annotations.json: /annotations/%zu/segmentation/size: not "
				"[%lld, %lld], the image's height and width", i, (long long)h,
				(long long)w);
			goto out;
		}
		if (!counts || ts_rle_from_string(counts, strlen(counts), h, w, &stated, &rerr)) {
			problem(c, "annotations.json: /annotations/%zu/segmentation/counts: does "
				"not decode to its %lldx%lld size: %s", i, (long long)h, (long long)w,
				counts ? rerr.message : "not a string");
			ts_error_release(&rerr);
			if (counts)
				ts_rle_release(&stated);
			goto out;
		}
		if (fabs((double)ts_rle_area(&stated) - area) > raster_tolerance(o.rings, o.n))
			problem(c, "annotations.json: /annotations/%zu/segmentation: the mask's "
				"%lld pixels are too far from the area %g", i,
				(long long)ts_rle_area(&stated), area);
		ts_rle_from_object(o.rings, o.n, h, w, &want);
		if (want.n != stated.n ||
		    memcmp(want.counts, stated.counts, want.n * sizeof(*want.counts)))
			problem(c, "annotations.json: /annotations/%zu/segmentation: the mask is "
				"not the rasterised polygons (CONTRACT.md)", i);
		ts_rle_release(&want);
		ts_rle_release(&stated);
	}
out:
	obj_rings_release(&o);
}

/* ImageFolder: the image of an annotation of category cat belongs in
 * <part>/<class folder> (the first such annotation decides). */
static void place_image(struct vctx *c, json_int_t image_id, struct cat *cat)
{
	struct image *im = image_by_id(c, image_id);
	char hex[TS_SHA256_HEX_SIZE];
	size_t part = 0;

	if (!im || !cat || im->dir || !im->has_checksum)
		return;
	if (c->st.has_split) {
		to_hex(im->checksum, hex);
		part = (size_t)ts_split_of(&c->st.sp, hex);
	}
	im->dir = (uint32_t)(1 + part * c->n_cats + (size_t)(cat - c->cats));
	c->dir_used[im->dir] = 1;
}

/* Detection: the YOLO text of the image at label_at is complete. */
static void label_done(struct vctx *c)
{
	struct annstate *st = &c->st;
	char hex[TS_SHA256_HEX_SIZE];
	struct ts_sha256 h;

	ts_sha256_init(&h);
	ts_sha256_update(&h, st->want.ptr ? st->want.ptr : "", st->want.len);
	ts_sha256_final(&h, hex, c->label_sha[st->label_at]);
	ts_buf_reset(&st->want);
	st->label_at++;
}

/* Detection: the YOLO lines of annotation j (a) join the label text of
 * its image. The images are taken in order, each with the annotations
 * that follow for it (a stray annotation ends the matching, as a reader
 * going through both lists in step would). */
static void label_lines(struct vctx *c, size_t j, json_t *a, json_int_t image_id)
{
	struct annstate *st = &c->st;
	json_t *bb = json_object_get(a, "bbox");
	struct cat *cat = cat_by_id(c, int_of(a, "category_id"));
	struct image *im;
	double box[4];

	while (st->label_at < c->n_images && IMG(c, st->label_at)->id != image_id)
		label_done(c);
	if (st->label_at == c->n_images)
		return;
	im = IMG(c, st->label_at);
	if (c->segmentation) {
		json_t *seg = json_object_get(a, "segmentation");
		struct obj_rings o = { 0 };

		/* Problems with the rings are reported by check_segmentation. */
		c->problems_muted++;
		if (cat && im->width > 0 && im->height > 0 &&
		    !read_rings(c, j, "segmentation",
				json_is_object(seg) ? json_object_get(a, "polygons") : seg,
				im->width, im->height, &o))
			(void)ts_coco_yolo_seg_lines(&st->want, (size_t)(cat - c->cats), o.rings,
						     o.n, im->width, im->height);
		c->problems_muted--;
		obj_rings_release(&o);
		return;
	}
	for (size_t k = 0; k < 4; k++)
		box[k] = json_number_value(json_array_get(bb, k));
	if (cat && im->width > 0 && im->height > 0)
		(void)ts_coco_yolo_line(&st->want, (size_t)(cat - c->cats), box, im->width,
					im->height);
}

static void check_annotation(struct vctx *c, size_t i, json_t *v);

/* The second pass over annotations.json: check_annotation on each
 * annotation. The bytes must be those of the first pass (same hash). */
static void reread_annotations(struct vctx *c)
{
	struct annread r;
	struct ts_jsonstream s;
	struct ts_jsonstream_item it;
	char hex[TS_SHA256_HEX_SIZE];
	int which = 0, ok = 1, done = 0;
	json_t *v, *k;

	if (annread_open(c, &r, &s))
		return;
	while (ok && !done) {
		switch (ts_jsonstream_next(&s, &it)) {
		case TS_JSONSTREAM_END:
			done = 1;
			break;
		case TS_JSONSTREAM_ERROR:
		case TS_JSONSTREAM_DOCUMENT:
			ok = 0;
			break;
		case TS_JSONSTREAM_ARRAY:
			/* split names are spelled without escapes */
			which = it.key_len == 13 && !memcmp(it.key, "\"annotations\"", 13);
			break;
		case TS_JSONSTREAM_ELEMENT:
			if (!which)
				break;
			v = json_loadb(it.value, it.len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
				       NULL);
			if (!v) {
				ok = 0;
				break;
			}
			check_annotation(c, it.index, v);
			json_decref(v);
			break;
		case TS_JSONSTREAM_MEMBER:
			k = json_loadb(it.key, it.key_len, JSON_DECODE_ANY, NULL);
			if (json_is_string(k) && !strcmp(json_string_value(k), "annotations")) {
				size_t i;
				json_t *a;

				v = json_loadb(it.value, it.len,
					       JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
				json_array_foreach(v, i, a)
					check_annotation(c, i, a);
				json_decref(v);
			}
			json_decref(k);
			break;
		case TS_JSONSTREAM_ARRAY_END:
			which = 0;
			break;
		}
	}
	ts_jsonstream_release(&s);
	member_close(&r.m);
	if (ok) {
		ts_sha256_final(&r.h, hex, NULL);
		ok = !strcmp(hex, c->ann_hex);
	} else {
		ts_sha256_release(&r.h);
	}
	if (!ok && !r.failed)
		problem(c, "annotations.json: changed while being verified");
}

/* The checks of one annotation (i, v) of annotations.json, read in the
 * second pass when every image is known. */
static void check_annotation(struct vctx *c, size_t i, json_t *v)
{
	struct annstate *st = &c->st;
	json_int_t image_id = int_of(v, "image_id");
	json_int_t cat_id = int_of(v, "category_id");
	json_t *bbox = json_object_get(v, "bbox");
	struct cat *cat;

	/* Detection: a box per annotation, inside its image, w and h
	 * > 0, area = w * h, iscrowd 0. Classification: no box. */
	if (st->det != (bbox != NULL))
		problem(c, "annotations.json: /annotations/%zu: %s", i,
			st->det ? "a detection or segmentation annotation needs a bbox"
				: "a classification annotation has a bbox");
	if (st->det && bbox) {
		double b[4] = { 0 };
		int ok = json_array_size(bbox) == 4;

		for (size_t k = 0; ok && k < 4; k++) {
			ok = json_is_number(json_array_get(bbox, k));
			b[k] = json_number_value(json_array_get(bbox, k));
		}
		if (!ok || !(b[2] > 0) || !(b[3] > 0))
			problem(c, "annotations.json: /annotations/%zu/bbox: not [x, y, w, h] "
				"with w and h > 0", i);
		if (st->seg)
			check_segmentation(c, i, v,
					   st->images_sorted ? image_by_id(c, image_id) : NULL);
		else if (!json_is_number(json_object_get(v, "area")) ||
			 fabs(json_number_value(json_object_get(v, "area")) - b[2] * b[3]) >
				 1e-9 * (1 + b[2] * b[3]))
			problem(c, "annotations.json: /annotations/%zu/area: not w * h of "
				"its bbox", i);
		if (int_of(v, "iscrowd") != 0)
			problem(c, "annotations.json: /annotations/%zu/iscrowd: not 0", i);
		if (st->images_sorted) {
			struct image *bim = image_by_id(c, image_id);

			if (ok && bim &&
			    (b[0] < 0 || b[1] < 0 || b[0] + b[2] > (double)bim->width ||
			     b[1] + b[3] > (double)bim->height))
				problem(c, "annotations.json: /annotations/%zu/bbox: not "
					"inside image %lld (%lldx%lld)",
					i, (long long)image_id, (long long)bim->width,
					(long long)bim->height);
		}
	}

	if (int_of(v, "id") != (json_int_t)i + 1)
		problem(c, "annotations.json: /annotations/%zu/id: %lld, expected %zu "
			"(ids are 1..n in order)", i, (long long)int_of(v, "id"), i + 1);
	if (i && (image_id < st->prev_image ||
		  (image_id == st->prev_image &&
		   (st->det ? cat_id < st->prev_cat : cat_id <= st->prev_cat))))
		problem(c, "annotations.json: /annotations/%zu: not sorted by "
			"(image_id, category_id) or a duplicate", i);
	st->prev_image = image_id;
	st->prev_cat = cat_id;
	cat = cat_by_id(c, cat_id);
	if (cat)
		cat->count++;
	else
		problem(c, "annotations.json: /annotations/%zu/category_id: %lld is not "
			"a listed category", i, (long long)cat_id);
	if (st->images_sorted) {
		struct image *im = image_by_id(c, image_id);

		if (!im)
			problem(c, "annotations.json: /annotations/%zu/image_id: %lld is "
				"not a listed image", i, (long long)image_id);
		else
			im->n_annotations++;
	}
	if (c->imagefolder)
		place_image(c, image_id, cat);
	if (c->detection)
		label_lines(c, i, v, image_id);
}

static int check_annotations_doc(struct vctx *c)
{
	json_t *cats = json_object_get(c->ann, "categories");
	struct annstate *st = &c->st;
	json_t *v;
	size_t i;

	if (!c->ann_canonical)
		problem(c, "annotations.json: not in canonical form (compact JSON as "
			"json_dumps(JSON_COMPACT | JSON_PRESERVE_ORDER) prints it, no "
			"trailing newline)");

	c->n_cats = json_array_size(cats);
	c->cats = ts_xcalloc(c->n_cats, sizeof(*c->cats));

	st->images_sorted = 1;
	for (i = 1; i < c->n_images; i++) {
		if (IMG(c, i)->id <= IMG(c, i - 1)->id) {
			problem(c, "annotations.json: /images/%zu: id %lld is not above the "
				"previous id %lld (images must be sorted by id, ids unique)",
				i, (long long)IMG(c, i)->id, (long long)IMG(c, i - 1)->id);
			st->images_sorted = 0;
		}
	}
	json_array_foreach(cats, i, v) {
		json_t *prev = i ? json_array_get(cats, i - 1) : NULL;
		const char *name = str_of(v, "name");

		c->cats[i].id = int_of(v, "id");
		if (prev && int_of(v, "id") <= int_of(prev, "id"))
			problem(c, "annotations.json: /categories/%zu: id %lld is not above the "
				"previous id %lld (categories must be sorted by id, ids unique)",
				i, (long long)int_of(v, "id"), (long long)int_of(prev, "id"));
		if (name_has_control(name))
			problem(c, "annotations.json: /categories/%zu/name: contains control "
				"characters", i);
		for (size_t k = 0; k < i; k++)
			if (!strcasecmp(name, str_of(json_array_get(cats, k), "name")))
				problem(c, "annotations.json: /categories/%zu/name: \"%s\" is used "
					"twice", i, name);
	}
	qsort(c->cats, c->n_cats, sizeof(*c->cats), cmp_cat);
	const char *task = str_of(json_object_get(c->ann, "info"), "task_type");

	st->single = strcmp(task, "classification_single") == 0;
	st->seg = strcmp(task, "segmentation") == 0;
	st->det = st->seg || strcmp(task, "detection") == 0;
	if (c->imagefolder) {
		json_t *info = json_object_get(c->ann, "info");

		st->has_split = json_object_get(info, "split") &&
				ts_split_parse(json_object_get(info, "split"), &st->sp, NULL) == TS_OK;
		c->dir_used = ts_xcalloc(3 * c->n_cats + 1, 1);
	}
	if (c->detection) {
		c->label_sha = ts_xcalloc(c->n_images ? c->n_images : 1, sizeof(*c->label_sha));
		ts_buf_init(&st->want, (size_t)1 << 24);
	}

	reread_annotations(c);

	if (c->detection) {
		while (st->label_at < c->n_images)
			label_done(c);
		ts_buf_release(&st->want);
	}
	if (st->images_sorted && st->single) {
		for (i = 0; i < c->n_images; i++)
			if (IMG(c, i)->n_annotations != 1)
				problem(c, "annotations.json: image %lld has %u annotations "
					"(classification_single needs exactly one)",
					(long long)IMG(c, i)->id, IMG(c, i)->n_annotations);
	}
	return st->images_sorted;
}

/* --- checks on manifest.json against annotations.json ------------------ */

static void check_manifest(struct vctx *c)
{
	json_t *mcats = json_object_get(c->man, "categories");
	json_t *acats = json_object_get(c->ann, "categories");
	json_t *counts = json_object_get(c->man, "counts");
	json_t *per = json_object_get(counts, "per_category");
	json_t *file = json_object_get(json_object_get(c->man, "files"), "annotations.json");
	struct ts_coco_category *cc = NULL;	/* borrowed names */
	char want[TS_COCO_PREFIXED_HASH_SIZE], got[TS_COCO_PREFIXED_HASH_SIZE];
	struct ts_error err = { 0 };
	size_t i, n = json_array_size(acats);
	json_t *v;

	snprintf(want, sizeof(want), "sha256:%s", c->ann_hex);
	if (str_ne(str_of(c->man, "hash"), want))
		problem(c, "manifest.json: hash mismatch: manifest says %s, "
			"annotations.json is %s", str_of(c->man, "hash"), want);
	if (str_ne(str_of(file, "sha256"), c->ann_hex))
		problem(c, "manifest.json: files[\"annotations.json\"].sha256 mismatch "
			"(expected %s, got %s)", str_of(file, "sha256"), c->ann_hex);
	if ((size_t)int_of(file, "bytes") != c->ann_len)
		problem(c, "manifest.json: files[\"annotations.json\"].bytes is %lld, "
			"annotations.json has %zu bytes", (long long)int_of(file, "bytes"),
			c->ann_len);
	if (str_ne(str_of(c->man, "schema_version"),
		   str_of(json_object_get(c->ann, "info"), "schema_version")))
		problem(c, "manifest.json: schema_version differs from annotations.json");
	if (str_ne(str_of(c->man, "task_type"),
		   str_of(json_object_get(c->ann, "info"), "task_type")))
		problem(c, "manifest.json: task_type differs from annotations.json");

	cc = ts_xcalloc(n, sizeof(*cc));
	json_array_foreach(acats, i, v) {
		cc[i].id = int_of(v, "id");
		cc[i].name = str_of(v, "name");
	}
	if (ts_coco_categories_hash(cc, n, got, &err))
		problem(c, "annotations.json: cannot compute categories_hash: %s", err.message);
	else if (str_ne(got, str_of(c->man, "categories_hash")))
		problem(c, "manifest.json: categories_hash mismatch: manifest says %s, "
			"categories in annotations.json give %s",
			str_of(c->man, "categories_hash"), got);

	if (json_array_size(mcats) != n)
		problem(c, "manifest.json: %zu categories, annotations.json has %zu",
			json_array_size(mcats), n);
	json_array_foreach(mcats, i, v) {
		json_t *a = json_array_get(acats, i);

		if (int_of(v, "class_index") != (json_int_t)i)
			problem(c, "manifest.json: /categories/%zu/class_index: %lld, expected %zu",
				i, (long long)int_of(v, "class_index"), i);
		if (!a)
			continue;
		if (int_of(v, "id") != int_of(a, "id"))
			problem(c, "manifest.json: /categories/%zu/id: %lld differs from "
				"annotations.json %lld", i, (long long)int_of(v, "id"),
				(long long)int_of(a, "id"));
		if (str_ne(str_of(v, "name"), str_of(a, "name")))
			problem(c, "manifest.json: /categories/%zu/name: \"%s\" differs from "
				"annotations.json \"%s\"", i, str_of(v, "name"), str_of(a, "name"));
	}

	if ((size_t)int_of(counts, "images") != c->n_images)
		problem(c, "manifest.json: counts.images is %lld, annotations.json has %zu",
			(long long)int_of(counts, "images"), c->n_images);
	if ((size_t)int_of(counts, "annotations") != c->n_anns)
		problem(c, "manifest.json: counts.annotations is %lld, annotations.json has %zu",
			(long long)int_of(counts, "annotations"), c->n_anns);
	json_array_foreach(acats, i, v) {
		char key[32];
		struct cat *cat = cat_by_id(c, int_of(v, "id"));
		json_t *pv;

		snprintf(key, sizeof(key), "%lld", (long long)int_of(v, "id"));
		pv = json_object_get(per, key);
		if (!pv)
			problem(c, "manifest.json: counts.per_category has no entry \"%s\"", key);
		else if (cat && (size_t)json_integer_value(pv) != cat->count)
			problem(c, "manifest.json: counts.per_category[\"%s\"] is %lld, "
				"annotations.json has %zu", key,
				(long long)json_integer_value(pv), cat->count);
	}
	{
		const char *key;
		json_t *pv;

		json_object_foreach(per, key, pv) {
			char *end;
			long long id = strtoll(key, &end, 10);
			char canon_key[32];

			snprintf(canon_key, sizeof(canon_key), "%lld", id);
			if (!*key || *end || strcmp(canon_key, key) || !cat_by_id(c, id))
				problem(c, "manifest.json: counts.per_category[\"%s\"] is not a "
					"listed category", key);
		}
	}
	free(cc);
}

/* --- the split (schema_version 1.2.0) ---------------------------------- */

/* Every image's "split" is the one its checksum gives under info.split;
 * the manifest's selection.split equals info.split and counts.per_split
 * counts the images of each part. Without info.split no image has one. */
static void check_split(struct vctx *c)
{
	json_t *info = json_object_get(c->ann, "info");
	json_t *js = json_object_get(info, "split");
	json_t *msel = c->man ? json_object_get(c->man, "selection") : NULL;
	json_t *per = c->man ? json_object_get(json_object_get(c->man, "counts"), "per_split")
			     : NULL;
	struct ts_split sp;
	size_t parts[3] = { 0, 0, 0 }, i;

	if (!js) {
		for (i = 0; i < c->n_images; i++)
			if (IMG(c, i)->split != SPLIT_NONE) {
				problem(c, "annotations.json: /images/%zu/split: present, but "
					"info has no split", i);
				break;
			}
		if (json_object_get(msel, "split") || per)
			problem(c, "manifest.json: a split, but annotations.json has none");
		return;
	}
	memset(&sp, 0, sizeof(sp));
	if (!json_is_string(json_object_get(js, "seed")) ||
	    strlen(str_of(js, "seed")) >= sizeof(sp.seed)) {
		problem(c, "annotations.json: /info/split/seed: not a seed");
		return;
	}
	memcpy(sp.seed, str_of(js, "seed"), strlen(str_of(js, "seed")) + 1);
	sp.train = json_number_value(json_object_get(js, "train"));
	sp.val = json_number_value(json_object_get(js, "val"));
	sp.test = json_number_value(json_object_get(js, "test"));
	if (!(sp.train >= 0 && sp.train <= 1 && sp.val >= 0 && sp.val <= 1 && sp.test >= 0 &&
	      sp.test <= 1) ||
	    fabs(sp.train + sp.val + sp.test - 1.0) > 1e-9)
		problem(c, "annotations.json: /info/split: the fractions are not from 0 to 1 "
			"adding up to 1");
	for (i = 0; i < c->n_images; i++) {
		const struct image *im = IMG(c, i);
		char sum[TS_SHA256_HEX_SIZE];
		enum ts_split_part want;
		const char *got;

		if (!im->has_checksum)
			continue;
		to_hex(im->checksum, sum);
		want = ts_split_of(&sp, sum);
		parts[want]++;
		/* Without the schema's enum, the checks do not run. */
		got = im->split == SPLIT_NONE ? NULL
		      : im->split == SPLIT_OTHER ? "?"
						   : ts_split_name((enum ts_split_part)(im->split - 1));
		if (!got)
			problem(c, "annotations.json: /images/%zu/split: missing (the seed and "
				"its checksum give \"%s\")", i, ts_split_name(want));
		else if (strcmp(got, ts_split_name(want)))
			problem(c, "annotations.json: /images/%zu/split: \"%s\", but the seed "
				"and its checksum give \"%s\"", i, got, ts_split_name(want));
	}
	if (!c->man || !c->man_valid)
		return;
	if (!json_equal(json_object_get(msel, "split"), js))
		problem(c, "manifest.json: selection.split differs from annotations.json "
			"info.split");
	for (int k = 0; k < 3; k++) {
		const char *name = ts_split_name((enum ts_split_part)k);

		if ((size_t)int_of(per, name) != parts[k])
			problem(c, "manifest.json: counts.per_split.%s is %lld, annotations.json "
				"has %zu", name, (long long)int_of(per, name), parts[k]);
	}
}

/* --- the files in the export ------------------------------------------- */

/* --- the ImageFolder layout (schema_version 1.3.0) ---------------------- */

/* info.layout "imagefolder": every image's file is at <part>/<class
 * folder>/<file_name>, part its split ("train" without one), the class
 * folder that of its category's class_index (export/folder_name.h); the
 * manifest's selection.layout says the same. */
static void place_images(struct vctx *c)
{
	json_t *info = json_object_get(c->ann, "info");
	json_t *layout = json_object_get(info, "layout");
	json_t *msel = c->man ? json_object_get(c->man, "selection") : NULL;
	json_t *mlayout = json_object_get(msel, "layout");

	/* Each image's folder was found with its annotations (place_image). */
	if (c->man && (mlayout || layout) && !json_equal(mlayout, layout))
		problem(c, "manifest.json: selection.layout differs from annotations.json "
			"info.layout");
}

static int unsafe_name(const char *name)
{
	return name[0] == '/' || strstr(name, "..") || strchr(name, '\\');
}

/* The ImageFolder layout: e is a part, a class folder holding an image,
 * or an image's file where it belongs. */
static void check_placed_entry(struct vctx *c, struct entry *e)
{
	const char *slash = strrchr(e->name, '/');
	size_t len = strlen(e->name);
	char dirbuf[TS_IMAGEFOLDER_DIR_SIZE];
	const char *dir;
	struct image *im;

	if (e->kind == ENTRY_DIR) {
		/* "train/" or "train/0_cat/": some image is below it. */
		for (size_t k = 1; k <= 3 * c->n_cats; k++) {
			struct image probe = { .dir = (uint32_t)k };
			const char *d;

			if (!c->dir_used[k])
				continue;
			d = dir_name(c, &probe, dirbuf);
			if (!strncmp(d, e->name, len - 1) &&
			    (d[len - 1] == '\0' || d[len - 1] == '/'))
				return;
		}
		problem(c, "%s: unexpected directory (no image of annotations.json belongs "
			"in it)", e->name);
		return;
	}
	im = slash ? image_by_name(c, slash + 1) : NULL;
	dir = im ? dir_name(c, im, dirbuf) : NULL;
	if (!dir || strlen(dir) != (size_t)(slash - e->name) ||
	    strncmp(dir, e->name, (size_t)(slash - e->name))) {
		if (dir)
			problem(c, "%s: misplaced (image %lld belongs in %s/)", e->name,
				(long long)im->id, dir);
		else
			problem(c, "%s: unexpected %s (this export holds manifest.json, "
				"annotations.json and <part>/<class folder>/<file_name> per image)",
				e->name, e->kind == ENTRY_DIR ? "directory" : "file");
		return;
	}
	if (e->kind != ENTRY_FILE) {
		problem(c, "%s: not a regular file (symbolic link or special file)", e->name);
		return;
	}
	im->present = 1;
}

/* Detection: the images sorted by the name of their label file (then by
 * position), for image_by_label. */
static int cmp_by_label(const void *a, const void *b, void *arg)
{
	const struct vctx *c = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	char lx[64], ly[64];
	int r;

	(void)ts_coco_yolo_name(IMG(c, x)->file_name, lx, sizeof(lx));
	(void)ts_coco_yolo_name(IMG(c, y)->file_name, ly, sizeof(ly));
	r = strcmp(lx, ly);
	return r ? r : (x > y) - (x < y);
}

static void index_labels(struct vctx *c)
{
	char label[64];

	c->by_label = ts_xcalloc(c->n_images ? c->n_images : 1, sizeof(*c->by_label));
	for (size_t k = 0; k < c->n_images; k++)
		if (IMG(c, k)->file_name &&
		    !ts_coco_yolo_name(IMG(c, k)->file_name, label, sizeof(label)))
			c->by_label[c->n_by_label++] = (uint32_t)k;
	qsort_r(c->by_label, c->n_by_label, sizeof(*c->by_label), cmp_by_label, c);
}

/* The first image (in document order) whose label file is name. */
static struct image *image_by_label(struct vctx *c, const char *name)
{
	size_t lo = 0, hi = c->n_by_label;
	char label[64];

	while (lo < hi) { /* the first not below name */
		size_t mid = lo + (hi - lo) / 2;

		(void)ts_coco_yolo_name(IMG(c, c->by_label[mid])->file_name, label,
					sizeof(label));
		if (strcmp(label, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == c->n_by_label)
		return NULL;
	(void)ts_coco_yolo_name(IMG(c, c->by_label[lo])->file_name, label, sizeof(label));
	return strcmp(label, name) ? NULL : IMG(c, c->by_label[lo]);
}

static void check_entries(struct vctx *c)
{
	size_t i;

	if (c->n_entries)
		qsort(c->entries, c->n_entries, sizeof(*c->entries), cmp_entry);
	if (c->detection)
		index_labels(c);
	for (i = 0; i < c->n_entries; i++) {
		struct entry *e = &c->entries[i];
		const char *rest;
		struct image *im;

		if (i && !strcmp(e->name, c->entries[i - 1].name)) {
			problem(c, "%s: appears twice in the zip", e->name);
			continue;
		}
		if (!strcmp(e->name, "manifest.json") || !strcmp(e->name, "annotations.json")) {
			if (e->kind != ENTRY_FILE)
				problem(c, "%s: not a regular file", e->name);
			continue;
		}
		if (!strcmp(e->name, "images/") && e->kind == ENTRY_DIR && !c->imagefolder)
			continue;
		if (unsafe_name(e->name)) {
			problem(c, "%s: unsafe path (absolute, \"..\" or backslash)", e->name);
			continue;
		}
		if (c->detection && !strncmp(e->name, "labels/", 7)) {
			/* YOLO labels: one file per image, compared in check_labels. */
			struct image *lim;

			if (!strcmp(e->name, "labels/") && e->kind == ENTRY_DIR)
				continue;
			lim = image_by_label(c, e->name + 7);
			if (!lim || e->kind != ENTRY_FILE)
				problem(c, "%s: unexpected entry under labels/ (one label file "
					"per image)", e->name);
			else
				lim->label_present = 1;
			continue;
		}
		if (c->imagefolder) {
			check_placed_entry(c, e);
			continue;
		}
		if (strncmp(e->name, "images/", 7)) {
			problem(c, "%s: unexpected %s (an export holds only manifest.json, "
				"annotations.json and images/)", e->name,
				e->kind == ENTRY_DIR ? "directory" : "file");
			continue;
		}
		rest = e->name + 7;
		if (e->kind == ENTRY_DIR || strchr(rest, '/')) {
			problem(c, "%s: unexpected directory under images/", e->name);
			continue;
		}
		if (e->kind != ENTRY_FILE) {
			problem(c, "%s: not a regular file (symbolic link or special file)",
				e->name);
			continue;
		}
		im = image_by_name(c, rest);
		if (!im) {
			problem(c, "%s: unexpected file (not listed in annotations.json)", e->name);
			continue;
		}
		im->present = 1;
		}
}

/* Detection: every image's labels/<stem>.txt equals the YOLO text
 * derived from annotations.json (pinned by the hash through it); the
 * text's SHA-256 was taken with the annotations (label_lines). */
static void check_labels(struct vctx *c)
{
	struct ts_buf got;

	ts_buf_init(&got, (size_t)1 << 24);
	for (size_t i = 0; i < c->n_images; i++) {
		struct image *im = IMG(c, i);
		char label[64], name[80], hex[TS_SHA256_HEX_SIZE];
		unsigned char sum[32];
		struct ts_sha256 h;

		ts_buf_reset(&got);
		if (!im->file_name || ts_coco_yolo_name(im->file_name, label, sizeof(label)))
			continue;
		snprintf(name, sizeof(name), "labels/%s", label);
		if (!im->label_present) {
			problem(c, "%s: missing (the YOLO labels of image %lld)", name,
				(long long)im->id);
			continue;
		}
		if (read_member(c, name, (size_t)1 << 24, &got))
			continue;
		ts_sha256_init(&h);
		ts_sha256_update(&h, got.ptr ? got.ptr : "", got.len);
		ts_sha256_final(&h, hex, sum);
		if (memcmp(sum, c->label_sha[i], sizeof(sum)))
			problem(c, "%s: differs from the %s of image %lld in annotations.json",
				name, c->segmentation ? "polygons" : "boxes", (long long)im->id);
	}
	ts_buf_release(&got);
}

static void check_images(struct vctx *c)
{
	for (size_t i = 0; i < c->n_images; i++) {
		struct image *im = IMG(c, i);
		char hex[TS_SHA256_HEX_SIZE], want[TS_SHA256_HEX_SIZE];
		char dirbuf[TS_IMAGEFOLDER_DIR_SIZE];
		int decoded;

		if (!im->file_name)
			continue;
		const char *dir = dir_name(c, im, dirbuf);

		if (!dir)
			dir = "images";
		if (!im->present) {
			problem(c, "%s/%s: missing (listed in annotations.json as image %lld)", dir,
				im->file_name, (long long)im->id);
			continue;
		}
		if (hash_image(c, im, hex, &decoded))
			continue;
		if (im->has_checksum)
			to_hex(im->checksum, want);
		if (!im->has_checksum)
			problem(c, "%s/%s: no valid checksum_sha256 to compare (got %s)", dir,
				im->file_name, hex);
		else if (strcmp(hex, want))
			problem(c, "%s/%s: checksum mismatch (expected %s, got %s)", dir,
				im->file_name, want, hex);
	}
}

/* --- entry point ------------------------------------------------------- */

static int open_export(struct vctx *c, struct ts_error *err)
{
	struct stat st;
	size_t alloc = 0;

	if (stat(c->path, &st) != 0) {
		ts_error_set(err, errno == ENOENT ? TS_ERR_NOT_FOUND : TS_ERR_IO,
			     "cannot_open", "%s: %s", c->path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		c->dirfd = open(c->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (c->dirfd < 0) {
			ts_error_set(err, TS_ERR_IO, "cannot_open", "%s: %s", c->path,
				     strerror(errno));
			return -1;
		}
		list_dir(c, &alloc, c->dirfd, "");
		return 0;
	}
	if (S_ISREG(st.st_mode)) {
		char why[160];

		c->is_zip = 1;
		c->zip = ts_zipr_open(c->path, why, sizeof(why));
		if (!c->zip || list_zip(c, &alloc, why, sizeof(why))) {
			ts_error_set(err, TS_ERR_IO, "cannot_open", "%s: not a readable zip: %s",
				     c->path, why);
			return -1;
		}
		/* sorted, for zip_entry() */
		if (c->n_entries)
			qsort(c->entries, c->n_entries, sizeof(*c->entries), cmp_entry);
		return 0;
	}
	ts_error_set(err, TS_ERR_INVALID, "cannot_open",
		     "%s: neither a directory nor a zip file", c->path);
	return -1;
}

int ts_verify_path(const char *path, FILE *out, struct ts_error *err)
{
	struct vctx c;
	struct ts_error local = { 0 };
	int rc = 2;

	memset(&c, 0, sizeof(c));
	c.path = path;
	c.out = out;
	c.dirfd = -1;
	c.imgfd = -1;
	ts_image_limits_default(&c.limits);
	ts_buf_init(&c.man_bytes, MANIFEST_MAX);
	ts_buf_init(&c.schema_errors, SCHEMA_ERRORS_MAX);
	ts_buf_init(&c.element_errors[0], SCHEMA_ERRORS_MAX);
	ts_buf_init(&c.element_errors[1], SCHEMA_ERRORS_MAX);
	c.schema = load_schema("annotations.json", ts_schema_annotations_json,
			       ts_schema_annotations_json_len);
	{
		json_t *props = json_object_get(c.schema, "properties");

		c.validator = ts_schema_validator_new(c.schema);
		c.image_schema = json_object_get(json_object_get(props, "images"), "items");
		c.annotation_schema =
			json_object_get(json_object_get(props, "annotations"), "items");
	}

	if (open_export(&c, err ? err : &local)) {
		fprintf(out, "%s\n", (err ? err : &local)->message);
		goto out;
	}
	if (!read_member(&c, "manifest.json", MANIFEST_MAX, &c.man_bytes))
		c.man = parse(&c, "manifest.json", &c.man_bytes);
	read_annotations(&c);
	if (c.man)
		c.man_valid = validate(&c, "manifest.json", ts_schema_manifest_json,
				       ts_schema_manifest_json_len, c.man);
	if (c.ann) {
		c.ann_valid = validate_annotations(&c);
		const char *task = str_of(json_object_get(c.ann, "info"), "task_type");

		c.detection = task && (!strcmp(task, "detection") || !strcmp(task, "segmentation"));
		c.segmentation = task && !strcmp(task, "segmentation");
		c.imagefolder = json_is_string(json_object_get(json_object_get(c.ann, "info"),
								 "layout"));
		index_images(&c);
	}
	if (c.ann_valid)
		check_annotations_doc(&c);
	if (c.ann_valid && c.man_valid)
		check_manifest(&c);
	if (c.ann_valid)
		check_split(&c);
	if (c.ann_valid)
		place_images(&c);
	else
		c.imagefolder = 0; /* where the files belong is not known: images/ */
	check_entries(&c);
	if (c.detection && c.ann_valid)
		check_labels(&c);
	check_images(&c);

	if (c.problems) {
		fprintf(out, "FAILED: %s: %d problem%s\n", path, c.problems,
			c.problems == 1 ? "" : "s");
		ts_error_set(err, TS_ERR_UNPROCESSABLE, "invalid_export",
			     "%s: %d problem%s", path, c.problems, c.problems == 1 ? "" : "s");
		rc = 1;
	} else {
		fprintf(out, "OK: %s version %lld, %zu images, hash sha256:%s\n", path,
			(long long)int_of(c.man, "version"), c.n_images, c.ann_hex);
		rc = 0;
	}
out:
	free(c.entries);
	free_images(&c);
	free(c.by_name);
	free(c.by_label);
	free(c.label_sha);
	free(c.dir_used);
	free(c.dump);
	pool_release(&c.names);
	held_release(&c.collected);
	json_decref(c.ann);
	json_decref(c.man);
	ts_schema_validator_free(c.validator);
	json_decref(c.schema);
	ts_buf_release(&c.man_bytes);
	ts_buf_release(&c.schema_errors);
	ts_buf_release(&c.element_errors[0]);
	ts_buf_release(&c.element_errors[1]);
	ts_zipr_close(c.zip);
	if (c.imgfd >= 0)
		close(c.imgfd);
	if (c.dirfd >= 0)
		close(c.dirfd);
	free(c.cats);
	return rc;
}
