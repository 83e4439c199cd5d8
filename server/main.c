/* The command line: serve, user add, verify, migrate, infer, version. */
#include <errno.h>
#include <signal.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "auth/auth.h"
#include "core/log.h"
#include "core/time.h"
#include "export/verify.h"
#include "http/server.h"
#include "service/ingest.h"
#include "service/models.h"
#include "jobs/jobs.h"
#include "media/image.h"
#include "storage/blobs.h"
#include "storage/cache.h"
#include "storage/remote.h"
#include "storage/s3.h"
#include "store/store.h"
#include "store/store_copy.h"
#include "service/accounts.h"
#include "version.h"
#include "core/banned.h"

static void usage(FILE *out)
{
	fputs("usage:\n"
	      "  tessera serve [--listen HOST:PORT] [--data DIR] [--db URL] [--web DIR]\n"
	      "                [--blobs s3://BUCKET[/PREFIX] [--blob-cache-bytes N]]\n"
	      "                [--quota-project-bytes N] [--quota-export-versions N]\n"
	      "                [--public-origin URL] [--trusted-proxy ADDR[/BITS][,...]]\n"
	      "  tessera user add NAME [--admin] [--password PW] [--data DIR] [--db URL]\n"
	      "  tessera user disable|enable NAME [--data DIR] [--db URL]\n"
	      "  tessera verify PATH\n"
	      "  tessera migrate --from sqlite:PATH --to postgresql://...\n"
	      "  tessera blobs check --blobs s3://BUCKET[/PREFIX]\n"
	      "  tessera infer MODEL.onnx METADATA.json [--repeat N] [--quiet] IMAGE...|--list FILE\n"
	      "  tessera version\n"
	      "\n"
	      "Environment: TESSERA_LISTEN, TESSERA_DATA, TESSERA_DB, TESSERA_WEB,\n"
	      "TESSERA_QUOTA_PROJECT_BYTES, TESSERA_QUOTA_EXPORT_VERSIONS,\n"
	      "TESSERA_PUBLIC_ORIGIN, TESSERA_TRUSTED_PROXY and TESSERA_BLOBS do what the\n"
	      "flags do. Object storage: TESSERA_S3_ENDPOINT, TESSERA_S3_REGION (or\n"
	      "AWS_REGION), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY; the cache's limit\n"
	      "TESSERA_BLOB_CACHE_BYTES, and TESSERA_BLOB_CACHE_GRACE_S (default 600): how\n"
	      "long a copy just used is never removed.\n"
	      "Defaults: 127.0.0.1:8080, ./var, sqlite in the data folder, ./web/dist.\n",
	      out);
}

static int parse_listen(struct ts_config *cfg, const char *v)
{
	const char *colon = strrchr(v, ':');
	char *end;
	long port;

	if (!colon || colon == v || (size_t)(colon - v) >= sizeof(cfg->host))
		return -1;
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || port < 0 || port > 65535)
		return -1;
	snprintf(cfg->host, sizeof(cfg->host), "%.*s", (int)(colon - v), v);
	cfg->port = (unsigned)port;
	return 0;
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = v ? ts_xstrdup(v) : NULL;
}

/* A number of seconds from the environment, at least min: -1 (with a
 * message) when set to anything else. */
static int env_seconds(const char *name, double min, double *out)
{
	const char *env = getenv(name);
	char *end = NULL;
	double d;

	if (!env)
		return 0;
	errno = 0;
	d = strtod(env, &end);
	if (errno || end == env || *end || !(d >= min && d <= 1e7)) {
		fprintf(stderr, "tessera: %s must be a number of seconds from %g, not \"%s\"\n",
			name, min, env);
		return -1;
	}
	*out = d;
	return 0;
}

/* Reads TESSERA_* then the flags (flags win). Consumes known flags from
 * argv in place; returns -1 on a bad value. */
