import { describe, expect, it } from 'vitest';
import type { Asset, UploadOutcome } from '../api/assets';
import { createUploadQueue, summarize } from './uploadQueue';

const file = (name: string, size = 100) => new File([new Uint8Array(size)], name);

function deferredUploader() {
  const calls: { name: string; progress: (n: number) => void; resolve: (o: UploadOutcome) => void }[] = [];
  const upload = (f: File, progress: (n: number) => void) =>
    new Promise<UploadOutcome>((resolve) => calls.push({ name: f.name, progress, resolve }));
  return { calls, upload };
}

const ok = (id: number, duplicate = false): UploadOutcome => ({ ok: true, asset: { id } as Asset, duplicate });
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('upload queue', () => {
  it('keeps at most four uploads in flight and starts the next as one ends', async () => {
    const u = deferredUploader();
    const q = createUploadQueue(u.upload, { concurrency: 4 });
    q.add(['a', 'b', 'c', 'd', 'e', 'f'].map((n) => file(n)));
    expect(u.calls.map((c) => c.name)).toEqual(['a', 'b', 'c', 'd']);
    expect(q.summary.value.uploading).toBe(4);
    u.calls[0].resolve(ok(1));
    await tick();
    expect(u.calls.map((c) => c.name)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(q.summary.value.done).toBe(1);
  });

  it('reports progress per file and for the batch by bytes', async () => {
    const u = deferredUploader();
    const q = createUploadQueue(u.upload, { concurrency: 2 });
    q.add([file('a', 100), file('b', 300)]);
    u.calls[0].progress(50);
    u.calls[1].progress(150);
    expect(q.items.value.map((i) => i.loaded)).toEqual([50, 150]);
    expect(q.summary.value.fraction).toBeCloseTo(200 / 400);
    u.calls[0].resolve(ok(1));
    u.calls[1].resolve(ok(2, true));
    await tick();
    const s = q.summary.value;
    expect([s.done, s.duplicate, s.fraction, s.active]).toEqual([1, 1, 1, false]);
  });

  it('keeps failures with their reason and retries only them', async () => {
    const u = deferredUploader();
    let idle = 0;
    const q = createUploadQueue(u.upload, { concurrency: 4, onIdle: () => (idle += 1) });
    q.add([file('good.jpg'), file('bad.txt')]);
    u.calls[0].resolve(ok(1));
    u.calls[1].resolve({ ok: false, code: 'network_error', message: 'not an image', retryable: true });
    await tick();
    expect(idle).toBe(1);
    const bad = q.items.value.find((i) => i.name === 'bad.txt');
    expect(bad?.status).toBe('failed');
    expect(bad?.message).toBe('not an image');
    expect(q.summary.value.fraction).toBe(1); // failed bytes do not hold the bar back
    q.retryFailed();
    expect(u.calls.map((c) => c.name)).toEqual(['good.jpg', 'bad.txt', 'bad.txt']);
    u.calls[2].resolve(ok(2));
    await tick();
    expect(q.summary.value.failed).toBe(0);
    q.clearFinished();
    expect(q.items.value).toEqual([]);
  });

  it('does not send again a file the server refused for its content', async () => {
    const u = deferredUploader();
    const q = createUploadQueue(u.upload, { concurrency: 4 });
    q.add([file('text.jpg'), file('cut.jpg')]);
    u.calls[0].resolve({ ok: false, code: 'not_an_image', message: 'Not an image.', retryable: false });
    u.calls[1].resolve({ ok: false, code: 'network_error', message: 'The connection failed.', retryable: true });
    await tick();
    q.retryFailed();
    expect(u.calls.map((c) => c.name)).toEqual(['text.jpg', 'cut.jpg', 'cut.jpg']);
    expect(q.items.value.find((i) => i.name === 'text.jpg')?.status).toBe('failed');
  });

  it('summarizes an empty queue as idle and complete', () => {
    expect(summarize([])).toMatchObject({ total: 0, fraction: 1, active: false });
  });
});
