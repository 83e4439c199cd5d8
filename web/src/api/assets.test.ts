import { describe, expect, it } from 'vitest';
import { outcomeOf } from './assets';

describe('outcomeOf', () => {
  it('takes the asset of a 201, with its duplicate flag', () => {
    const o = outcomeOf(201, JSON.stringify({ assets: [{ id: 7, duplicate: true }], errors: [] }));
    expect(o).toMatchObject({ ok: true, duplicate: true });
  });
  it('takes the per-file reason of a refused file', () => {
    const body = { assets: [], errors: [{ file_name: 'a.txt', code: 'not_an_image', message: 'no' }], error: { code: 'no_valid_files', message: 'x' } };
    expect(outcomeOf(422, JSON.stringify(body))).toEqual({ ok: false, code: 'not_an_image', message: 'no', retryable: false });
  });
  it('calls a failure retryable only when it is about the transfer, not the file', () => {
    const cut = { assets: [], errors: [{ file_name: 'a.jpg', code: 'incomplete_upload', message: 'cut' }] };
    expect(outcomeOf(400, JSON.stringify(cut))).toMatchObject({ ok: false, retryable: true });
    expect(outcomeOf(503, '')).toMatchObject({ ok: false, retryable: true });
    expect(outcomeOf(0, '')).toMatchObject({ ok: false, retryable: true });
    const gone = { error: { code: 'project_not_found', message: 'gone', details: {} } };
    expect(outcomeOf(404, JSON.stringify(gone))).toMatchObject({ ok: false, retryable: false });
  });
  it('falls back to the error envelope, or to the status for non-JSON', () => {
    const o = outcomeOf(404, JSON.stringify({ error: { code: 'project_not_found', message: 'gone', details: {} } }));
    expect(o).toMatchObject({ ok: false, code: 'project_not_found' });
    expect(outcomeOf(502, '<html>').ok).toBe(false);
  });
});

describe('the retry policy', () => {
  it('retries an upload refused because the session ended, as the write queue does', () => {
    const gone = { error: { code: 'unauthorized', message: 'Sign in.', details: {} } };
    expect(outcomeOf(401, JSON.stringify(gone))).toMatchObject({ ok: false, retryable: true });
    expect(outcomeOf(429, '')).toMatchObject({ ok: false, retryable: true });
    expect(outcomeOf(413, '')).toMatchObject({ ok: false, retryable: false });
  });
});
