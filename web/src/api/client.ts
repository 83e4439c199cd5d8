// The one place that talks HTTP. Every call goes through request(), which
// sends JSON, uses the session cookie, and throws ApiError on failure.
import { ApiError, networkError, parseApiError } from './errors';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | null | undefined>;
  signal?: AbortSignal;
}

type UnauthorizedHandler = (err: ApiError) => void;
let onUnauthorized: UnauthorizedHandler | null = null;

/** Called when a request fails because the session is gone (401 unauthorized). */
export function setUnauthorizedHandler(fn: UnauthorizedHandler | null): void {
  onUnauthorized = fn;
}

export function buildUrl(path: string, query?: RequestOptions['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === false) continue;
    params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export async function request<T>(method: Method, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (opts.signal) init.signal = opts.signal;
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(buildUrl(path, opts.query), init);
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw networkError(e);
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) {
    const err = parseApiError(res.status, text);
    if (err.status === 401 && err.code === 'unauthorized' && onUnauthorized) onUnauthorized(err);
    throw err;
  }
  if (res.status === 204 || text === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(res.status, 'bad_response', 'The server sent a response that is not valid JSON.');
  }
}

/** How a form upload ended: the answer's status and body, or why no answer came. */
export type FormAnswer = { status: number; text: string; failure?: undefined } | { failure: { code: 'network_error' | 'cancelled'; message: string } };

/**
 * POSTs a multipart form with the session cookie, reporting the bytes sent
 * so far (fetch cannot report upload progress, so this uses XHR).
 */
export function sendForm(path: string, form: FormData, onProgress: (loaded: number) => void, signal?: AbortSignal): Promise<FormAnswer> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => resolve({ status: xhr.status, text: xhr.responseText });
    xhr.onerror = () => resolve({ failure: { code: 'network_error', message: 'The connection to the server failed.' } });
    xhr.onabort = () => resolve({ failure: { code: 'cancelled', message: 'The upload was cancelled.' } });
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(form);
  });
}
