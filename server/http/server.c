/* libmicrohttpd glue: request lifecycle, routing, authentication, body
 * limits, one log line per request, graceful shutdown. */
#include "http/server.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "auth/throttle.h"
#include "core/log.h"
#include "core/time.h"
#include "domain/names.h"
#include "http/access.h"
#include "http/req.h"
#include "http/router.h"
#include "service/accounts.h"
#include "core/banned.h"

/* A body this far over the limit is not worth reading to the end: the
 * connection is dropped instead. */
#define TS_DISCARD_MAX (64u << 20)
/* Seconds of silence after which a connection is dropped: any, and one
 * sending an upload. */
#define TS_IDLE_S 120
#define TS_UPLOAD_IDLE_S 30

#define MAX_PROXIES 16
#define IP_BUCKETS 4096
#define ADDR_MAX 48 /* an IPv6 address as text, with NUL */

/* One open connection (its socket context): when it began waiting for a
 * request's headers (0 while a request is under way), for the reaper. */
struct conn {
	struct MHD_Connection *mhd;
	int fd;
	int counted; /* in its address's count */
	char ip[ADDR_MAX];
	int64_t waiting_since_ms;
	struct conn *prev, *next;
};

struct ip_count {
	char ip[ADDR_MAX];
	unsigned n;
	struct ip_count *next;
};

/* A trusted proxy: an address, or a network (ADDR/BITS). IPv4 is kept
 * as its IPv4-mapped IPv6 form, so one comparison serves both. */
struct proxy_net {
	unsigned char addr[16];
	int bits;
};

struct ts_http {
	struct ts_app *app;
	struct MHD_Daemon *daemon;
	pthread_mutex_t lock;
	pthread_cond_t idle;
	int inflight;
	int stopping; /* set when shutdown starts: answers then close their connection */

	struct proxy_net proxies[MAX_PROXIES]; /* trusted proxies */
	int nproxies;
	char origin_scheme[8];  /* of --public-origin: "http" or "https"; "" when none */
	char origin_host[256];  /* its host[:port], lower case, default port left out */

	/* Open connections, for the header deadline and the per-address cap. */
	pthread_mutex_t conns_lock;
	struct conn *conns;
	struct ip_count *ips[IP_BUCKETS];
	pthread_t reaper;
	pthread_cond_t reaper_wake;
	int reaper_running, reaper_stop;
};

/* ---- addresses and proxies ---- */

/* The text form of an address (IPv4-mapped IPv6 as IPv4); "" if unknown. */
static void addr_text(const struct sockaddr *sa, char out[ADDR_MAX])
{
	out[0] = '\0';
	if (!sa)
		return;
	if (sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, ADDR_MAX);
	} else if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a))
			inet_ntop(AF_INET, &a->s6_addr[12], out, ADDR_MAX);
		else
			inet_ntop(AF_INET6, a, out, ADDR_MAX);
	}
}

/* Normalises an address given as text (len bytes); -1 when it is none. */
static int addr_normalise(const char *s, size_t len, char out[ADDR_MAX])
{
	char tmp[ADDR_MAX];
	unsigned char bin[sizeof(struct in6_addr)];

	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
		s++;
		len -= 2;
	}
	if (len == 0 || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (inet_pton(AF_INET, tmp, bin) == 1)
		return inet_ntop(AF_INET, bin, out, ADDR_MAX) ? 0 : -1;
	if (inet_pton(AF_INET6, tmp, bin) == 1) {
		if (IN6_IS_ADDR_V4MAPPED((struct in6_addr *)bin))
			return inet_ntop(AF_INET, bin + 12, out, ADDR_MAX) ? 0 : -1;
		return inet_ntop(AF_INET6, bin, out, ADDR_MAX) ? 0 : -1;
	}
	return -1;
}

/* The 16-byte form of a normalised address text (IPv4 as IPv4-mapped
 * IPv6); -1 when it is none. */
static int addr_bytes(const char *ip, unsigned char out[16])
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (inet_pton(AF_INET, ip, out + 12) == 1) {
		memcpy(out, mapped, sizeof(mapped));
		return 0;
	}
	return inet_pton(AF_INET6, ip, out) == 1 ? 0 : -1;
}