static int load_config(struct ts_config *cfg, int *argc, char **argv)
{
	const char *env;
	int out = 0;

	ts_config_defaults(cfg);
	set_str(&cfg->data_dir, getenv("TESSERA_DATA") ? getenv("TESSERA_DATA") : "./var");
	set_str(&cfg->db_url, getenv("TESSERA_DB"));
	set_str(&cfg->blobs_url, getenv("TESSERA_BLOBS"));
	set_str(&cfg->web_dir, getenv("TESSERA_WEB") ? getenv("TESSERA_WEB") : "./web/dist");
	set_str(&cfg->public_origin, getenv("TESSERA_PUBLIC_ORIGIN"));
	set_str(&cfg->trusted_proxy, getenv("TESSERA_TRUSTED_PROXY"));
	env = getenv("TESSERA_LISTEN");
	if (env && parse_listen(cfg, env)) {
		fprintf(stderr, "tessera: TESSERA_LISTEN must be HOST:PORT, not \"%s\"\n", env);
		return -1;
	}
	/* Limits (tests and small machines lower them). */
	env = getenv("TESSERA_MAX_UPLOAD_BYTES");
	if (env && strtoull(env, NULL, 10) > 0)
		cfg->max_upload_bytes = strtoull(env, NULL, 10);
	env = getenv("TESSERA_MAX_PIXELS");
	if (env && strtoull(env, NULL, 10) > 0)
		cfg->max_pixels = strtoull(env, NULL, 10);
	if (ts_config_quota_env(cfg))
		return -1;
	ts_config_image_env(cfg);
	env = getenv("TESSERA_JOB_MAX_ATTEMPTS");
	if (env && strtoul(env, NULL, 10) > 0)
		cfg->job_max_attempts = (unsigned)strtoul(env, NULL, 10);
	if (env_seconds("TESSERA_VIDEO_DEADLINE_S", 0.1, &cfg->video_deadline_s) ||
	    env_seconds("TESSERA_VIDEO_DEADLINE_PER_S", 0, &cfg->video_deadline_per_s) ||
	    env_seconds("TESSERA_DRAIN_S", 0, &cfg->drain_s) ||
	    env_seconds("TESSERA_BLOB_CACHE_GRACE_S", 1, &cfg->blob_cache_grace_s))
		return -1;
	env = getenv("TESSERA_HEADER_TIMEOUT");
	if (env && strtoul(env, NULL, 10) > 0 && strtoul(env, NULL, 10) <= 3600)
		cfg->header_timeout_s = (unsigned)strtoul(env, NULL, 10);
	env = getenv("TESSERA_MAX_CONNECTIONS_PER_IP");
	if (env && strtoul(env, NULL, 10) > 0 && strtoul(env, NULL, 10) <= 100000)
		cfg->max_conns_per_ip = (unsigned)strtoul(env, NULL, 10);
	for (int i = 0; i < *argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < *argc ? argv[i + 1] : NULL;
		int q = ts_config_quota_flag(cfg, a, v);

		if (q < 0)
			return -1;
		if (q == 0) {
			i++;
			continue;
		}

		if (!strcmp(a, "--listen") || !strcmp(a, "--data") || !strcmp(a, "--db") ||
		    !strcmp(a, "--web") || !strcmp(a, "--public-origin") ||
		    !strcmp(a, "--trusted-proxy") || !strcmp(a, "--blobs")) {
			if (!v) {
				fprintf(stderr, "tessera: %s needs a value\n", a);
				return -1;
			}
			if (!strcmp(a, "--listen") && parse_listen(cfg, v)) {
				fprintf(stderr, "tessera: --listen must be HOST:PORT, not \"%s\"\n", v);
				return -1;
			}
			if (!strcmp(a, "--data"))
				set_str(&cfg->data_dir, v);
			if (!strcmp(a, "--db"))
				set_str(&cfg->db_url, v);
			if (!strcmp(a, "--web"))
				set_str(&cfg->web_dir, v);
			if (!strcmp(a, "--public-origin"))
				set_str(&cfg->public_origin, v);
			if (!strcmp(a, "--trusted-proxy"))
				set_str(&cfg->trusted_proxy, v);
			if (!strcmp(a, "--blobs"))
				set_str(&cfg->blobs_url, v);
			i++;
			continue;
		}
		argv[out++] = argv[i];
	}
	*argc = out;
	return 0;
}

