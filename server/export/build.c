/* The export build: snapshot -> folder of hardlinks + annotations.json +
 * manifest.json -> zip, all under temporary names, then renamed into place
 * and marked ready. */
#include "export/build.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

#include "core/buf.h"
#include "core/fdio.h"
#include "core/log.h"
#include "core/time.h"
#include "domain/payload.h"
#include "export/coco.h"
#include "export/folder_name.h"
#include "export/share.h"
#include "export/zipw.h"
#include "hash/sha256.h"
#include "media/image.h"
#include "store/store_exports.h"
#include "store/store_projects.h"
#include "storage/remote.h"
#include "core/banned.h"

#define PATH_MAX_LEN 4096
#define JSON_CAP ((size_t)1 << 31)
#define REPORT_EVERY_US 200000 /* progress writes to the database at most 5 times a second */

const char *ts_export_ext_of(const char *mime_type)
{
	static const struct {
		const char *mime, *ext;
	} map[] = {
		{ "image/jpeg", "jpg" }, { "image/png", "png" },  { "image/webp", "webp" },
		{ "image/gif", "gif" },  { "image/tiff", "tif" }, { "image/bmp", "bmp" },
		{ "image/avif", "avif" }, { "image/heif", "heif" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (mime_type && strcmp(mime_type, map[i].mime) == 0)
			return map[i].ext;
	return "bin";
}

static int path_fmt(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int path_fmt(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int ts_export_zip_path(const char *exports_dir, int64_t project_id, int64_t version, char *out,
		       size_t outlen)
{
	return path_fmt(out, outlen, "%s/%lld/%lld.zip", exports_dir, (long long)project_id,
			(long long)version);
}

/* --- files ---------------------------------------------------------------- */

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		return rmdir(path) == 0 || errno == ENOENT ? 0 : -1;
	return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
}

/* Removes path (a file or a tree); a missing path is fine. */
static int remove_tree(const char *path)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
	return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Everything a build of this version may have left: the temporary folder
 * and zip (and libzip's own temporary "<zip>.XXXXXX"), and the final names
 * when the export never became ready. */
static void remove_partial(const char *projdir, int64_t version)
{
	char prefix[64], path[PATH_MAX_LEN];
	size_t plen;
	DIR *d;
	struct dirent *de;

	snprintf(prefix, sizeof(prefix), ".build-%lld", (long long)version);
	plen = strlen(prefix);
	d = opendir(projdir);
	if (d) {
		while ((de = readdir(d)) != NULL) {
			if (strncmp(de->d_name, prefix, plen) != 0)
				continue;
			if (de->d_name[plen] != '\0' && de->d_name[plen] != '.')
				continue; /* .build-12 is not .build-1 */
			if (!path_fmt(path, sizeof(path), "%s/%s", projdir, de->d_name))
				remove_tree(path);
		}
		closedir(d);
	}
	if (!path_fmt(path, sizeof(path), "%s/%lld", projdir, (long long)version))
		remove_tree(path);
	if (!path_fmt(path, sizeof(path), "%s/%lld.zip", projdir, (long long)version))
		remove_tree(path);
	if (!path_fmt(path, sizeof(path), "%s/%lld.zip.parts", projdir, (long long)version))
		remove_tree(path);
}

void ts_export_remove_files(const char *exports_dir, int64_t project_id, int64_t version)
{
	char projdir[PATH_MAX_LEN];

	if (!path_fmt(projdir, sizeof(projdir), "%s/%lld", exports_dir, (long long)project_id))
		remove_partial(projdir, version);
}

static enum ts_err sys_fail(struct ts_error *err, const char *what, const char *path)
{
	return ts_error_set(err, TS_ERR_IO, "export_io", "%s %s: %s", what, path, strerror(errno));
}

static enum ts_err mkdir_p(const char *path, struct ts_error *err)
{
	char tmp[PATH_MAX_LEN];

	if (path_fmt(tmp, sizeof(tmp), "%s", path))
		return ts_error_set(err, TS_ERR_IO, "export_io", "path too long");
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			return sys_fail(err, "cannot create", tmp);
		*p = '/';
	}
	if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
		return sys_fail(err, "cannot create", tmp);
	return TS_OK;
}

/* A copy for when a hardlink is impossible (another filesystem). */
static enum ts_err copy_file(const char *from, const char *to, struct ts_error *err)
{
	int in = -1, out = -1;
	char buf[64 * 1024];
	enum ts_err e = TS_OK;

	in = open(from, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (in < 0) {
		e = sys_fail(err, "cannot read", from);
		goto out;
	}
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (out < 0) {
		e = sys_fail(err, "cannot create", to);
		goto out;
	}
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		char *p = buf;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = sys_fail(err, "cannot read", from);
			goto out;
		}
		if (n == 0)
			break;
		while (n > 0) {
			ssize_t w = write(out, p, (size_t)n);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				e = sys_fail(err, "cannot write", to);
				goto out;
			}
			p += w;
			n -= w;
		}
	}
	if (fsync(out) != 0)
		e = sys_fail(err, "cannot sync", to);
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return e;
}

/* --- the build -------------------------------------------------------------- */

struct build {
	const struct ts_export_build_opts *opts;
	int64_t id;
	int64_t total; /* progress units: one per image linked, one per image zipped */
	int64_t last_report_us;
	int stopped;
	int64_t n_images; /* what the first pass over the snapshot found */
	int64_t zip_done, zip_units; /* files zipped of those to zip */
};

/* The snapshot's items one image at a time (its items, sorted by
 * category), read in keyset pages of TS_EXPORT_PAGE: a build holds one page
 * and one image, never the whole snapshot. Each pass over the images
 * starts with cursor_rewind. */
struct cursor {
	struct ts_store *store;
	int64_t export_id;
	struct ts_export_item *page;
	size_t n, pos;
	int end;
	int64_t after_asset, after_category;
	struct ts_export_item *group; /* the current image's items (owned) */
	size_t n_group, cap_group;
};

/* Where each image's file goes, relative to the export's root: images/,
 * or in the ImageFolder layout <part>/<class folder> (export/folder_name.h),
 * part being its split ("train" without one) and its class the class_index
 * of its category (categories sorted by id, as in the manifest). */
struct placement {
	const struct ts_export_snapshot *snap;
	const struct ts_split *split;
	const char *dir; /* the build folder, where the folders are made */
	/* The ImageFolder layout: the folders of part p and class c at
	 * p * n_classes + c, made when first used; n_folders 0 otherwise. */
	char (*folders)[TS_IMAGEFOLDER_DIR_SIZE];
	unsigned char *used;
	size_t n_folders;
};

static void cursor_clear_group(struct cursor *c)
{
	for (size_t i = 0; i < c->n_group; i++) {
		free(c->group[i].labeled_by);
		free(c->group[i].file_name);
		free(c->group[i].video_file_name);
		free(c->group[i].payload);
	}
	c->n_group = 0;
}

static void cursor_rewind(struct cursor *c)
{
	cursor_clear_group(c);
	ts_export_items_release(c->page, c->n);
	c->page = NULL;
	c->n = c->pos = 0;
	c->end = 0;
	c->after_asset = c->after_category = 0;
}

static void cursor_release(struct cursor *c)
{
	cursor_rewind(c);
	free(c->group);
	c->group = NULL;
	c->cap_group = 0;
}

/* The next image's items into c->group; *has is 0 after the last one. */
static enum ts_err cursor_next(struct cursor *c, int *has, struct ts_error *err)
{
	cursor_clear_group(c);
	for (;;) {
		struct ts_export_item *it;

		if (c->pos == c->n && !c->end) {
			enum ts_err e;

			/* Moved entries are zeroed: releasing the page frees the rest. */
			ts_export_items_release(c->page, c->n);
			c->page = NULL;
			c->n = c->pos = 0;
			e = ts_store_export_snapshot_page(c->store, c->export_id, c->after_asset,
							  c->after_category, TS_EXPORT_PAGE,
							  &c->page, &c->n, err);
			if (e)
				return e;
			if (c->n < TS_EXPORT_PAGE)
				c->end = 1;
		}
		if (c->pos == c->n)
			break;
		it = &c->page[c->pos];
		if (c->n_group && c->group[0].asset_id != it->asset_id)
			break;
		if (c->n_group == c->cap_group) {
			c->cap_group = c->cap_group ? 2 * c->cap_group : 4;
			c->group = ts_xrealloc(c->group, c->cap_group * sizeof(*c->group));
		}
		c->after_asset = it->asset_id;
		c->after_category = it->category_id;
		c->group[c->n_group++] = *it;
		memset(it, 0, sizeof(*it));
		c->pos++;
	}
	*has = c->n_group > 0;
	return TS_OK;
}

/* The file name in images/ of an image, from immutable asset fields only. */
static enum ts_err image_name(const struct ts_export_item *it, char name[32],
			      struct ts_error *err)
{
	if (!ts_sha256_is_hex(it->checksum_sha256))
		return ts_error_set(err, TS_ERR_INTERNAL, "export_bad_asset",
				    "asset %lld has no valid checksum", (long long)it->asset_id);
	snprintf(name, 32, "%lld.%s", (long long)it->asset_id, ts_export_ext_of(it->mime_type));
	return TS_OK;
}

static int should_stop(struct build *b)
{
	if (!b->stopped && b->opts->stop && b->opts->stop(b->opts->stop_arg))
		b->stopped = 1;
	return b->stopped;
}

static void report(struct build *b, int64_t done, int force)
{
	struct ts_error err = { 0 };
	int64_t now = ts_time_mono_us();

	if (!force && now - b->last_report_us < REPORT_EVERY_US)
		return;
	b->last_report_us = now;
	if (ts_store_export_set_progress(b->opts->store, b->id, done, &err))
		ts_log_warn("export %lld: cannot record progress: %s", (long long)b->id, err.message);
	ts_error_release(&err);
}

/* The folder of one image (its items: group), made in pl->dir when first
 * used. */
static enum ts_err image_dir(struct placement *pl, const struct ts_export_item *group, size_t n,
			     const char **out, struct ts_error *err)
{
	size_t nc = pl->snap->n_categories, cls = SIZE_MAX, k;
	enum ts_split_part part;
	char path[PATH_MAX_LEN];

	*out = "images";
	if (!pl->n_folders)
		return TS_OK;
	for (size_t i = 0; i < n && cls == SIZE_MAX; i++)
		for (size_t c = 0; c < nc; c++)
			if (group[i].category_id && pl->snap->categories[c].id == group[i].category_id)
				cls = c;
	if (cls == SIZE_MAX)
		return ts_error_set(err, TS_ERR_INTERNAL, "export_bad_asset",
				    "image %lld has no class for the ImageFolder layout",
				    (long long)group[0].asset_id);
	part = pl->split ? ts_split_of(pl->split, group[0].checksum_sha256) : TS_SPLIT_TRAIN;
	k = (size_t)part * nc + cls;
	if (!pl->used[k]) {
		enum ts_err e;

		ts_imagefolder_dir(ts_split_name(part), cls, nc, pl->snap->categories[cls].name,
				   pl->folders[k]);
		if (path_fmt(path, sizeof(path), "%s/%s", pl->dir, pl->folders[k]))
			return ts_error_set(err, TS_ERR_IO, "export_io", "export path too long");
		e = mkdir_p(path, err);
		if (e)
			return e;
		pl->used[k] = 1;
	}
	*out = pl->folders[k];
	return TS_OK;
}

/* Makes the folders' entries durable: images/, or every folder of the
 * ImageFolder layout and the parts holding them. */
static enum ts_err sync_folders(const char *dir, const struct placement *pl,
				struct ts_error *err)
{
	char path[PATH_MAX_LEN];

	if (!pl->n_folders)
		return path_fmt(path, sizeof(path), "%s/images", dir) ||
				       ts_export_fsync_path(path, 1) != 0
			       ? sys_fail(err, "cannot sync", dir)
			       : TS_OK;
	for (size_t k = 0; k < pl->n_folders; k++) {
		if (!pl->used[k])
			continue;
		if (path_fmt(path, sizeof(path), "%s/%s", dir, pl->folders[k]) ||
		    ts_export_fsync_path(path, 1) != 0)
			return sys_fail(err, "cannot sync", path);
		/* ... and its part ("train"). */
		path[strlen(dir) + 1 + strcspn(pl->folders[k], "/")] = '\0';
		if (ts_export_fsync_path(path, 1) != 0)
			return sys_fail(err, "cannot sync", path);
	}
	return TS_OK;
}

static void placement_release(struct placement *pl)
{
	free(pl->folders);
	free(pl->used);
}

/* Adds one entry to the zip, counting the images' half of the progress. */
static enum ts_err zip_file(struct build *b, struct ts_zipw *w, const char *name,
			    const char *src_path, struct ts_error *err)
{
	int64_t half = b->total / 2;
	enum ts_err e;

	if (should_stop(b))
		return ts_error_set(err, TS_ERR_UNAVAILABLE, "stopping", "stopped");
	e = ts_zipw_add_file(w, name, src_path, err);
	if (!e && b->zip_units > 0)
		report(b, half + half * ++b->zip_done / b->zip_units, 0);
	return e;
}

/* Writes the zip at path: manifest.json, annotations.json, images/ (or the
 * ImageFolder folders) and the images in id order, then the YOLO labels,
 * all stored (images are already compressed; storing keeps the build as
 * fast as copying), streamed by export/zipw.h in memory that does not grow
 * with the images. */
static enum ts_err write_zip(struct build *b, const char *path, const char *dir,
			     struct cursor *cur, int labels, struct placement *pl,
			     struct ts_error *err)
{
	char src_path[PATH_MAX_LEN], entry[PATH_MAX_LEN], name[32];
	const char *imgdir;
	int has = 0;
	struct ts_zipw *w = NULL;
	enum ts_err e;

	e = ts_zipw_open(path, &w, err);
	if (e)
		return e;
	/* Progress: one unit per image and per label file, after the JSON
	 * files. */
	b->zip_done = b->zip_units = 0;
	for (int k = 0; k < 2; k++) {
		const char *json = k ? "annotations.json" : "manifest.json";

		if (path_fmt(src_path, sizeof(src_path), "%s/%s", dir, json)) {
			e = ts_error_set(err, TS_ERR_IO, "export_io", "path too long");
			goto fail;
		}
		e = zip_file(b, w, json, src_path, err);
		if (e)
			goto fail;
	}
	b->zip_units = b->n_images * (labels ? 2 : 1);
	if (!pl->n_folders) {
		e = ts_zipw_add_dir(w, "images", err);
		if (e)
			goto fail;
	}
	/* The ImageFolder layout: each part's folder, then its class folders. */
	for (size_t k = 0; k < pl->n_folders; k++) {
		size_t per = pl->n_folders / 3, first = k - k % per;
		int part_used = 0;

		for (size_t j = first; j < first + per && k == first; j++)
			part_used |= pl->used[j];
		if (part_used) {
			e = ts_zipw_add_dir(w, ts_split_name((enum ts_split_part)(k / per)), err);
			if (e)
				goto fail;
		}
		if (pl->used[k]) {
			e = ts_zipw_add_dir(w, pl->folders[k], err);
			if (e)
				goto fail;
		}
	}
	cursor_rewind(cur);
	while (!(e = cursor_next(cur, &has, err)) && has) {
		e = image_name(&cur->group[0], name, err);
		if (!e)
			e = image_dir(pl, cur->group, cur->n_group, &imgdir, err);
		if (e)
			goto fail;
		if (path_fmt(src_path, sizeof(src_path), "%s/%s/%s", dir, imgdir, name)) {
			e = ts_error_set(err, TS_ERR_IO, "export_io", "path too long");
			goto fail;
		}
		snprintf(entry, sizeof(entry), "%s/%s", imgdir, name);
		e = zip_file(b, w, entry, src_path, err);
		if (e)
			goto fail;
	}
	if (e)
		goto fail;
	/* Detection: the YOLO labels, after the images. */
	if (labels) {
		e = ts_zipw_add_dir(w, "labels", err);
		if (e)
			goto fail;
		cursor_rewind(cur);
	}
	while (labels && !(e = cursor_next(cur, &has, err)) && has) {
		char label[40];

		e = image_name(&cur->group[0], name, err);
		if (e)
			goto fail;
		if (ts_coco_yolo_name(name, label, sizeof(label)) ||
		    path_fmt(src_path, sizeof(src_path), "%s/labels/%s", dir, label)) {
			e = ts_error_set(err, TS_ERR_IO, "export_io", "path too long");
			goto fail;
		}
		snprintf(entry, sizeof(entry), "labels/%s", label);
		e = zip_file(b, w, entry, src_path, err);
		if (e)
			goto fail;
	}
	if (e)
		goto fail;
	cursor_rewind(cur);
	return ts_zipw_finish(w, err);
fail:
	cursor_rewind(cur);
	ts_zipw_abort(w);
	return e;
}

static int has_category(const struct ts_export_snapshot *snap, int64_t id)
{
	for (size_t i = 0; i < snap->n_categories; i++)
		if (snap->categories[i].id == id)
			return 1;
	return 0;
}

/* One image's annotations (a growing array reused from image to image). */
struct anns {
	struct ts_coco_annotation *a;
	size_t n, cap;
};

static struct ts_coco_annotation *anns_add(struct anns *v)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 16;
		v->a = ts_xrealloc(v->a, v->cap * sizeof(*v->a));
	}
	memset(&v->a[v->n], 0, sizeof(v->a[0]));
	return &v->a[v->n++];
}