/* Reads "ADDR" or "ADDR/BITS" (len bytes) into p; -1 when it is neither. */
static int proxy_parse(const char *s, size_t len, struct proxy_net *p)
{
	char ip[ADDR_MAX];
	const char *slash = memchr(s, '/', len);
	size_t alen = slash ? (size_t)(slash - s) : len;
	int v4, max;

	if (addr_normalise(s, alen, ip) || addr_bytes(ip, p->addr))
		return -1;
	/* The prefix counts bits of the address as written: an IPv4-mapped
	 * IPv6 network (::ffff:10.0.0.0/104) is IPv6. */
	v4 = memchr(s, ':', alen) == NULL;
	max = v4 ? 32 : 128;
	p->bits = 128;
	if (slash) {
		const char *d = slash + 1;
		size_t dlen = len - alen - 1;
		int bits = 0;

		while (dlen && (d[dlen - 1] == ' ' || d[dlen - 1] == '\t'))
			dlen--;
		if (dlen == 0 || dlen > 3)
			return -1;
		for (size_t i = 0; i < dlen; i++) {
			if (d[i] < '0' || d[i] > '9')
				return -1;
			bits = bits * 10 + (d[i] - '0');
		}
		if (bits > max)
			return -1;
		p->bits = bits + (v4 ? 96 : 0);
	}
	return 0;
}

static int is_proxy(const struct ts_http *h, const char *ip)
{
	unsigned char a[16];

	if (addr_bytes(ip, a))
		return 0;
	for (int i = 0; i < h->nproxies; i++) {
		const struct proxy_net *p = &h->proxies[i];
		int whole = p->bits / 8, rest = p->bits % 8;

		if (memcmp(a, p->addr, (size_t)whole) == 0 &&
		    (rest == 0 || ((a[whole] ^ p->addr[whole]) & (0xff << (8 - rest)) & 0xff) == 0))
			return 1;
	}
	return 0;
}

/* Who sent the request. Behind trusted proxies, the client is the
 * right-most X-Forwarded-For entry that is not itself a trusted proxy:
 * entries to its left were written by the client and prove nothing. */
static void identify(struct ts_http *h, struct ts_req *req)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const char *xff;
	size_t end;

	addr_text(ci ? ci->client_addr : NULL, req->client);
	if (!req->client[0] || !is_proxy(h, req->client))
		return;
	req->via_proxy = 1;
	xff = ts_req_header(req, "X-Forwarded-For");
	if (!xff)
		return;
	end = strlen(xff);
	while (end > 0) {
		size_t start = end;
		char ip[ADDR_MAX];

		while (start > 0 && xff[start - 1] != ',')
			start--;
		if (addr_normalise(xff + start, end - start, ip))
			break; /* not an address: trust nothing further left */
		snprintf(req->client, sizeof(req->client), "%s", ip);
		if (!is_proxy(h, ip))
			break;
		end = start ? start - 1 : 0;
	}
}

/* ---- the Host a request names ---- */

/* Parses --public-origin into scheme and host[:port]; -1 when malformed. */
static int parse_origin(struct ts_http *h, const char *origin)
{
	const char *rest;
	size_t len;

	if (strncasecmp(origin, "http://", 7) == 0) {
		snprintf(h->origin_scheme, sizeof(h->origin_scheme), "http");
		rest = origin + 7;
	} else if (strncasecmp(origin, "https://", 8) == 0) {
		snprintf(h->origin_scheme, sizeof(h->origin_scheme), "https");
		rest = origin + 8;
	} else {
		return -1;
	}
	len = strcspn(rest, "/?#");
	if (len == 0 || len >= sizeof(h->origin_host) || (rest[len] && strcmp(rest + len, "/")))
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)rest[i];

		if (!isalnum(c) && !strchr(".-:[]", c))
			return -1;
		h->origin_host[i] = (char)tolower(c);
	}
	h->origin_host[len] = '\0';
	/* The default port is what a browser leaves out of Host. */
	len = strlen(h->origin_host);
	if (strcmp(h->origin_scheme, "http") == 0 && len > 3 &&
	    strcmp(h->origin_host + len - 3, ":80") == 0)
		h->origin_host[len - 3] = '\0';
	if (strcmp(h->origin_scheme, "https") == 0 && len > 4 &&
	    strcmp(h->origin_host + len - 4, ":443") == 0)
		h->origin_host[len - 4] = '\0';
	return 0;
}