static int make_dirs(const char *data)
{
	static const char *const subs[] = { "", "/tmp", "/blobs", "/blobs/sha256", "/thumbs",
					    "/exports" };
	char path[4096];

	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", data, subs[i]);
		if (mkdir(path, 0755) != 0 && errno != EEXIST) {
			fprintf(stderr, "tessera: cannot create %s: %s\n", path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static struct ts_store *open_store(struct ts_config *cfg)
{
	struct ts_error err = { 0 };
	struct ts_store *s;

	if (make_dirs(cfg->data_dir))
		return NULL;
	s = ts_store_open(cfg->db_url, cfg->data_dir, &err);
	if (!s)
		fprintf(stderr, "tessera: %s\n", err.message);
	ts_error_release(&err);
	return s;
}

/* Opens the remote blob store named by cfg (if any), checks that it takes
 * and gives back an object, and makes it the process's. */
static int open_blobs(const struct ts_config *cfg)
{
	struct ts_error err = { 0 };
	struct ts_blob_remote *r;

	if (!cfg->blobs_url || !*cfg->blobs_url || !strcmp(cfg->blobs_url, "local"))
		return 0;
	r = ts_s3_open(cfg->blobs_url, &err);
	if (r && ts_blob_remote_check(r, &err) != TS_OK) {
		fprintf(stderr, "tessera: the object store %s does not work: %s\n", r->describe,
			err.message);
		r->ops->free(r);
		ts_error_release(&err);
		return -1;
	}
	if (!r) {
		fprintf(stderr, "tessera: %s\n", err.message);
		ts_error_release(&err);
		return -1;
	}
	ts_log_info("blobs in %s (the data folder keeps a cache)", r->describe);
	ts_blob_remote_set(r);
	return 0;
}

static int cmd_blobs(int argc, char **argv)
{
	struct ts_config cfg;
	int rc = 2;

	if (argc < 1 || strcmp(argv[0], "check") != 0) {
		usage(stderr);
		return 2;
	}
	argc--;
	argv++;
	if (load_config(&cfg, &argc, argv))
		goto out;
	if (argc > 0 || !cfg.blobs_url) {
		fprintf(stderr, "tessera blobs check: needs --blobs s3://BUCKET[/PREFIX]\n");
		goto out;
	}
	rc = open_blobs(&cfg) ? 1 : 0;
	if (rc == 0)
		printf("the object store works: a probe object was stored and found\n");
	ts_blob_remote_set(NULL);
out:
	ts_config_release(&cfg);
	return rc;
}

static int cmd_serve(int argc, char **argv)
{
	struct ts_app app = { 0 };
	struct ts_error err = { 0 };
	struct ts_http *http = NULL;
	sigset_t set;
	int sig = 0, rc = 1, n;
	int64_t purged = 0;

	if (load_config(&app.cfg, &argc, argv))
		goto out;
	if (argc > 0) {
		fprintf(stderr, "tessera serve: unknown argument \"%s\"\n", argv[0]);
		usage(stderr);
		goto out;
	}
	/* Signals go to sigwait below, never to a worker thread: block them
	 * before any thread starts (threads inherit the mask). */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* A file-size limit (ulimit -f) fails the write with EFBIG, which is
	 * answered like a full disk, instead of killing the server. */
	signal(SIGXFSZ, SIG_IGN);

	if (ts_http_check_config(&app.cfg, &err)) {
		fprintf(stderr, "tessera: %s\n", err.message);
		goto out;
	}
	ts_auth_prepare_logins();
	if (open_blobs(&app.cfg))
		goto out;
	app.store = open_store(&app.cfg);
	if (!app.store)
		goto out;
	/* Logins purge expired sessions too; this catches a server that no one
	 * logged in to for a while. */
	if (ts_store_session_purge(app.store, ts_time_now_ms(), &purged, &err) == TS_OK &&
	    purged > 0)
		ts_log_info("removed %lld expired session(s)", (long long)purged);
	ts_error_release(&err);
	if ((n = ts_blob_sweep_tmp(app.cfg.data_dir)) > 0)
		ts_log_info("removed %d temporary file(s) left by an earlier run", n);
	if (app.cfg.blob_cache_bytes && !ts_blob_remote_get()) {
		fprintf(stderr, "tessera: --blob-cache-bytes limits the data folder's copies of an "
				"object store: it needs --blobs s3://BUCKET[/PREFIX]\n");
		goto out;
	}
	if (ts_blob_cache_start(app.cfg.data_dir, app.cfg.blob_cache_bytes,
				(int64_t)(app.cfg.blob_cache_grace_s * 1000), &err)) {
		fprintf(stderr, "tessera: %s\n", err.message);
		goto out;
	}
	app.ingest = ts_ingest_new(&app.cfg);
	app.models = ts_svc_models_new();
	app.jobs = ts_app_start_jobs(&app, &err);
	if (!app.jobs) {
		fprintf(stderr, "tessera: %s\n", err.message);
		goto out;
	}
	http = ts_http_start(&app, &err);
	if (!http) {
		fprintf(stderr, "tessera: %s\n", err.message);
		goto out;
	}
	ts_log_info("tessera %s listening on http://%s:%u (data in %s)", TS_VERSION, app.cfg.host,
		    ts_http_port(http), app.cfg.data_dir);
	sigwait(&set, &sig);
	__atomic_store_n(&app.draining, 1, __ATOMIC_SEQ_CST);
	/* SIGTERM (a service manager, a rolling restart) drains first: readyz
	 * says "draining" so the balancer sends no new requests, while those
	 * that still come are served. SIGINT (Ctrl-C) and a second signal
	 * skip the wait. */
	if (sig == SIGTERM && app.cfg.drain_s > 0) {
		struct timespec wait = { (time_t)app.cfg.drain_s,
					 (long)((app.cfg.drain_s - (double)(time_t)app.cfg.drain_s) *
						1e9) };

		ts_log_info("received SIGTERM: draining for %g s (readyz answers 503)",
			    app.cfg.drain_s);
		if (sigtimedwait(&set, NULL, &wait) > 0)
			ts_log_info("received a second signal: stopping now");
	}
	ts_log_info("received %s: finishing in-flight requests",
		    sig == SIGINT ? "SIGINT" : "SIGTERM");
	rc = 0;
out:
	ts_http_stop(http, 10000);
	ts_jobs_stop(app.jobs);
	ts_svc_models_free(app.models);
	ts_ingest_free(app.ingest);
	ts_store_free(app.store);
	ts_blob_cache_stop();
	ts_blob_remote_set(NULL);
	ts_blob_tmp_release_all();
	if (rc == 0)
		ts_log_info("stopped cleanly");
	ts_error_release(&err);
	ts_config_release(&app.cfg);
	return rc;
}

/* tessera user disable|enable NAME: the same as the Users page. */
static int cmd_user_state(struct ts_config *cfg, const char *name, int disabled)
{
	struct ts_error err = { 0 };
	struct ts_store *s = open_store(cfg);
	struct ts_user u;
	int rc = 1;

	if (!s)
		goto out;
	if (ts_acct_user_set_disabled_by_name(s, name, disabled, &u, &err)) {
		fprintf(stderr, "tessera: %s\n", err.message);
		goto out;
	}
	printf("%s user %s (id %lld)\n", disabled ? "disabled" : "enabled", u.name,
	       (long long)u.id);
	rc = 0;
out:
	ts_store_free(s);
	ts_error_release(&err);
	return rc;
}

static int cmd_user(int argc, char **argv)
{
	struct ts_config cfg;
	struct ts_error err = { 0 };
	struct ts_store *s = NULL;
	struct ts_token t;
	struct ts_user u;
	const char *name = NULL, *password = NULL;
	char generated[TS_AUTH_SECRET_MAX], token[TS_AUTH_SECRET_MAX];
	int admin = 0, rc = 1;

	if (load_config(&cfg, &argc, argv))
		goto out;
	if (argc == 2 && (!strcmp(argv[0], "disable") || !strcmp(argv[0], "enable"))) {
		rc = cmd_user_state(&cfg, argv[1], !strcmp(argv[0], "disable"));
		goto out;
	}
	if (argc < 2 || strcmp(argv[0], "add") != 0) {
		usage(stderr);
		goto out;
	}
	name = argv[1];
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--admin")) {
			admin = 1;
		} else if (!strcmp(argv[i], "--password") && i + 1 < argc) {
			password = argv[++i];
		} else {
			fprintf(stderr, "tessera user add: unknown argument \"%s\"\n", argv[i]);
			goto out;
		}
	}
	if (!password)
		password = getenv("TESSERA_PASSWORD");
	if (!password) {
		/* No password given: make one, and show it once. */
		ts_auth_new_secret("", generated);
		generated[24] = '\0';
		password = generated;
		printf("password: %s\n", password);
	}
	s = open_store(&cfg);
	if (!s)
		goto out;
	if (ts_acct_user_create(s, name, password, admin, &u, &err)) {
		fprintf(stderr, "tessera: %s\n", err.message);
		goto out;
	}
	if (ts_acct_token_create(s, u.id, "command line", 0, &t, token, &err)) {
		fprintf(stderr, "tessera: %s\n", err.message);
		goto out;
	}
	printf("created user %s (id %lld%s)\n", u.name, (long long)u.id, admin ? ", admin" : "");
	printf("%s\n", token);
	rc = 0;
out:
	ts_store_free(s);
	ts_error_release(&err);
	ts_config_release(&cfg);
	return rc;
}

/* Reads image paths, one a line, from path; *out malloc'd (each path
 * too). -1 when the file cannot be read. */
static int read_list(const char *path, char ***out, size_t *n)
{
	FILE *f = fopen(path, "r");
	char line[4096], **v = NULL;
	size_t cap = 0;

	*n = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0])
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			v = ts_xrealloc(v, cap * sizeof(char *));
		}
		v[(*n)++] = ts_xstrdup(line);
	}
	fclose(f);
	*out = v;
	return 0;
}

