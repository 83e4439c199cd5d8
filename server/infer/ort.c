/* ONNX Runtime through its C API function table, resolved with dlopen.
 *
 * The declarations below are our own: OrtGetApiBase() gives a table whose
 * GetApi(version) returns the OrtApi, a struct of function pointers whose
 * order never changes between releases (new entries are appended). We
 * declare the entries we call at their positions (0-based: CreateStatus is
 * 0) and fill the others with unnamed slots, up to ReleaseSessionOptions
 * (100), the last one we use. The positions are those of the 1.x C API. */
#include "infer/ort.h"

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/banned.h"

typedef struct OrtStatus OrtStatus;
typedef struct OrtEnv OrtEnv;
typedef struct OrtSession OrtSession;
typedef struct OrtSessionOptions OrtSessionOptions;
typedef struct OrtValue OrtValue;
typedef struct OrtMemoryInfo OrtMemoryInfo;
typedef struct OrtTypeInfo OrtTypeInfo;
typedef struct OrtTensorTypeAndShapeInfo OrtTensorTypeAndShapeInfo;
typedef struct OrtAllocator OrtAllocator;
typedef void *ort_slot; /* an entry we do not call */

enum { ORT_LOGGING_LEVEL_ERROR = 3 };
enum { ORT_ELEM_FLOAT = 1 };
enum { ORT_ONNX_TYPE_TENSOR = 1 };
enum { ORT_ARENA_ALLOCATOR = 1, ORT_MEM_TYPE_DEFAULT = 0 };

struct ort_api {
	ort_slot create_status;                                             /* 0 */
	ort_slot get_error_code;                                            /* 1 */
	const char *(*get_error_message)(const OrtStatus *);                /* 2 */
	OrtStatus *(*create_env)(int level, const char *logid, OrtEnv **);  /* 3 */
	ort_slot pad4_7[3];                                                 /* 4..6 */
	ort_slot create_session;                                            /* 7 */
	OrtStatus *(*create_session_from_array)(const OrtEnv *, const void *, size_t,
						const OrtSessionOptions *, OrtSession **); /* 8 */
	OrtStatus *(*run)(OrtSession *, const void *run_options, const char *const *in_names,
			  const OrtValue *const *in, size_t n_in, const char *const *out_names,
			  size_t n_out, OrtValue **out);                     /* 9 */
	OrtStatus *(*create_session_options)(OrtSessionOptions **);        /* 10 */
	ort_slot pad11_23[13];                                              /* 11..23 */
	OrtStatus *(*set_intra_op_num_threads)(OrtSessionOptions *, int);  /* 24 */
	OrtStatus *(*set_inter_op_num_threads)(OrtSessionOptions *, int);  /* 25 */
	ort_slot pad26_29[4];                                               /* 26..29 */
	OrtStatus *(*session_get_input_count)(const OrtSession *, size_t *);  /* 30 */
	OrtStatus *(*session_get_output_count)(const OrtSession *, size_t *); /* 31 */
	ort_slot pad32;                                                     /* 32 */
	OrtStatus *(*session_get_input_type_info)(const OrtSession *, size_t,
						  OrtTypeInfo **);          /* 33 */
	OrtStatus *(*session_get_output_type_info)(const OrtSession *, size_t,
						   OrtTypeInfo **);         /* 34 */
	ort_slot pad35;                                                     /* 35 */
	OrtStatus *(*session_get_input_name)(const OrtSession *, size_t, OrtAllocator *,
					     char **);                      /* 36 */
	OrtStatus *(*session_get_output_name)(const OrtSession *, size_t, OrtAllocator *,
					      char **);                     /* 37 */
	ort_slot pad38_48[11];                                              /* 38..48 */
	OrtStatus *(*create_tensor_with_data_as_ort_value)(const OrtMemoryInfo *, void *, size_t,
							   const int64_t *, size_t, int,
							   OrtValue **);    /* 49 */
	OrtStatus *(*is_tensor)(const OrtValue *, int *);                   /* 50 */
	OrtStatus *(*get_tensor_mutable_data)(OrtValue *, void **);         /* 51 */
	ort_slot pad52_54[3];                                               /* 52..54 */
	OrtStatus *(*cast_type_info_to_tensor_info)(const OrtTypeInfo *,
						    const OrtTensorTypeAndShapeInfo **); /* 55 */
	OrtStatus *(*get_onnx_type_from_type_info)(const OrtTypeInfo *, int *); /* 56 */
	ort_slot pad57_59[3];                                               /* 57..59 */
	OrtStatus *(*get_tensor_element_type)(const OrtTensorTypeAndShapeInfo *, int *); /* 60 */
	OrtStatus *(*get_dimensions_count)(const OrtTensorTypeAndShapeInfo *, size_t *); /* 61 */
	OrtStatus *(*get_dimensions)(const OrtTensorTypeAndShapeInfo *, int64_t *, size_t); /* 62 */
	ort_slot pad63;                                                     /* 63 */
	OrtStatus *(*get_tensor_shape_element_count)(const OrtTensorTypeAndShapeInfo *,
						     size_t *);             /* 64 */
	OrtStatus *(*get_tensor_type_and_shape)(const OrtValue *,
						OrtTensorTypeAndShapeInfo **); /* 65 */
	ort_slot pad66_68[3];                                               /* 66..68 */
	OrtStatus *(*create_cpu_memory_info)(int type, int mem_type, OrtMemoryInfo **); /* 69 */
	ort_slot pad70_75[6];                                               /* 70..75 */
	OrtStatus *(*allocator_free)(OrtAllocator *, void *);               /* 76 */
	ort_slot pad77;                                                     /* 77 */
	OrtStatus *(*get_allocator_with_default_options)(OrtAllocator **);  /* 78 */
	ort_slot pad79_91[13];                                              /* 79..91 */
	void (*release_env)(OrtEnv *);                                      /* 92 */
	void (*release_status)(OrtStatus *);                                /* 93 */
	void (*release_memory_info)(OrtMemoryInfo *);                       /* 94 */
	void (*release_session)(OrtSession *);                              /* 95 */
	void (*release_value)(OrtValue *);                                  /* 96 */
	ort_slot pad97;                                                     /* 97 */
	void (*release_type_info)(OrtTypeInfo *);                           /* 98 */
	void (*release_tensor_type_and_shape_info)(OrtTensorTypeAndShapeInfo *); /* 99 */
	void (*release_session_options)(OrtSessionOptions *);               /* 100 */
};