/* A Host that a DNS-rebinding page cannot produce: the public origin's,
 * "localhost", or an address literal (a page's own name is in its Host,
 * and a name is what rebinding needs). */
static int host_allowed(const struct ts_http *h, const char *host)
{
	char name[256], ip[ADDR_MAX];
	size_t len = strlen(host), n;

	if (len == 0 || len >= sizeof(name))
		return 0;
	for (size_t i = 0; i <= len; i++)
		name[i] = (char)tolower((unsigned char)host[i]);
	if (h->origin_host[0]) {
		const char *dflt = strcmp(h->origin_scheme, "https") == 0 ? ":443" : ":80";
		size_t ol = strlen(h->origin_host);

		if (strcmp(name, h->origin_host) == 0 ||
		    (strncmp(name, h->origin_host, ol) == 0 && strcmp(name + ol, dflt) == 0))
			return 1;
	}
	/* The name without its port. */
	if (name[0] == '[') {
		char *close = strchr(name, ']');

		if (!close || (close[1] && close[1] != ':'))
			return 0;
		n = (size_t)(close - name) + 1;
	} else {
		char *colon = strchr(name, ':');

		n = colon ? (size_t)(colon - name) : len;
	}
	if (n < len) {
		const char *port = name + n + 1;

		if (name[n] != ':' || !*port || strspn(port, "0123456789") != strlen(port) ||
		    strlen(port) > 5)
			return 0;
	}
	name[n] = '\0';
	return strcmp(name, "localhost") == 0 || addr_normalise(name, n, ip) == 0;
}

/* ---- connections: a deadline for headers, a cap per address ---- */

static struct ip_count **ip_slot(struct ts_http *h, const char *ip)
{
	uint32_t x = 2166136261u;
	struct ip_count **p;

	for (const char *c = ip; *c; c++)
		x = (x ^ (unsigned char)*c) * 16777619u;
	for (p = &h->ips[x % IP_BUCKETS]; *p && strcmp((*p)->ip, ip) != 0; p = &(*p)->next)
		;
	return p;
}

/* Called before a connection is accepted: refuses an address that has
 * its share of connections open already (trusted proxies excepted). */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	struct ts_http *h = cls;
	char ip[ADDR_MAX];
	struct ip_count *c;
	int ok;

	(void)addrlen;
	addr_text(addr, ip);
	if (!ip[0] || is_proxy(h, ip))
		return MHD_YES;
	pthread_mutex_lock(&h->conns_lock);
	c = *ip_slot(h, ip);
	ok = !c || c->n < h->app->cfg.max_conns_per_ip;
	pthread_mutex_unlock(&h->conns_lock);
	return ok ? MHD_YES : MHD_NO;
}

static void on_connection(void *cls, struct MHD_Connection *mhd, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct ts_http *h = cls;
	struct conn *c = *socket_context;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *fd =
			MHD_get_connection_info(mhd, MHD_CONNECTION_INFO_CONNECTION_FD);
		const union MHD_ConnectionInfo *ca =
			MHD_get_connection_info(mhd, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

		c = ts_xcalloc(1, sizeof(*c));
		c->mhd = mhd;
		c->fd = fd ? fd->connect_fd : -1;
		addr_text(ca ? ca->client_addr : NULL, c->ip);
		c->waiting_since_ms = ts_time_mono_us() / 1000;
		pthread_mutex_lock(&h->conns_lock);
		if (c->ip[0] && !is_proxy(h, c->ip)) {
			struct ip_count **slot = ip_slot(h, c->ip);

			if (!*slot) {
				*slot = ts_xcalloc(1, sizeof(**slot));
				snprintf((*slot)->ip, sizeof((*slot)->ip), "%s", c->ip);
			}
			(*slot)->n++;
			c->counted = 1;
		}
		c->next = h->conns;
		if (h->conns)
			h->conns->prev = c;
		h->conns = c;
		pthread_mutex_unlock(&h->conns_lock);
		*socket_context = c;
		return;
	}
	if (!c)
		return;
	/* Closed: libmicrohttpd closes the socket after this returns, so the
	 * reaper never touches a descriptor that another connection reuses. */
	pthread_mutex_lock(&h->conns_lock);
	if (c->counted) {
		struct ip_count **slot = ip_slot(h, c->ip);

		if (*slot && --(*slot)->n == 0) {
			struct ip_count *gone = *slot;

			*slot = gone->next;
			free(gone);
		}
	}
	if (c->prev)
		c->prev->next = c->next;
	else
		h->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&h->conns_lock);
	free(c);
	*socket_context = NULL;
}