/* tessera infer: a model file's answers for image files, and the time the
 * bare decode-resize-run loop takes (bench/suggest's ceiling). Images come
 * from the command line or, with --list FILE, one path a line (ONNX
 * Runtime reads the process's command line at start, slowly when it is
 * long). */
static int cmd_infer(int argc, char **argv, const char *argv0)
{
	char **images = NULL, **listed = NULL;
	size_t n = 0, n_listed = 0;
	int repeat = 1, quiet = 0, rc = 1;
	double secs = 0;

	if (argc < 3) {
		usage(stderr);
		return 2;
	}
	images = ts_xcalloc((size_t)argc, sizeof(char *));
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--repeat") && i + 1 < argc) {
			repeat = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--quiet")) {
			quiet = 1;
		} else if (!strcmp(argv[i], "--list") && i + 1 < argc) {
			if (listed || read_list(argv[++i], &listed, &n_listed)) {
				fprintf(stderr, "tessera infer: cannot read the list %s\n", argv[i]);
				goto out;
			}
		} else {
			images[n++] = argv[i];
		}
	}
	if (ts_media_init(argv0) != 0) {
		fprintf(stderr, "tessera: cannot initialise libvips\n");
		goto out;
	}
	rc = ts_svc_model_infer_files(argv[0], argv[1], listed ? listed : images,
				      listed ? n_listed : n, repeat, quiet, stdout, &secs);
	if (!rc) {
		size_t total = (listed ? n_listed : n) * (size_t)(repeat > 0 ? repeat : 1);

		fprintf(stderr, "%zu images in %.3f s: %.1f images/s\n", total, secs,
			secs > 0 ? (double)total / secs : 0.0);
	}
	ts_media_shutdown();