/* Checked at compile time: each entry sits at its index. */
#define ORT_AT(field, index) \
	_Static_assert(offsetof(struct ort_api, field) == (index) * sizeof(void *), #field)
ORT_AT(get_error_message, 2);
ORT_AT(create_env, 3);
ORT_AT(create_session_from_array, 8);
ORT_AT(run, 9);
ORT_AT(create_session_options, 10);
ORT_AT(set_intra_op_num_threads, 24);
ORT_AT(session_get_input_count, 30);
ORT_AT(session_get_input_type_info, 33);
ORT_AT(session_get_input_name, 36);
ORT_AT(session_get_output_name, 37);
ORT_AT(create_tensor_with_data_as_ort_value, 49);
ORT_AT(get_tensor_mutable_data, 51);
ORT_AT(cast_type_info_to_tensor_info, 55);
ORT_AT(get_tensor_element_type, 60);
ORT_AT(get_tensor_shape_element_count, 64);
ORT_AT(get_tensor_type_and_shape, 65);
ORT_AT(create_cpu_memory_info, 69);
ORT_AT(allocator_free, 76);
ORT_AT(get_allocator_with_default_options, 78);
ORT_AT(release_env, 92);
ORT_AT(release_session, 95);
ORT_AT(release_value, 96);
ORT_AT(release_type_info, 98);
ORT_AT(release_session_options, 100);

struct ort_api_base {
	const struct ort_api *(*get_api)(uint32_t version);
	const char *(*get_version_string)(void);
};

/* LeakSanitizer (sanitized builds only): ONNX Runtime keeps a few
 * process-wide objects that CreateEnv makes (its logging and thread pool
 * state) until exit, after ReleaseEnv; they are the library's, so leaks
 * whose allocation is inside it are not reported. */
#if defined(__SANITIZE_ADDRESS__)
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libonnxruntime.so\n";
}
#endif