/* The polygons objects of one segmentation item (its stored payload, read
 * into *pl) as annotations, those of exported categories only. */
static enum ts_err add_polygons(const struct ts_export_snapshot *snap,
				const struct ts_export_item *it, struct ts_payload *pl,
				struct anns *v, struct ts_error *err)
{
	struct ts_error perr = { 0 };

	if (ts_payload_from_text(it->payload, pl, &perr) ||
	    (it->payload && pl->type != TS_PAYLOAD_POLYGONS)) {
		ts_error_release(&perr);
		return ts_error_set(err, TS_ERR_INTERNAL, "export_bad_payload",
				    "the polygons of asset %lld are not readable",
				    (long long)it->asset_id);
	}
	for (size_t k = 0; k < pl->nobj; k++) {
		const struct ts_payload_box *o = &pl->objects[k];
		struct ts_coco_annotation *x;

		if (!has_category(snap, o->category_id))
			continue;
		x = anns_add(v);
		x->image_id = it->asset_id;
		x->category_id = o->category_id;
		x->has_bbox = 1;
		x->seq = k;
		memcpy(x->bbox, o->bbox, sizeof(x->bbox));
		x->rings = o->rings;
		x->nrings = o->nrings;
	}
	return TS_OK;
}

/* The boxes of one detection item (its stored payload) as annotations,
 * those of exported categories only. */