out:
	for (size_t i = 0; i < n_listed; i++)
		free(listed[i]);
	free(listed);
	free(images);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (ts_auth_init() != 0) {
		fprintf(stderr, "tessera: cannot initialise libsodium\n");
		return 1;
	}
	if (!strcmp(argv[1], "serve")) {
		int rc;

		if (ts_media_init(argv[0]) != 0) {
			fprintf(stderr, "tessera: cannot initialise libvips\n");
			return 1;
		}
		rc = cmd_serve(argc - 2, argv + 2);
		ts_media_shutdown();
		return rc;
	}
	if (!strcmp(argv[1], "user"))
		return cmd_user(argc - 2, argv + 2);
	if (!strcmp(argv[1], "blobs"))
		return cmd_blobs(argc - 2, argv + 2);
	if (!strcmp(argv[1], "verify")) {
		if (argc != 3) {
			usage(stderr);
			return 2;
		}
		int rc;

		if (ts_media_init(argv[0]) != 0) {
			fprintf(stderr, "tessera: cannot initialise libvips\n");
			return 2;
		}
		/* 0 valid, 1 problems found, 2 unreadable: ts_verify_path's codes. */
		rc = ts_verify_path(argv[2], stdout, NULL);
		ts_media_shutdown();
		return rc;
	}
	if (!strcmp(argv[1], "migrate")) {
		const char *from = NULL, *to = NULL;
		struct ts_error err = { 0 };
		int rc = 0;

		for (int i = 2; i + 1 < argc; i += 2) {
			if (!strcmp(argv[i], "--from"))
				from = argv[i + 1];
			else if (!strcmp(argv[i], "--to"))
				to = argv[i + 1];
			else
				from = to = NULL, i = argc;
		}
		if (!from || !to || argc != 6) {
			usage(stderr);
			return 2;
		}
		if (ts_store_copy(from, to, stdout, &err)) {
			fprintf(stderr, "tessera: migrate: %s\n", err.message);
			rc = 1;
		}
		ts_error_release(&err);
		return rc;
	}
	if (!strcmp(argv[1], "infer"))
		return cmd_infer(argc - 2, argv + 2, argv[0]);
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("tessera %s (dataset schema 1.0.0)\n", TS_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "tessera: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return 2;
}