/* Marks the connection as busy with a request (waiting 0) or waiting for
 * the next one's headers. */
static void conn_waiting(struct ts_http *h, struct MHD_Connection *mhd, int waiting)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(mhd, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn *c = ci ? ci->socket_context : NULL;

	if (!c)
		return;
	pthread_mutex_lock(&h->conns_lock);
	c->waiting_since_ms = waiting ? ts_time_mono_us() / 1000 : 0;
	pthread_mutex_unlock(&h->conns_lock);
}

/* Whether the client has sent a whole request head that the server has
 * not read yet: its thread is busy with another connection's request (a
 * long decode), which is the server's delay, not the client's. */
static int headers_pending(int fd)
{
	char buf[8192];
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT);

	return n >= 4 && memmem(buf, (size_t)n, "\r\n\r\n", 4) != NULL;
}

/* Closes connections whose request headers are not in within the
 * deadline, however slowly they trickle (libmicrohttpd's own timeout is
 * one of idleness: a byte every few seconds resets it). shutdown() makes
 * the connection's thread see the end of the stream and close it. */
static void *reaper_main(void *arg)
{
	struct ts_http *h = arg;
	int64_t limit_ms = (int64_t)h->app->cfg.header_timeout_s * 1000;

	pthread_mutex_lock(&h->conns_lock);
	while (!h->reaper_stop) {
		struct timespec until;
		int64_t now;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 250000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&h->reaper_wake, &h->conns_lock, &until);
		now = ts_time_mono_us() / 1000;
		for (struct conn *c = h->conns; c; c = c->next)
			if (c->waiting_since_ms && now - c->waiting_since_ms >= limit_ms && c->fd >= 0 &&
			    !headers_pending(c->fd)) {
				shutdown(c->fd, SHUT_RDWR);
				c->waiting_since_ms = 0;
			}
	}
	pthread_mutex_unlock(&h->conns_lock);
	return NULL;
}

/* As many connections as the descriptor limit allows, keeping some for
 * files, the database and the workers. */
static unsigned connection_limit(void)
{
	struct rlimit rl;
	rlim_t n;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 1000;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	n = rl.rlim_cur == RLIM_INFINITY ? 65536 : rl.rlim_cur;
	if (n > 65536)
		n = 65536;
	return n > 1000 + 512 ? (unsigned)(n - 512) : 1000;
}

static void authenticate(struct ts_req *req)
{
	struct ts_store *s = req->app->store;
	const char *authz = ts_req_header(req, MHD_HTTP_HEADER_AUTHORIZATION);
	const char *cookie = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND,
							 "tessera_session");
	struct ts_error err = { 0 };

	if (authz) {
		if (strncmp(authz, "Bearer ", 7) != 0 || !authz[7]) {
			ts_req_fail(req, 401, "unauthorized",
				    "The Authorization header must be \"Bearer <token>\".");
			return;
		}
		/* Unknown, revoked, expired, or a disabled account: the store's
		 * message says which. */
		if (ts_acct_token_user(s, authz + 7, &req->user, &req->token_id, &err) == TS_OK)
			req->authed = 1;
		else
			ts_req_error(req, &err);
	} else if (cookie) {
		if (ts_acct_session_user(s, cookie, &req->user, &err) == TS_OK)
			req->authed = 1;
		else if (err.err == TS_ERR_UNAUTHORIZED)
			ts_req_fail(req, 401, "unauthorized", "Your session has ended; log in again.");
		else
			ts_req_error(req, &err);
	} else {
		ts_req_fail(req, 401, "unauthorized",
			    "Log in, or send an API token as \"Authorization: Bearer <token>\".");
	}
	ts_error_release(&err);
}

/* Browsers send Origin with every POST, PUT, PATCH and DELETE. A request
 * from another origin (another site, or another port on the same host,
 * which SameSite does not tell apart) is refused before it can use the
 * session cookie or log someone in: the web app is always same-origin. */
