import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildUrl, request, setUnauthorizedHandler } from './client';
import { ApiError } from './errors';

afterEach(() => {
  vi.unstubAllGlobals();
  setUnauthorizedHandler(null);
});

function stubFetch(status: number, body: string) {
  const fn = vi.fn(async () => new Response(status === 204 ? null : body, { status }));
  vi.stubGlobal('fetch', fn);
  return fn;
}

describe('buildUrl', () => {
  it('drops empty and false parameters', () => {
    expect(buildUrl('/a')).toBe('/a');
    expect(buildUrl('/a', { include_deleted: false, cursor: null, limit: undefined })).toBe('/a');
    expect(buildUrl('/a', { include_deleted: true, limit: 5 })).toBe('/a?include_deleted=true&limit=5');
    expect(buildUrl('/a', { cursor: 'x y&z' })).toBe('/a?cursor=x+y%26z');
  });
});

describe('request', () => {
  it('sends JSON and parses the answer', async () => {
    const fetchMock = stubFetch(201, '{"id":3,"name":"cat"}');
    const out = await request<{ id: number }>('POST', '/api/v1/x', { body: { name: 'cat' } });
    expect(out).toEqual({ id: 3, name: 'cat' });
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/v1/x');
    expect(init.method).toBe('POST');
    expect(init.body).toBe('{"name":"cat"}');
    expect((init.headers as Record<string, string>)['Content-Type']).toBe('application/json');
  });

  it('returns undefined for 204', async () => {
    stubFetch(204, '');
    await expect(request('POST', '/api/v1/auth/logout')).resolves.toBeUndefined();
  });

  it('throws a typed ApiError with the server message', async () => {
    stubFetch(409, '{"error":{"code":"name_taken","message":"That name is taken.","details":{}}}');
    const err = await request('POST', '/x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('name_taken');
    expect((err as ApiError).message).toBe('That name is taken.');
  });

  it('reports a lost session, but not a failed login', async () => {
    const seen: string[] = [];
    setUnauthorizedHandler((e) => seen.push(e.code));
    stubFetch(401, '{"error":{"code":"invalid_credentials","message":"Wrong name or password."}}');
    await expect(request('POST', '/login')).rejects.toThrow('Wrong name or password.');
    stubFetch(401, '{"error":{"code":"unauthorized","message":"Log in first."}}');
    await expect(request('GET', '/api/v1/me')).rejects.toThrow('Log in first.');
    expect(seen).toEqual(['unauthorized']);
  });

  it('turns a network failure into network_error', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    const err = (await request('GET', '/x').catch((e: unknown) => e)) as ApiError;
    expect(err.status).toBe(0);
    expect(err.code).toBe('network_error');
  });
});
