#include "infer/sessions.h"

#include <pthread.h>
#include <stdlib.h>

#include "core/banned.h"

struct entry {
	int64_t model_id;
	pthread_t thread;
	struct ts_ort_session *s;
	int busy;
	uint64_t used; /* tick of the last acquire */
};

struct ts_sessions {
	struct ts_ort *o;
	pthread_mutex_t lock;
	struct entry e[TS_SESSIONS_MAX];
	size_t n;
	uint64_t tick;
};

struct ts_sessions *ts_sessions_new(struct ts_ort *o)
{
	struct ts_sessions *c = ts_xcalloc(1, sizeof(*c));

	c->o = o;
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

void ts_sessions_free(struct ts_sessions *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		ts_ort_session_free(c->e[i].s);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

enum ts_err ts_sessions_acquire(struct ts_sessions *c, int64_t model_id, ts_sessions_load_fn load,
				void *ctx, struct ts_ort_session **out, struct ts_error *err)
{
	pthread_t self = pthread_self();
	struct ts_ort_session *s = NULL, *evicted = NULL;
	void *bytes = NULL;
	size_t len = 0;
	enum ts_err e;

	*out = NULL;
	if (!c || !c->o)
		return ts_error_set(err, TS_ERR_UNAVAILABLE, "inference_unavailable",
				    "This server runs no models (ONNX Runtime is not installed).");
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < c->n; i++) {
		struct entry *x = &c->e[i];

		if (x->model_id == model_id && pthread_equal(x->thread, self) && !x->busy) {
			x->busy = 1;
			x->used = ++c->tick;
			*out = x->s;
			pthread_mutex_unlock(&c->lock);
			return TS_OK;
		}
	}
	pthread_mutex_unlock(&c->lock);

	/* A miss: load outside the lock (it may take a while). */
	e = load(ctx, model_id, &bytes, &len, err);
	if (!e)
		e = ts_ort_session_new(c->o, bytes, len, &s, err);
	free(bytes);
	if (e)
		return e;
	pthread_mutex_lock(&c->lock);
	if (c->n == TS_SESSIONS_MAX) {
		size_t victim = TS_SESSIONS_MAX;

		for (size_t i = 0; i < c->n; i++)
			if (!c->e[i].busy && (victim == TS_SESSIONS_MAX ||
					      c->e[i].used < c->e[victim].used))
				victim = i;
		if (victim < TS_SESSIONS_MAX) {
			evicted = c->e[victim].s;
			c->e[victim] = c->e[--c->n];
		}
	}
	if (c->n < TS_SESSIONS_MAX) {
		c->e[c->n++] = (struct entry){ model_id, self, s, 1, ++c->tick };
		*out = s;
		s = NULL;
	}
	pthread_mutex_unlock(&c->lock);
	ts_ort_session_free(evicted);
	if (s) {
		/* Every slot is running: this thread's session is not kept. */
		ts_ort_session_free(s);
		return ts_error_set(err, TS_ERR_UNAVAILABLE, "busy",
				    "Too many models are running at once; try again in a moment.");
	}
	return TS_OK;
}

void ts_sessions_release(struct ts_sessions *c, struct ts_ort_session *s)
{
	if (!c || !s)
		return;
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < c->n; i++)
		if (c->e[i].s == s)
			c->e[i].busy = 0;
	pthread_mutex_unlock(&c->lock);
}

size_t ts_sessions_count(struct ts_sessions *c)
{
	size_t n;

	pthread_mutex_lock(&c->lock);
	n = c->n;
	pthread_mutex_unlock(&c->lock);
	return n;
}