static int cross_origin(struct ts_req *req)
{
	const char *origin = ts_req_header(req, "Origin");
	const char *host = ts_req_header(req, MHD_HTTP_HEADER_HOST);
	/* A trusted reverse proxy may pass its own Host on and the client's
	 * in X-Forwarded-Host; from anyone else the header means nothing. */
	const char *fwd = req->via_proxy ? ts_req_header(req, "X-Forwarded-Host") : NULL;
	const char *site = ts_req_header(req, "Sec-Fetch-Site");
	const char *rest;

	if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0)
		return 0;
	if (site && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0)
		return 1;
	if (!origin)
		return 0;
	if (strncmp(origin, "http://", 7) == 0)
		rest = origin + 7;
	else if (strncmp(origin, "https://", 8) == 0)
		rest = origin + 8;
	else
		return 1; /* "null" (sandboxed pages, file:) or anything else */
	return !((host && strcmp(rest, host) == 0) || (fwd && strcmp(rest, fwd) == 0));
}

/* ---- framing: what libmicrohttpd lets through ---- */

struct header_scan {
	int hosts;
	int lengths;
	int length_conflict;
	const char *length;
};

static enum MHD_Result scan_header(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	struct header_scan *hs = cls;

	(void)kind;
	if (strcasecmp(key, MHD_HTTP_HEADER_HOST) == 0) {
		hs->hosts++;
	} else if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
		if (hs->length && strcmp(hs->length, value ? value : "") != 0)
			hs->length_conflict = 1;
		hs->length = value ? value : "";
		hs->lengths++;
	}
	return MHD_YES;
}

/* Refuses (400, and the connection closes) a request whose framing two
 * parsers could read differently: a proxy in front and this server must
 * agree on where each request ends. Then checks Host (421). 0 when fine. */
static int refuse_framing(struct ts_http *h, struct ts_req *req, const char *version)
{
	struct header_scan hs = { 0 };
	const char *te = ts_req_header(req, MHD_HTTP_HEADER_TRANSFER_ENCODING);
	const char *host;

	req->close_conn = 1;
	/* libmicrohttpd reads the request target as a C string: a raw NUL
	 * would cut it short, and "/api/v1/me\0x" would reach /api/v1/me.
	 * The target runs up to the space before the version. */
	if (req->raw_uri && version != req->raw_uri + req->raw_uri_len + 1) {
		ts_req_fail(req, 400, "invalid_request_line",
			    "The request line holds a NUL byte or is malformed.");
		return -1;
	}
	MHD_get_connection_values(req->conn, MHD_HEADER_KIND, scan_header, &hs);
	if (te && hs.lengths) {
		ts_req_fail(req, 400, "ambiguous_length",
			    "Send either Content-Length or Transfer-Encoding, not both.");
		return -1;
	}
	if (hs.length_conflict) {
		ts_req_fail(req, 400, "ambiguous_length",
			    "The request has Content-Length headers that differ.");
		return -1;
	}
	if (te && strcasecmp(te, "chunked") != 0) {
		ts_req_fail(req, 400, "unsupported_transfer_encoding",
			    "The only Transfer-Encoding accepted is \"chunked\".");
		return -1;
	}
	if (hs.hosts > 1 || (hs.hosts == 0 && strcmp(version, MHD_HTTP_VERSION_1_0) != 0)) {
		ts_req_fail(req, 400, "invalid_host",
			    hs.hosts ? "The request has more than one Host header."
				     : "An HTTP/1.1 request must have a Host header.");
		return -1;
	}
	req->close_conn = 0;
	host = req->via_proxy && ts_req_header(req, "X-Forwarded-Host")
		       ? ts_req_header(req, "X-Forwarded-Host")
		       : ts_req_header(req, MHD_HTTP_HEADER_HOST);
	if (host && !host_allowed(h, host)) {
		char *shown = ts_utf8_scrub(host, strlen(host), 100, 1);

		ts_req_fail(req, 421, "wrong_host",
			    "This server does not answer for the host \"%s\"; use its own address%s.",
			    shown, h->origin_host[0] ? " or its public origin" : "");
		free(shown);
		return -1;
	}
	return 0;
}

static int is_api_path(const char *path)
{
	return strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0 ||
	       strcmp(path, "/healthz") == 0 || strcmp(path, "/readyz") == 0;
}

/* Routing, authentication and size checks, on the first callback (headers
 * only). Sets a response when the request ends here. */