static enum ts_err add_boxes(const struct ts_export_snapshot *snap,
			     const struct ts_export_item *it, struct anns *v,
			     struct ts_error *err)
{
	json_t *root = it->payload ? json_loads(it->payload, 0, NULL) : NULL;
	json_t *objs = json_object_get(root, "objects"), *o;
	size_t k;

	if (it->payload && !json_is_array(objs)) {
		json_decref(root);
		return ts_error_set(err, TS_ERR_INTERNAL, "export_bad_payload",
				    "the boxes of asset %lld are not readable",
				    (long long)it->asset_id);
	}
	json_array_foreach(objs, k, o) {
		json_t *bbox = json_object_get(o, "bbox");
		int64_t cat = json_integer_value(json_object_get(o, "category_id"));
		struct ts_coco_annotation *x;

		if (!has_category(snap, cat))
			continue;
		x = anns_add(v);
		x->image_id = it->asset_id;
		x->category_id = cat;
		x->has_bbox = 1;
		x->seq = k;
		for (int m = 0; m < 4; m++)
			x->bbox[m] = json_number_value(json_array_get(bbox, (size_t)m));
	}
	json_decref(root);
	return TS_OK;
}

/* One image's annotations from its items (group, sorted by category):
 * classification_single one, classification_multi one per category;
 * detection one per box of an exported category; segmentation one per
 * polygons object of an exported category, its rings in *pl (released by
 * the caller after the annotations). An item with category 0 (an answer
 * naming none) adds nothing. Every annotation takes the status and
 * labeled_by of the image's first item; strings are borrowed. */