/* The API version we ask for: the entries above all exist since 1. */
#define ORT_API_VERSION_WANTED 1

struct ts_ort {
	void *lib;
	const struct ort_api *api;
	const char *version;
	OrtEnv *env;
	OrtMemoryInfo *cpu;
};

struct ts_ort_session {
	struct ts_ort *o;
	OrtSession *sess;
	char *in_name;  /* malloc'd copies */
	char *out_name;
};

/* Takes the status: TS_OK for NULL, else err with the library's message. */
static enum ts_err status_err(const struct ort_api *api, OrtStatus *st, struct ts_error *err,
			      enum ts_err e, const char *code, const char *what)
{
	if (!st)
		return TS_OK;
	ts_error_set(err, e, code, "%s: %s", what, api->get_error_message(st));
	api->release_status(st);
	return e;
}

static void *open_lib(const char *path)
{
	char exe[PATH_MAX], cand[PATH_MAX + 64];
	const char *env = getenv("TESSERA_ONNXRUNTIME");
	void *h;
	ssize_t n;

	if (path)
		return dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (env && *env)
		return dlopen(env, RTLD_NOW | RTLD_LOCAL);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		/* build/tessera -> build -> the checkout */
		for (int up = 0; up < 2 && (slash = strrchr(exe, '/')); up++)
			*slash = '\0';
		snprintf(cand, sizeof(cand), "%s/third_party/onnxruntime/lib/libonnxruntime.so.1",
			 exe);
		h = dlopen(cand, RTLD_NOW | RTLD_LOCAL);
		if (h)
			return h;
	}
	return dlopen("libonnxruntime.so.1", RTLD_NOW | RTLD_LOCAL);
}

struct ts_ort *ts_ort_open(const char *path, struct ts_error *err)
{
	struct ts_ort *o = ts_xcalloc(1, sizeof(*o));
	const struct ort_api_base *(*get_base)(void);
	const struct ort_api_base *base;

	o->lib = open_lib(path);
	if (!o->lib) {
		ts_error_set(err, TS_ERR_UNAVAILABLE, "inference_unavailable",
			     "ONNX Runtime is not installed (scripts/install-deps installs it)");
		goto fail;
	}
	*(void **)&get_base = dlsym(o->lib, "OrtGetApiBase");
	base = get_base ? get_base() : NULL;
	o->api = base ? base->get_api(ORT_API_VERSION_WANTED) : NULL;
	if (!o->api) {
		ts_error_set(err, TS_ERR_UNAVAILABLE, "inference_unavailable",
			     "the ONNX Runtime library gives no usable API");
		goto fail;
	}
	o->version = base->get_version_string();
	if (status_err(o->api, o->api->create_env(ORT_LOGGING_LEVEL_ERROR, "tessera", &o->env),
		       err, TS_ERR_UNAVAILABLE, "inference_unavailable",
		       "ONNX Runtime does not start") ||
	    status_err(o->api,
		       o->api->create_cpu_memory_info(ORT_ARENA_ALLOCATOR, ORT_MEM_TYPE_DEFAULT,
						      &o->cpu),
		       err, TS_ERR_UNAVAILABLE, "inference_unavailable",
		       "ONNX Runtime does not start"))
		goto fail;
	return o;
fail:
	ts_ort_close(o);
	return NULL;
}

void ts_ort_close(struct ts_ort *o)
{
	if (!o)
		return;
	if (o->api) {
		if (o->cpu)
			o->api->release_memory_info(o->cpu);
		if (o->env)
			o->api->release_env(o->env);
	}
	/* The library stays mapped: its static destructors run at exit. */
	free(o);
}

const char *ts_ort_version(const struct ts_ort *o)
{
	return o && o->version ? o->version : "";
}

static char *io_name(struct ts_ort *o, OrtSession *sess, int output, size_t i,
		     struct ts_error *err)
{
	OrtAllocator *alloc = NULL;
	char *name = NULL, *copy;

	if (status_err(o->api, o->api->get_allocator_with_default_options(&alloc), err,
		       TS_ERR_INTERNAL, "inference_failed", "no allocator") ||
	    status_err(o->api,
		       (output ? o->api->session_get_output_name
			       : o->api->session_get_input_name)(sess, i, alloc, &name),
		       err, TS_ERR_INVALID, "invalid_model", "the model's tensors have no name"))
		return NULL;
	copy = ts_xstrdup(name);
	o->api->allocator_free(alloc, name);
	return copy;
}