static void begin(struct ts_req *req)
{
	char allow[128];
	const char *cl;

	if (!is_api_path(req->path)) {
		if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0)
			ts_static_serve(req);
		else
			ts_req_fail(req, 405, "method_not_allowed", "%s is not allowed here.",
				    req->method);
		return;
	}
	switch (ts_router_find(req->method, req->path, &req->route, req->params, &req->nparams,
			       allow, sizeof(allow))) {
	case TS_ROUTE_FOUND:
		break;
	case TS_ROUTE_NO_METHOD:
		ts_req_fail(req, 405, "method_not_allowed", "%s is not allowed on %s; use %s.",
			    req->method, req->path, allow);
		ts_req_add_header(req, MHD_HTTP_HEADER_ALLOW, allow);
		return;
	default:
		ts_req_fail(req, 404, "not_found", "No such endpoint: %s.", req->path);
		return;
	}
	if (cross_origin(req)) {
		ts_req_fail(req, 403, "cross_origin",
			    "Requests that change data must come from this server's own pages.");
		return;
	}
	if (!(req->route->flags & TS_ROUTE_PUBLIC)) {
		authenticate(req);
		if (req->response)
			return;
		if ((req->route->flags & TS_ROUTE_ADMIN) && !req->user.is_admin) {
			ts_req_fail(req, 403, "forbidden", "Only an admin may do this.");
			return;
		}
		ts_access_check(req);
		if (req->response)
			return;
	}
	/* The route sets the body cap; no body byte has been read yet. */
	if (req->route->flags & TS_ROUTE_BIG_JSON) {
		req->body_max = TS_HTTP_BIG_JSON_MAX;
		ts_buf_release(&req->body);
		ts_buf_init(&req->body, req->body_max);
	}
	cl = ts_req_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl && !(req->route->flags & (TS_ROUTE_STREAM | TS_ROUTE_LARGE)) &&
	    strtoull(cl, NULL, 10) > ts_req_body_max(req)) {
		ts_req_fail(req, 413, "body_too_large", "The request body is larger than %zu bytes.",
			    ts_req_body_max(req));
		return;
	}
	if (req->route->flags & TS_ROUTE_STREAM && req->route->stream_begin) {
		/* An upload whose client vanished without closing (a cut cable)
		 * is dropped, with its temporary file, after this much silence. */
		MHD_set_connection_option(req->conn, MHD_CONNECTION_OPTION_TIMEOUT,
					  (unsigned int)TS_UPLOAD_IDLE_S);
		req->route->stream_begin(req);
	}
}

static int expects_body(struct ts_req *req)
{
	const char *cl = ts_req_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
	const char *te = ts_req_header(req, MHD_HTTP_HEADER_TRANSFER_ENCODING);

	if (te)
		return 1;
	if (!cl)
		return 0;
	unsigned long long n = strtoull(cl, NULL, 10);
	return n > 0 && n <= TS_DISCARD_MAX;
}

/* "Expect: 100-continue": the client waits for a go-ahead before it sends
 * the body, so an early answer can go out at once instead of the go-ahead
 * (curl asks this way for bodies over 1 MiB). */
static int expects_continue(struct ts_req *req)
{
	const char *e = ts_req_header(req, MHD_HTTP_HEADER_EXPECT);

	return e && strcasecmp(e, "100-continue") == 0;
}

static enum MHD_Result queue(struct ts_http *h, struct ts_req *req)
{
	enum MHD_Result r;

	if (req->queued)
		return MHD_YES;
	if (!req->response)
		ts_req_fail(req, 500, "internal_error", "The server produced no answer.");
	MHD_add_response_header(req->response, "X-Content-Type-Options", "nosniff");
	/* While shutting down, no connection is kept alive for a next request
	 * that would race the final close. */
	if (req->close_conn || __atomic_load_n(&h->stopping, __ATOMIC_ACQUIRE))
		MHD_add_response_header(req->response, MHD_HTTP_HEADER_CONNECTION, "close");
	r = MHD_queue_response(req->conn, req->status, req->response);
	req->queued = 1;
	return r;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decoding of the path and of query values, in place. "%00" is
 * left as it is: decoded, it would cut the string short, so that
 * "/api/v1/projects/1%00x" would reach project 1 and "?cursor=%00" would
 * read as no cursor. Malformed escapes stay as they are too. */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	char *r = s, *w = s;