static enum ts_err image_annotations(const struct ts_export_snapshot *snap,
				     const char *task_type, const struct ts_export_item *group,
				     size_t n, struct ts_payload *pl, struct anns *v,
				     struct ts_error *err)
{
	int seg = strcmp(task_type, "segmentation") == 0;
	int det = seg || strcmp(task_type, "detection") == 0;
	enum ts_err e = TS_OK;

	v->n = 0;
	if (det)
		e = seg ? add_polygons(snap, &group[0], pl, v, err)
			: add_boxes(snap, &group[0], v, err);
	for (size_t i = 0; !det && i < n; i++) {
		struct ts_coco_annotation *x;

		if (!group[i].category_id)
			continue;
		x = anns_add(v);
		x->image_id = group[0].asset_id;
		x->category_id = group[i].category_id;
	}
	for (size_t i = 0; i < v->n; i++) {
		v->a[i].status = group[0].status;
		v->a[i].labeled_by = group[0].labeled_by;
	}
	return e;
}

/* Writes one image's YOLO label file into <dir>/labels. */
static enum ts_err write_label(void *arg, const struct ts_coco_image *im, const char *text,
			       size_t len, struct ts_error *err)
{
	char name[40], path[PATH_MAX_LEN];

	if (ts_coco_yolo_name(im->file_name, name, sizeof(name)) ||
	    path_fmt(path, sizeof(path), "%s/labels/%s", (const char *)arg, name))
		return ts_error_set(err, TS_ERR_IO, "export_io", "path too long");
	return ts_export_write_file(path, text, len, err);
}

/* An original that is only in the remote store comes here first. */
static enum ts_err fetch_blob(struct build *b, const char *blob, const char *hex,
			      struct ts_error *err)
{
	enum ts_err e;

	if (!b->opts->data_dir || !ts_blob_remote_get())
		return TS_OK;
	e = ts_blob_remote_ensure(b->opts->data_dir, blob, hex, err);
	return e == TS_ERR_NOT_FOUND ? TS_OK : e; /* reported as blob_missing below */
}

/* Detection: an image with an EXIF orientation is written into
 * dir/images with its pixels turned as shown and the tag removed
 * (ts_media_image_upright), so a reader that ignores the tag sees what the
 * labeler saw and the boxes fit. sum gets that file's SHA-256 ("" when the
 * image is to be linked unchanged). */
static enum ts_err write_upright(struct build *b, const struct ts_export_item *it,
				 const char *dir, const char *name,
				 char sum[TS_SHA256_HEX_SIZE], struct ts_error *err)
{
	struct ts_image_limits lim;
	char blob[PATH_MAX_LEN], dst[PATH_MAX_LEN];
	void *data = NULL;
	size_t len = 0;
	enum ts_err e;

	sum[0] = '\0';
	if (it->orientation <= 1)
		return TS_OK;
	if (should_stop(b))
		return ts_error_set(err, TS_ERR_UNAVAILABLE, "stopping", "stopped");
	ts_image_limits_default(&lim);
	if (path_fmt(blob, sizeof(blob), "%s/sha256/%.2s/%s", b->opts->blobs_dir,
		     it->checksum_sha256, it->checksum_sha256) ||
	    path_fmt(dst, sizeof(dst), "%s/images/%s", dir, name))
		return ts_error_set(err, TS_ERR_IO, "export_io", "path too long");
	e = fetch_blob(b, blob, it->checksum_sha256, err);
	if (!e)
		e = ts_media_image_upright(blob, &lim, NULL, &data, &len, err);
	if (e || !data)
		return e;
	e = ts_export_write_file(dst, data, len, err);
	if (!e)
		ts_sha256_hex(data, len, sum);
	free(data);
	return e;
}

/* Links every image into dir/images: from the blobs, or from the images/
 * of shared_dir (an identical version's folder) when given, which holds
 * the same bytes under the same names. Images already written upright
 * (labels, an orientation, the file there) are left as they are. */
static enum ts_err link_images(struct build *b, struct cursor *cur, const char *dir,
			       struct placement *pl, const char *shared_dir, int labels,
			       struct ts_error *err)
{
	char blob[PATH_MAX_LEN], dst[PATH_MAX_LEN], name[32];
	const char *imgdir;
	struct stat bst;
	int copy = 0, has = 0;
	int64_t i = 0;
	enum ts_err e;