enum ts_err ts_ort_session_new(struct ts_ort *o, const void *model, size_t len,
			       struct ts_ort_session **out, struct ts_error *err)
{
	const struct ort_api *api = o->api;
	OrtSessionOptions *opts = NULL;
	struct ts_ort_session *s = ts_xcalloc(1, sizeof(*s));
	size_t n_in = 0, n_out = 0;
	enum ts_err e;

	*out = NULL;
	s->o = o;
	e = status_err(api, api->create_session_options(&opts), err, TS_ERR_INTERNAL,
		       "inference_failed", "ONNX Runtime session options");
	if (!e)
		e = status_err(api, api->set_intra_op_num_threads(opts, 1), err, TS_ERR_INTERNAL,
			       "inference_failed", "ONNX Runtime session options");
	if (!e)
		e = status_err(api, api->set_inter_op_num_threads(opts, 1), err, TS_ERR_INTERNAL,
			       "inference_failed", "ONNX Runtime session options");
	if (!e)
		e = status_err(api, api->create_session_from_array(o->env, model, len, opts, &s->sess),
			       err, TS_ERR_INVALID, "invalid_model",
			       "ONNX Runtime cannot load the model");
	if (!e)
		e = status_err(api, api->session_get_input_count(s->sess, &n_in), err,
			       TS_ERR_INVALID, "invalid_model", "the model's inputs");
	if (!e)
		e = status_err(api, api->session_get_output_count(s->sess, &n_out), err,
			       TS_ERR_INVALID, "invalid_model", "the model's outputs");
	if (!e && (n_in < 1 || n_out < 1))
		e = ts_error_set(err, TS_ERR_INVALID, "invalid_model",
				 "the model has no input or no output");
	if (!e && !(s->in_name = io_name(o, s->sess, 0, 0, err)))
		e = err ? err->err : TS_ERR_INVALID;
	if (!e && !(s->out_name = io_name(o, s->sess, 1, 0, err)))
		e = err ? err->err : TS_ERR_INVALID;
	if (opts)
		api->release_session_options(opts);
	if (e) {
		ts_ort_session_free(s);
		return e;
	}
	*out = s;
	return TS_OK;
}

void ts_ort_session_free(struct ts_ort_session *s)
{
	if (!s)
		return;
	if (s->sess)
		s->o->api->release_session(s->sess);
	free(s->in_name);
	free(s->out_name);
	free(s);
}

static enum ts_err type_info(struct ts_ort *o, OrtTypeInfo *ti, struct ts_ort_tensor_info *out,
			     struct ts_error *err)
{
	const struct ort_api *api = o->api;
	const OrtTensorTypeAndShapeInfo *tsi = NULL;
	int onnx_type = 0, elem = 0;
	size_t nd = 0;
	enum ts_err e;

	memset(out, 0, sizeof(*out));
	e = status_err(api, api->get_onnx_type_from_type_info(ti, &onnx_type), err, TS_ERR_INVALID,
		       "invalid_model", "the model's tensor types");
	if (e || onnx_type != ORT_ONNX_TYPE_TENSOR)
		return e;
	out->is_tensor = 1;
	e = status_err(api, api->cast_type_info_to_tensor_info(ti, &tsi), err, TS_ERR_INVALID,
		       "invalid_model", "the model's tensor types");
	if (!e)
		e = status_err(api, api->get_tensor_element_type(tsi, &elem), err, TS_ERR_INVALID,
			       "invalid_model", "the model's tensor types");
	if (!e)
		e = status_err(api, api->get_dimensions_count(tsi, &nd), err, TS_ERR_INVALID,
			       "invalid_model", "the model's tensor shapes");
	if (e)
		return e;
	out->is_float = elem == ORT_ELEM_FLOAT;
	if (nd > TS_ORT_MAX_DIMS) {
		out->ndims = nd;
		return TS_OK;
	}
	out->ndims = nd;
	return status_err(api, api->get_dimensions(tsi, out->dims, nd), err, TS_ERR_INVALID,
			  "invalid_model", "the model's tensor shapes");
}