	(void)cls;
	(void)conn;
	while (*r) {
		int hi, lo;

		if (r[0] == '%' && (hi = hex_value(r[1])) >= 0 && (lo = hex_value(r[2])) >= 0 &&
		    (hi | lo) != 0) {
			*w++ = (char)(hi << 4 | lo);
			r += 3;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

static struct ts_req *new_req(struct ts_http *h, struct MHD_Connection *conn)
{
	struct ts_req *req = ts_xcalloc(1, sizeof(*req));

	req->conn = conn;
	req->app = h->app;
	req->method = "-";
	req->path = "";
	req->start_us = ts_time_mono_us();
	ts_buf_init(&req->body, h->app->cfg.max_json_body);
	pthread_mutex_lock(&h->lock);
	h->inflight++;
	pthread_mutex_unlock(&h->lock);
	return req;
}

/* The request line has been read: the request starts here, with the
 * target as sent (on_request sees it decoded). */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct ts_req *req = new_req(cls, conn);

	req->raw_uri = uri;
	req->raw_uri_len = strlen(uri);
	return req;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct ts_http *h = cls;
	struct ts_req *req = *con_cls;

	if (!req || !req->started) {
		if (!req)
			req = new_req(h, conn);
		req->method = method;
		req->path = url;
		*con_cls = req;
		conn_waiting(h, conn, 0); /* the headers are in */
		identify(h, req);
		if (refuse_framing(h, req, version)) {
			req->started = 1;
			return queue(h, req);
		}
		begin(req);
		req->started = 1;
		/* An early answer (401, 413 ...) waits until the body is read, so
		 * the client sees it instead of a reset connection; a body too big
		 * to be worth reading gets the answer now and the connection closes. */
		if (req->response && (!expects_body(req) || expects_continue(req)))
			return queue(h, req);
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		if (req->queued)
			return MHD_YES;
		if (req->response) {
			/* Answer decided: discard the rest, within reason. */
			req->discarded += n;
			return req->discarded > TS_DISCARD_MAX ? MHD_NO : MHD_YES;
		}
		if (req->route->flags & TS_ROUTE_STREAM) {
			if (req->route->stream_data(req, upload_data, n) != 0 && !req->response)
				ts_req_fail(req, 500, "internal_error", "The upload failed.");
		} else if (req->body_too_large) {
			req->discarded += n;
			if (req->discarded > TS_DISCARD_MAX)
				return MHD_NO;
		} else if (ts_buf_add(&req->body, upload_data, n)) {
			req->body_too_large = 1;
			ts_buf_release(&req->body);
		}
		return MHD_YES;
	}
	if (!req->response && req->route)
		req->route->handle(req);
	return queue(h, req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct ts_http *h = cls;
	struct ts_req *req = *con_cls;
	char *shown;
	int64_t us;

	if (!req)
		return;
	us = ts_time_mono_us() - req->start_us;
	/* The path is the client's: no line breaks or escapes in the log. */
	shown = ts_utf8_scrub(req->path, strlen(req->path), 300, 1);
	ts_log("http", "%.16s %s %u %llu %.1fms%s", req->method, shown,
	       req->queued ? req->status : 0, (unsigned long long)(req->queued ? req->bytes : 0),
	       (double)us / 1000.0, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
	free(shown);
	conn_waiting(h, conn, 1);
	while (req->cleanups) {
		struct ts_req_cleanup *c = req->cleanups;

		req->cleanups = c->next;
		c->fn(c->arg);
		free(c);
	}
	if (req->response)
		MHD_destroy_response(req->response);
	ts_buf_release(&req->body);
	free(req);
	*con_cls = NULL;
	pthread_mutex_lock(&h->lock);
	if (--h->inflight == 0)
		pthread_cond_broadcast(&h->idle);
	pthread_mutex_unlock(&h->lock);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	ts_log_warn("http: %s", line);
}

/* Reads --trusted-proxy and --public-origin into h. */
static enum ts_err read_config(struct ts_http *h, const struct ts_config *cfg, struct ts_error *err)
{
	for (const char *p = cfg->trusted_proxy; p && *p;) {
		size_t n = strcspn(p, ",");

		if (h->nproxies == MAX_PROXIES || proxy_parse(p, n, &h->proxies[h->nproxies]))
			return ts_error_set(err, TS_ERR_INVALID, "bad_trusted_proxy",
					    "--trusted-proxy takes up to %d IP addresses or networks "
					    "(ADDR/BITS) separated by commas, not \"%s\"", MAX_PROXIES,
					    cfg->trusted_proxy);
		h->nproxies++;
		p += n + (p[n] == ',');
	}
	if (cfg->public_origin && parse_origin(h, cfg->public_origin))
		return ts_error_set(err, TS_ERR_INVALID, "bad_public_origin",
				    "--public-origin must look like https://tessera.example.com[:PORT], "
				    "not \"%s\"", cfg->public_origin);
	return TS_OK;
}

enum ts_err ts_http_check_config(const struct ts_config *cfg, struct ts_error *err)
{
	struct ts_http *h = ts_xcalloc(1, sizeof(*h));
	enum ts_err e = read_config(h, cfg, err);

	free(h);
	return e;
}

struct ts_http *ts_http_start(struct ts_app *app, struct ts_error *err)
{
	struct ts_http *h = ts_xcalloc(1, sizeof(*h));
	struct sockaddr_in addr;

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)app->cfg.port);
	if (inet_pton(AF_INET, app->cfg.host, &addr.sin_addr) != 1) {
		ts_error_set(err, TS_ERR_INVALID, "bad_listen",
			     "cannot listen on \"%s\": give an IPv4 address such as 127.0.0.1",
			     app->cfg.host);
		free(h);
		return NULL;
	}
	h->app = app;
	if (read_config(h, &app->cfg, err)) {
		free(h);
		return NULL;
	}
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->idle, NULL);
	pthread_mutex_init(&h->conns_lock, NULL);
	pthread_cond_init(&h->reaper_wake, NULL);
	app->throttle = ts_throttle_new(); /* before the first request can come in */
	h->daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG,
		0, on_accept, h, on_request, h,
		/* First, so that MHD's own messages about later options come here
		 * too (it warns on stderr otherwise). */
		MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)app->cfg.threads,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, h,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)TS_IDLE_S,
		MHD_OPTION_CONNECTION_LIMIT, connection_limit(),
		MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1,
		MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
		MHD_OPTION_END);
	if (!h->daemon) {
		ts_error_set(err, TS_ERR_IO, "listen_failed",
			     "cannot listen on %s:%u (in use, or not allowed)", app->cfg.host,
			     app->cfg.port);
		pthread_mutex_destroy(&h->lock);
		pthread_cond_destroy(&h->idle);
		pthread_mutex_destroy(&h->conns_lock);
		pthread_cond_destroy(&h->reaper_wake);
		ts_throttle_free(app->throttle);
		app->throttle = NULL;
		free(h);
		return NULL;
	}
	if (pthread_create(&h->reaper, NULL, reaper_main, h) == 0)
		h->reaper_running = 1;
	else
		ts_log_warn("cannot start the header-deadline thread: slow clients are not cut off");
	return h;
}