	cursor_rewind(cur);
	while (!(e = cursor_next(cur, &has, err)) && has) {
		const struct ts_export_item *it = &cur->group[0];

		if ((i & 255) == 0 && should_stop(b))
			return ts_error_set(err, TS_ERR_UNAVAILABLE, "stopping", "stopped");
		e = image_name(it, name, err);
		if (!e)
			e = image_dir(pl, cur->group, cur->n_group, &imgdir, err);
		if (e)
			return e;
		if (path_fmt(dst, sizeof(dst), "%s/%s/%s", dir, imgdir, name))
			return ts_error_set(err, TS_ERR_IO, "export_io", "path too long");
		if (labels && it->orientation > 1 && lstat(dst, &bst) == 0)
			goto next;
		for (;;) {
			int from_shared = shared_dir && !copy;

			if (from_shared ? path_fmt(blob, sizeof(blob), "%s/%s/%s", shared_dir, imgdir,
						   name)
					: path_fmt(blob, sizeof(blob), "%s/sha256/%.2s/%s",
						   b->opts->blobs_dir, it->checksum_sha256,
						   it->checksum_sha256))
				return ts_error_set(err, TS_ERR_IO, "export_io", "path too long");
			if (!from_shared) {
				e = fetch_blob(b, blob, it->checksum_sha256, err);
				if (e)
					return e;
			}
			/* A blob is a regular file we wrote; a symlink in its place
			 * would carry whatever it points at into the zip. */
			if (lstat(blob, &bst) == 0 && !S_ISREG(bst.st_mode))
				return ts_error_set(err, TS_ERR_IO, "blob_not_regular",
						    "the stored file of asset %lld (sha256 %s) is "
						    "not a regular file", (long long)it->asset_id,
						    it->checksum_sha256);
			if (!copy && link(blob, dst) == 0)
				break;
			if (from_shared) {
				/* The earlier version's folder is not as expected:
				 * use the blobs for this and every following image. */
				shared_dir = NULL;
				continue;
			}
			if (!copy && errno == ENOENT)
				return ts_error_set(err, TS_ERR_IO, "blob_missing",
						    "the stored file of asset %lld (sha256 %s) is "
						    "missing", (long long)it->asset_id,
						    it->checksum_sha256);
			if (!copy && errno != EXDEV && errno != EPERM && errno != EMLINK &&
			    errno != ENOTSUP)
				return sys_fail(err, "cannot link", dst);
			/* Another filesystem (or one without hardlinks): copy this
			 * and every following image. */
			if (!copy)
				ts_log_info("export %lld: hardlinks impossible (%s); copying images",
					    (long long)b->id, strerror(errno));
			copy = 1;
			if (copy_file(blob, dst, err))
				return err->err;
			break;
		}
next:
		report(b, ++i, 0);
	}
	return e;
}

/* Appends the file at path to out (and to the hash), then removes it. */
static enum ts_err append_file(int out, const char *path, struct ts_sha256 *h, uint64_t *bytes,
			       struct ts_error *err)
{
	char buf[1 << 16];
	int in = open(path, O_RDONLY | O_CLOEXEC);
	enum ts_err e = TS_OK;
	ssize_t r;

	if (in < 0)
		return sys_fail(err, "cannot open", path);
	while ((r = read(in, buf, sizeof(buf))) > 0) {
		if (ts_write_all(out, buf, (size_t)r) != 0) {
			e = sys_fail(err, "cannot write", path);
			break;
		}
		ts_sha256_update(h, buf, (size_t)r);
		*bytes += (uint64_t)r;
	}
	if (!e && r < 0)
		e = sys_fail(err, "cannot read", path);
	close(in);
	unlink(path);
	return e;
}

static enum ts_err append_buf(int out, const struct ts_buf *b, struct ts_sha256 *h,
			      uint64_t *bytes, const char *path, struct ts_error *err)
{
	if (b->len && ts_write_all(out, b->ptr, b->len) != 0)
		return sys_fail(err, "cannot write", path);
	ts_sha256_update(h, b->ptr ? b->ptr : "", b->len);
	*bytes += b->len;
	return TS_OK;
}

static enum ts_err flush_buf(FILE *f, struct ts_buf *b, const char *path, struct ts_error *err)
{
	if (b->len && fwrite(b->ptr, 1, b->len, f) != b->len)
		return sys_fail(err, "cannot write", path);
	ts_buf_reset(b);
	return TS_OK;
}

/* The first pass over the snapshot, one image at a time: each image's entry
 * of annotations.json (images_path), its annotations (anns_path), its YOLO
 * label file (labels) and its upright copy (labels, an orientation), and
 * the figures of the manifest in *counts. */
static enum ts_err write_images(struct build *b, struct cursor *cur,
				const struct ts_export_snapshot *snap, struct placement *pl,
				const struct ts_coco_dataset *base, int labels, const char *tmpdir,
				const char *images_path, const char *anns_path,
				struct ts_coco_stream_counts *counts, struct ts_error *err)
{
	FILE *fi = fopen(images_path, "we"), *fa = fopen(anns_path, "we");
	struct ts_buf ib, ab;
	struct anns v = { 0 };
	char name[32], sum[TS_SHA256_HEX_SIZE];
	int has = 0;
	enum ts_err e = TS_OK;

