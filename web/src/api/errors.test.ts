import { describe, expect, it } from 'vitest';
import { ApiError, errorMessage, networkError, parseApiError } from './errors';

describe('parseApiError', () => {
  it('reads the documented error shape', () => {
    const body = JSON.stringify({
      error: { code: 'name_taken', message: 'A category named "cat" exists.', details: { field: 'name' } },
    });
    const e = parseApiError(409, body);
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toBeInstanceOf(Error);
    expect(e.status).toBe(409);
    expect(e.code).toBe('name_taken');
    expect(e.message).toBe('A category named "cat" exists.');
    expect(e.details).toEqual({ field: 'name' });
  });

  it('defaults missing details to an empty object', () => {
    const e = parseApiError(400, '{"error":{"code":"invalid_order","message":"Not a permutation."}}');
    expect(e.details).toEqual({});
    expect(e.code).toBe('invalid_order');
  });

  it('falls back on a readable message for non-JSON bodies', () => {
    const e = parseApiError(502, '<html>Bad Gateway</html>');
    expect(e.code).toBe('http_502');
    expect(e.message).toMatch(/HTTP 502/);
    expect(e.details).toEqual({});
  });

  it('falls back for an empty body and for JSON without an error object', () => {
    expect(parseApiError(404, '').message).toMatch(/Not found \(HTTP 404\)/);
    expect(parseApiError(500, '{"ok":false}').code).toBe('http_500');
    expect(parseApiError(500, '[1,2]').code).toBe('http_500');
  });

  it('fills in a blank code or message and ignores non-object details', () => {
    const e = parseApiError(403, '{"error":{"code":"","message":"  ","details":[1]}}');
    expect(e.code).toBe('http_403');
    expect(e.message).toMatch(/not allowed/);
    expect(e.details).toEqual({});
  });

  it('keeps an unknown status readable', () => {
    expect(parseApiError(418, '').message).toBe('The request failed (HTTP 418).');
  });
});

describe('networkError and errorMessage', () => {
  it('describes a failed connection', () => {
    const e = networkError(new TypeError('Failed to fetch'));
    expect(e.status).toBe(0);
    expect(e.code).toBe('network_error');
    expect(e.message).toContain('Failed to fetch');
  });

  it('turns anything thrown into text', () => {
    expect(errorMessage(new ApiError(409, 'x', 'Taken.'))).toBe('Taken.');
    expect(errorMessage(new Error('boom'))).toBe('Boom');
    expect(errorMessage('weird')).toBe('Something went wrong.');
    expect(errorMessage(new ApiError(409, 'name_taken', 'a category named "Cat" exists'))).toBe(
      'A category named "Cat" exists',
    );
  });
});