unsigned ts_http_port(struct ts_http *h)
{
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);

	return info ? info->port : 0;
}

void ts_http_stop(struct ts_http *h, int grace_ms)
{
	struct timespec until;
	MHD_socket fd;

	if (!h)
		return;
	__atomic_store_n(&h->stopping, 1, __ATOMIC_RELEASE);
	fd = MHD_quiesce_daemon(h->daemon);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += grace_ms / 1000;
	until.tv_nsec += (long)(grace_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&h->lock);
	while (h->inflight > 0)
		if (pthread_cond_timedwait(&h->idle, &h->lock, &until) != 0)
			break;
	if (h->inflight > 0)
		ts_log_warn("stopping with %d request(s) still running", h->inflight);
	pthread_mutex_unlock(&h->lock);
	if (h->reaper_running) {
		pthread_mutex_lock(&h->conns_lock);
		h->reaper_stop = 1;
		pthread_cond_signal(&h->reaper_wake);
		pthread_mutex_unlock(&h->conns_lock);
		pthread_join(h->reaper, NULL);
	}
	MHD_stop_daemon(h->daemon);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	ts_throttle_free(h->app->throttle);
	h->app->throttle = NULL;
	for (size_t i = 0; i < IP_BUCKETS; i++)
		while (h->ips[i]) {
			struct ip_count *c = h->ips[i];

			h->ips[i] = c->next;
			free(c);
		}
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->idle);
	pthread_mutex_destroy(&h->conns_lock);
	pthread_cond_destroy(&h->reaper_wake);
	free(h);
}