	ts_buf_init(&ib, JSON_CAP);
	ts_buf_init(&ab, JSON_CAP);
	if (!fi || !fa) {
		e = sys_fail(err, "cannot create", fi ? anns_path : images_path);
		goto out;
	}
	cursor_rewind(cur);
	while (!(e = cursor_next(cur, &has, err)) && has) {
		const struct ts_export_item *it = &cur->group[0];
		struct ts_payload payload = { 0 };
		struct ts_coco_image im = { 0 };
		struct ts_coco_dataset one = *base;

		if ((counts->images & 255) == 0 && should_stop(b)) {
			e = ts_error_set(err, TS_ERR_UNAVAILABLE, "stopping", "stopped");
			break;
		}
		const char *imgdir;

		e = image_name(it, name, err);
		if (!e)
			e = image_dir(pl, cur->group, cur->n_group, &imgdir, err);
		/* Detection boxes are in the frame the labeler saw: oriented
		 * images are written turned (classification exports keep the
		 * stored bytes). */
		sum[0] = '\0';
		if (!e && labels)
			e = write_upright(b, it, tmpdir, name, sum, err);
		if (!e)
			e = image_annotations(snap, base->task_type, cur->group, cur->n_group, &payload,
					      &v, err);
		if (!e) {
			im.id = it->asset_id;
			im.file_name = name;
			im.width = it->width;
			im.height = it->height;
			im.mime_type = it->mime_type;
			im.checksum_sha256 = sum[0] ? sum : it->checksum_sha256;
			im.original_file_name = it->file_name;
			if (it->video_frame) {
				im.source_type = TS_COCO_SOURCE_VIDEO_FRAME;
				im.video_id = it->video_id;
				im.video_file_name = it->video_file_name;
				im.frame_index = it->frame_index;
				im.timestamp_ms = it->timestamp_ms;
			}
			one.images = &im;
			one.n_images = 1;
			one.annotations = v.a;
			one.n_annotations = v.n;
			e = ts_coco_stream_image(&one, (size_t)counts->annotations + 1, &ib, &ab,
						 counts, err);
		}
		if (!e && labels)
			e = ts_coco_write_yolo(&one, write_label, (void *)tmpdir, err);
		ts_payload_release(&payload);
		if (!e && ib.len + ab.len > ((size_t)1 << 20)) {
			e = flush_buf(fi, &ib, images_path, err);
			if (!e)
				e = flush_buf(fa, &ab, anns_path, err);
		}
		if (e)
			break;
	}
	if (!e)
		e = flush_buf(fi, &ib, images_path, err);
	if (!e)
		e = flush_buf(fa, &ab, anns_path, err);
out:
	if (fi && fclose(fi) != 0 && !e)
		e = sys_fail(err, "cannot write", images_path);
	if (fa && fclose(fa) != 0 && !e)
		e = sys_fail(err, "cannot write", anns_path);
	free(v.a);
	ts_buf_release(&ib);
	ts_buf_release(&ab);
	return e;
}

/* annotations.json at path: head + the images' entries + the annotations
 * + tail (the two middle parts from the first pass's files, removed), its
 * SHA-256 into hex and its size into *bytes. */
static enum ts_err assemble_annotations(const struct ts_coco_dataset *base, const char *path,
					const char *images_path, const char *anns_path,
					char hex[TS_SHA256_HEX_SIZE], uint64_t *bytes,
					struct ts_error *err)
{
	struct ts_sha256 h;
	struct ts_buf part;
	enum ts_err e;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return sys_fail(err, "cannot create", path);
	*bytes = 0;
	ts_sha256_init(&h);
	ts_buf_init(&part, JSON_CAP);
	e = ts_coco_stream_head(base, &part, err);
	if (!e)
		e = append_buf(fd, &part, &h, bytes, path, err);
	if (!e)
		e = append_file(fd, images_path, &h, bytes, err);
	ts_buf_reset(&part);
	if (!e)
		e = ts_buf_adds(&part, TS_COCO_ANNOTATIONS_MID);
	if (!e)
		e = append_buf(fd, &part, &h, bytes, path, err);
	if (!e)
		e = append_file(fd, anns_path, &h, bytes, err);
	ts_buf_reset(&part);
	if (!e)
		e = ts_coco_stream_tail(base, &part, err);
	if (!e)
		e = append_buf(fd, &part, &h, bytes, path, err);
	if (!e && fsync(fd) != 0)
		e = sys_fail(err, "cannot sync", path);
	if (close(fd) != 0 && !e)
		e = sys_fail(err, "cannot write", path);
	ts_sha256_final(&h, hex, NULL);
	ts_buf_release(&part);
	return e;
}

/* Splits "approved,labeled" into pointers into buf. */
static size_t split_statuses(char *buf, const char **out, size_t max)
{
	size_t n = 0;
	char *p = buf;

	while (*p && n < max) {
		char *comma = strchr(p, ',');

		out[n++] = p;
		if (!comma)
			break;
		*comma = '\0';
		p = comma + 1;
	}
	return n;
}

/* annotations.json for the new version: a hardlink of the identical
 * version's (the same bytes: the same hash) in place of the one written. */
static void share_annotations(const char *path, const char *shared_dir)
{
	char from[PATH_MAX_LEN], tmp[PATH_MAX_LEN];

	if (path_fmt(from, sizeof(from), "%s/annotations.json", shared_dir) ||
	    path_fmt(tmp, sizeof(tmp), "%s.shared", path))
		return;
	if (link(from, tmp) == 0 && rename(tmp, path) != 0)
		unlink(tmp);
}

static uint64_t build_random(void)
{
	uint64_t r = 0;

	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = (uint64_t)ts_time_mono_us();
	return r;
}

/* Streams the snapshot (cur) into the version's files; snap holds the
 * categories. */
static enum ts_err build(struct build *b, const struct ts_export *ex,
			 const struct ts_project *proj, const struct ts_export_snapshot *snap,
			 struct cursor *cur, struct ts_error *err)
{
	const struct ts_export_build_opts *o = b->opts;
	char projdir[PATH_MAX_LEN], tmpdir[PATH_MAX_LEN], tmpzip[PATH_MAX_LEN];
	char finaldir[PATH_MAX_LEN], finalzip[PATH_MAX_LEN], path[PATH_MAX_LEN];
	char shared_dir[PATH_MAX_LEN], shared_zip[PATH_MAX_LEN];
	char images_path[PATH_MAX_LEN], anns_path[PATH_MAX_LEN];
	char dataset_id[24], created_at[32], statuses_buf[sizeof(ex->statuses)];
	char hash[TS_COCO_PREFIXED_HASH_SIZE], cat_hash[TS_COCO_PREFIXED_HASH_SIZE];
	char hex[TS_SHA256_HEX_SIZE];
	const char *statuses[TS_STATUS_COUNT];
	struct ts_coco_category *cats = NULL;
	struct ts_coco_dataset ds = { 0 };
	struct ts_coco_manifest_info info = { 0 };
	struct ts_coco_stream_counts counts = { 0 };
	struct ts_split split;
	struct ts_export_share share = { 0 };
	struct ts_error why = { 0 };
	struct ts_buf man;
	struct stat st;
	uint64_t ann_bytes = 0;
	int64_t zip_bytes = 0;
	enum ts_err e;
	int labels = strcmp(proj->task_type, "detection") == 0 ||
		     strcmp(proj->task_type, "segmentation") == 0;
	int imagefolder = strcmp(ex->layout, "imagefolder") == 0;
	struct placement pl = { 0 };
	int placed = 0;
	char tag[48];