enum ts_err ts_ort_session_io(struct ts_ort_session *s, size_t *n_in, size_t *n_out,
			      struct ts_ort_tensor_info *in0, struct ts_ort_tensor_info *out0,
			      struct ts_error *err)
{
	const struct ort_api *api = s->o->api;
	OrtTypeInfo *ti = NULL;
	enum ts_err e;

	e = status_err(api, api->session_get_input_count(s->sess, n_in), err, TS_ERR_INVALID,
		       "invalid_model", "the model's inputs");
	if (!e)
		e = status_err(api, api->session_get_output_count(s->sess, n_out), err,
			       TS_ERR_INVALID, "invalid_model", "the model's outputs");
	if (!e)
		e = status_err(api, api->session_get_input_type_info(s->sess, 0, &ti), err,
			       TS_ERR_INVALID, "invalid_model", "the model's input");
	if (!e) {
		e = type_info(s->o, ti, in0, err);
		api->release_type_info(ti);
		ti = NULL;
	}
	if (!e)
		e = status_err(api, api->session_get_output_type_info(s->sess, 0, &ti), err,
			       TS_ERR_INVALID, "invalid_model", "the model's output");
	if (!e) {
		e = type_info(s->o, ti, out0, err);
		api->release_type_info(ti);
	}
	return e;
}

enum ts_err ts_ort_run(struct ts_ort_session *s, const float *input, const int64_t *shape,
		       size_t ndims, float *out, size_t n_out, struct ts_error *err)
{
	const struct ort_api *api = s->o->api;
	OrtValue *in = NULL, *res = NULL;
	OrtTensorTypeAndShapeInfo *shp = NULL;
	const char *in_names[1] = { s->in_name }, *out_names[1] = { s->out_name };
	size_t count = 1, got = 0;
	void *data = NULL;
	int is_tensor = 0, elem = 0;
	enum ts_err e;

	for (size_t i = 0; i < ndims; i++)
		count *= (size_t)shape[i];
	e = status_err(api,
		       api->create_tensor_with_data_as_ort_value(s->o->cpu, (void *)(uintptr_t)input,
								 count * sizeof(float), shape, ndims,
								 ORT_ELEM_FLOAT, &in),
		       err, TS_ERR_UNPROCESSABLE, "inference_failed", "the model's input");
	if (!e)
		e = status_err(api,
			       api->run(s->sess, NULL, in_names, (const OrtValue *const *)&in, 1,
					out_names, 1, &res),
			       err, TS_ERR_UNPROCESSABLE, "inference_failed", "the model failed");
	if (!e)
		e = status_err(api, api->is_tensor(res, &is_tensor), err, TS_ERR_UNPROCESSABLE,
			       "inference_failed", "the model's output");
	if (!e && !is_tensor)
		e = ts_error_set(err, TS_ERR_UNPROCESSABLE, "inference_failed",
				 "the model's output is not a tensor");
	if (!e)
		e = status_err(api, api->get_tensor_type_and_shape(res, &shp), err,
			       TS_ERR_UNPROCESSABLE, "inference_failed", "the model's output");
	if (!e)
		e = status_err(api, api->get_tensor_element_type(shp, &elem), err,
			       TS_ERR_UNPROCESSABLE, "inference_failed", "the model's output");
	if (!e)
		e = status_err(api, api->get_tensor_shape_element_count(shp, &got), err,
			       TS_ERR_UNPROCESSABLE, "inference_failed", "the model's output");
	if (!e && (elem != ORT_ELEM_FLOAT || got != n_out))
		e = ts_error_set(err, TS_ERR_UNPROCESSABLE, "inference_failed",
				 "the model gave %zu values where %zu scores were expected", got,
				 n_out);
	if (!e)
		e = status_err(api, api->get_tensor_mutable_data(res, &data), err,
			       TS_ERR_UNPROCESSABLE, "inference_failed", "the model's output");
	if (!e)
		memcpy(out, data, n_out * sizeof(float));
	if (shp)
		api->release_tensor_type_and_shape_info(shp);
	if (res)
		api->release_value(res);
	if (in)
		api->release_value(in);
	return e;
}
