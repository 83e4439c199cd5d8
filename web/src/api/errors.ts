// Turning any failed HTTP exchange into one typed error. DOM-free so that it
// can be unit tested.

export type ErrorDetails = Record<string, unknown>;

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ErrorDetails;

  constructor(status: number, code: string, message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'The request was not accepted',
  401: 'You are not signed in',
  403: 'You are not allowed to do this',
  404: 'Not found',
  409: 'This conflicts with the current state',
  413: 'The request is too large',
  429: 'Too many requests; try again shortly',
  500: 'The server had an internal error',
  502: 'The server is unreachable (bad gateway)',
  503: 'The server is not ready',
  504: 'The server took too long to answer',
  507: 'The server has no room for this (a storage quota is reached)',
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fallbackMessage(status: number): string {
  const text = STATUS_TEXT[status] ?? 'The request failed';
  return `${text} (HTTP ${status}).`;
}

/**
 * Builds an ApiError from a status code and the raw response body.
 * Understands `{"error": {"code", "message", "details"}}`; anything else
 * (HTML from a proxy, empty body, malformed JSON) gets a readable fallback.
 */
export function parseApiError(status: number, body: string): ApiError {
  let parsed: unknown = undefined;
  if (body.trim() !== '') {
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
  }
  const err = isRecord(parsed) ? parsed['error'] : undefined;
  if (isRecord(err)) {
    const code = typeof err['code'] === 'string' && err['code'] !== '' ? err['code'] : `http_${status}`;
    const message =
      typeof err['message'] === 'string' && err['message'].trim() !== ''
        ? err['message']
        : fallbackMessage(status);
    const details = isRecord(err['details']) ? err['details'] : {};
    return new ApiError(status, code, message, details);
  }
  return new ApiError(status, `http_${status}`, fallbackMessage(status));
}

/** The error used when no HTTP answer arrived at all. */
export function networkError(cause: unknown): ApiError {
  const why = cause instanceof Error && cause.message ? ` (${cause.message})` : '';
  return new ApiError(0, 'network_error', `Cannot reach the server${why}. Check that it is running.`);
}

/** Upper-cases the first letter, so that a server's "name taken" reads as a sentence. */
export function sentence(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A readable message for anything thrown by an API call or by our code. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error && e.message) return sentence(e.message);
  return 'Something went wrong.';
}

/**
 * The one retry policy: a request that failed on the way (no answer, a
 * timeout, a busy or broken server) or because the session ended (it works
 * again after signing in) may work when sent again; any other refusal is
 * about the request itself and would be refused again.
 */
export function retryableStatus(status: number): boolean {
  return status === 0 || status === 401 || status === 408 || status === 429 || status >= 500;
}

/** retryableStatus() for anything an API call threw (not an ApiError: our own failure, tried again). */
export function isRetryable(e: unknown): boolean {
  return e instanceof ApiError ? retryableStatus(e.status) : true;
}