	/* Temporary names unique to this build: several processes may share the
	 * exports folder. The version (from the database) makes the final names
	 * unique. */
	snprintf(tag, sizeof(tag), "%ld-%016llx", (long)getpid(), (unsigned long long)build_random());
	tmpdir[0] = tmpzip[0] = '\0';
	images_path[0] = anns_path[0] = '\0';
	ts_buf_init(&man, JSON_CAP);
	projdir[0] = '\0';
	if (path_fmt(projdir, sizeof(projdir), "%s/%lld", o->exports_dir,
		     (long long)ex->project_id) ||
	    path_fmt(tmpdir, sizeof(tmpdir), "%s/.build-%lld.%s", projdir, (long long)ex->version,
		     tag) ||
	    path_fmt(tmpzip, sizeof(tmpzip), "%s/.build-%lld.%s.zip", projdir,
		     (long long)ex->version, tag) ||
	    path_fmt(images_path, sizeof(images_path), "%s/.build-%lld.%s.images", projdir,
		     (long long)ex->version, tag) ||
	    path_fmt(anns_path, sizeof(anns_path), "%s/.build-%lld.%s.annotations", projdir,
		     (long long)ex->version, tag) ||
	    path_fmt(finaldir, sizeof(finaldir), "%s/%lld", projdir, (long long)ex->version) ||
	    path_fmt(finalzip, sizeof(finalzip), "%s/%lld.zip", projdir, (long long)ex->version)) {
		e = ts_error_set(err, TS_ERR_IO, "export_io", "export path too long");
		goto out;
	}
	e = mkdir_p(projdir, err);
	if (e)
		goto out;
	/* Leftovers of an earlier attempt of this (never ready) version. */
	remove_partial(projdir, ex->version);
	if (path_fmt(path, sizeof(path), imagefolder ? "%s" : "%s/images", tmpdir)) {
		e = ts_error_set(err, TS_ERR_IO, "export_io", "export path too long");
		goto out;
	}
	e = mkdir_p(path, err);
	if (!e && labels) {
		if (path_fmt(path, sizeof(path), "%s/labels", tmpdir))
			e = ts_error_set(err, TS_ERR_IO, "export_io", "export path too long");
		else
			e = mkdir_p(path, err);
	}
	if (e)
		goto out;

	/* The dataset, from the snapshot only, one image at a time. */
	cats = ts_xcalloc(snap->n_categories ? snap->n_categories : 1, sizeof(*cats));
	for (size_t i = 0; i < snap->n_categories; i++) {
		cats[i].id = snap->categories[i].id;
		cats[i].name = snap->categories[i].name;
	}
	ds.task_type = proj->task_type;
	ds.categories = cats;
	ds.n_categories = snap->n_categories;
	if (ex->split[0]) {
		json_t *sj = json_loads(ex->split, 0, NULL);

		e = ts_split_parse(sj, &split, err);
		json_decref(sj);
		if (e)
			goto out;
		ds.split = &split;
	}
	ds.imagefolder = imagefolder;
	pl.snap = snap;
	pl.split = ds.split;
	pl.dir = tmpdir;
	if (imagefolder) {
		pl.n_folders = 3 * snap->n_categories;
		pl.folders = ts_xcalloc(pl.n_folders ? pl.n_folders : 1, sizeof(*pl.folders));
		pl.used = ts_xcalloc(pl.n_folders ? pl.n_folders : 1, 1);
	}
	/* The snapshot's categories are sorted by id, as the manifest's. */
	counts.per_category = ts_xcalloc(snap->n_categories ? snap->n_categories : 1,
					 sizeof(*counts.per_category));
	e = write_images(b, cur, snap, &pl, &ds, labels, tmpdir, images_path, anns_path, &counts, err);
	if (e)
		goto out;
	b->n_images = counts.images;
	if (2 * counts.images != b->total) {
		b->total = 2 * counts.images;
		e = ts_store_export_set_building(o->store, b->id, b->total, err);
		if (e)
			goto out;
	}
	if (path_fmt(path, sizeof(path), "%s/annotations.json", tmpdir)) {
		e = ts_error_set(err, TS_ERR_IO, "export_io", "export path too long");
		goto out;
	}
	e = assemble_annotations(&ds, path, images_path, anns_path, hex, &ann_bytes, err);
	if (e)
		goto out;

	snprintf(dataset_id, sizeof(dataset_id), "%lld", (long long)ex->project_id);
	ts_time_rfc3339(ex->created_at, created_at, sizeof(created_at));
	memcpy(statuses_buf, ex->statuses, sizeof(statuses_buf));
	info.dataset_id = dataset_id;
	info.project_name = proj->name;
	info.version = ex->version;
	info.created_at = created_at;
	info.created_by = ex->created_by;
	info.statuses = statuses;
	info.n_statuses = split_statuses(statuses_buf, statuses, TS_STATUS_COUNT);
	info.excluded_deleted_category = ex->excluded_deleted_category;
	e = ts_coco_stream_manifest(&ds, &info, hex, (size_t)ann_bytes, &counts, &man, err);
	if (!e)
		e = ts_coco_categories_hash(cats, snap->n_categories, cat_hash, err);
	if (e)
		goto out;
	if (labels && path_fmt(path, sizeof(path), "%s/labels", tmpdir) == 0 &&
	    ts_export_fsync_path(path, 1) != 0) {
		e = sys_fail(err, "cannot sync", path);
		goto out;
	}
	snprintf(hash, sizeof(hash), "sha256:%s", hex);

	/* The same annotations.json as an earlier ready version: the same
	 * images under the same names. Reuse its files (share.h). */
	e = ts_store_export_find_shareable(o->store, ex->project_id, hash, ex->version,
					   &share.version, err);
	if (e)
		goto out;
	if (share.version > 0 &&
	    (path_fmt(shared_dir, sizeof(shared_dir), "%s/%lld", projdir,
		      (long long)share.version) ||
	     path_fmt(shared_zip, sizeof(shared_zip), "%s/%lld.zip", projdir,
		      (long long)share.version)))
		share.version = 0;

	e = link_images(b, cur, tmpdir, &pl, share.version > 0 ? shared_dir : NULL, labels, err);
	if (e)
		goto out;
	report(b, counts.images, 1);

	if (share.version > 0 &&
	    !path_fmt(path, sizeof(path), "%s/annotations.json", tmpdir))
		share_annotations(path, shared_dir);
	if (path_fmt(path, sizeof(path), "%s/manifest.json", tmpdir)) {
		e = ts_error_set(err, TS_ERR_IO, "export_io", "export path too long");
		goto out;
	}
	e = ts_export_write_file(path, man.ptr, man.len, err);
	if (e)
		goto out;
	/* The images folders' entries (the hardlinks) must be durable too. */
	e = sync_folders(tmpdir, &pl, err);
	if (e)
		goto out;
	if (ts_export_fsync_path(tmpdir, 1) != 0) {
		e = sys_fail(err, "cannot sync", tmpdir);
		goto out;
	}

	if (share.version > 0) {
		if (path_fmt(tmpzip, sizeof(tmpzip), "%s/.build-%lld.%s.parts", projdir,
			     (long long)ex->version, tag) ||
		    path_fmt(finalzip, sizeof(finalzip), "%s/%lld.zip.parts", projdir,
			     (long long)ex->version)) {
			e = ts_error_set(err, TS_ERR_IO, "export_io", "export path too long");
			goto out;
		}
		e = ts_export_share_zip(shared_zip, man.ptr, man.len, tmpzip, &share, &zip_bytes,
					&why);
		if (e == TS_ERR_UNSUPPORTED) {
			ts_log_info("export %lld: writing a full zip, since version %lld's cannot be "
				    "shared: %s", (long long)b->id, (long long)share.version,
				    why.message);
			share.version = 0;
			path_fmt(tmpzip, sizeof(tmpzip), "%s/.build-%lld.%s.zip", projdir,
				 (long long)ex->version, tag);
			path_fmt(finalzip, sizeof(finalzip), "%s/%lld.zip", projdir,
				 (long long)ex->version);
		} else if (e) {
			*err = why;
			why.details = NULL;
			goto out;
		}
	}
	if (share.version == 0) {
		e = write_zip(b, tmpzip, tmpdir, cur, labels, &pl, err);
		if (e)
			goto out;
		if (stat(tmpzip, &st) != 0) {
			e = sys_fail(err, "cannot stat", tmpzip);
			goto out;
		}
		zip_bytes = (int64_t)st.st_size;
	}

	/* Into place; only then ready. A crash between the renames and the
	 * database update leaves files under the final names of a version
	 * that is not ready: the next attempt removes and rebuilds them. */
	if (rename(tmpdir, finaldir) != 0) {
		e = sys_fail(err, "cannot rename", tmpdir);
		goto out;
	}
	placed = 1;
	if (rename(tmpzip, finalzip) != 0) {
		e = sys_fail(err, "cannot rename", tmpzip);
		goto out;
	}
	if (ts_export_fsync_path(projdir, 1) != 0) {
		e = sys_fail(err, "cannot sync", projdir);
		goto out;
	}
	if (o->publish) {
		struct ts_export done = *ex;

		done.zip_bytes = zip_bytes;
		done.shares_files_with = share.version > 0 ? share.version : 0;
		done.zip_base_from = share.base_from;
		done.zip_base_len = share.base_len;
		done.manifest = NULL;
		e = o->publish(o->publish_arg, &done, err);
		if (e)
			goto out;
	}
	e = ts_store_export_set_ready(o->store, b->id, hash, cat_hash, man.ptr, zip_bytes,
				      share.version > 0 ? &share : NULL, err);
out:
	/* Only this build's own files: another process may be building the
	 * same version under its own names (it took the job over after this
	 * one's lease ran out). */
	if (e && projdir[0]) {
		remove_tree(tmpdir);
		remove_tree(tmpzip);
		remove_tree(images_path);
		remove_tree(anns_path);
		if (placed) {
			remove_tree(finaldir);
			remove_tree(finalzip);
		}
	}
	ts_error_release(&why);
	placement_release(&pl);
	free(cats);
	free(counts.per_category);
	ts_buf_release(&man);
	return e;
}

enum ts_err ts_export_build(const struct ts_export_build_opts *opts, int64_t id,
			    struct ts_error *err)
{
	struct build b = { 0 };
	struct ts_export ex;
	struct ts_project proj;
	struct ts_export_snapshot snap = { 0 };
	struct cursor cur = { 0 };
	struct ts_error ignore = { 0 };
	int64_t t0 = ts_time_mono_us();
	enum ts_err e;

	b.opts = opts;
	b.id = id;
	e = ts_store_export_get(opts->store, id, 0, &ex, err);
	if (e)
		return e;
	if (strcmp(ex.state, "ready") == 0)
		return TS_OK;
	if (strcmp(ex.state, "failed") == 0)
		return ts_error_set(err, TS_ERR_CONFLICT, "export_failed",
				    "export %lld already failed: %s", (long long)id, ex.error);
	e = ts_store_project_get(opts->store, ex.project_id, &proj, err);
	if (!e)
		e = ts_store_export_snapshot(opts->store, id, &snap, err);
	if (e)
		goto fail;
	/* The selection's image count; the first pass corrects it if needed. */
	b.total = 2 * ex.image_count;
	e = ts_store_export_set_building(opts->store, id, b.total, err);
	if (e)
		goto fail;
	cur.store = opts->store;
	cur.export_id = id;
	e = build(&b, &ex, &proj, &snap, &cur, err);
	if (e)
		goto fail;
	ts_log_info("export %lld (project %lld version %lld): %lld images ready in %.2f s",
		    (long long)id, (long long)ex.project_id, (long long)ex.version,
		    (long long)b.n_images,
		    (double)(ts_time_mono_us() - t0) / 1e6);
	goto out;
fail:
	if (e == TS_ERR_UNAVAILABLE || b.stopped) {
		e = ts_error_set(err, TS_ERR_UNAVAILABLE, "stopping",
				 "the server stopped during the build");
		if (ts_store_export_set_queued(opts->store, id, &ignore))
			ts_log_warn("export %lld: %s", (long long)id, ignore.message);
	} else if (ts_store_export_set_failed(opts->store, id, err->message, &ignore)) {
		ts_log_warn("export %lld: cannot record the failure: %s", (long long)id,
			    ignore.message);
	}
out:
	cursor_release(&cur);
	ts_error_release(&ignore);
	ts_export_snapshot_release(&snap);
	return e;
}
