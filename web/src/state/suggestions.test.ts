import { describe, expect, it, vi } from 'vitest';
import type { Asset } from '../api/assets';
import { ApiError } from '../api/errors';
import type { Model, ModelList, Suggestion } from '../api/models';
import { createSuggestions, UNAVAILABLE_MESSAGE, type SuggestionsApi } from './suggestions';

const HASH = `sha256:${'a'.repeat(64)}`;
const model = (id: number, active: boolean, ok = true): Model => ({
  id,
  project_id: 1,
  name: `m${id}`,
  task_type: 'classification_single',
  labels_hash: HASH,
  labels_hash_ok: ok,
  warning: ok ? null : 'The categories changed.',
  input: { width: 8, height: 8, channels: 'rgb', layout: 'nchw', scale: 1, mean: [0, 0, 0], std: [1, 1, 1] },
  outputs: [1, 2, 3],
  active,
  byte_size: 10,
  checksum_sha256: 'b'.repeat(64),
  created_by: 'ann',
  created_at: '2026-01-01T00:00:00Z',
});
const sugg = (assetId: number, cat: number, status: Suggestion['status'] = 'pending'): Suggestion => ({
  suggestion_id: 100 + assetId,
  asset_id: assetId,
  project_id: 1,
  model_id: 1,
  payload: { type: 'classification', category_ids: [cat], scores: [{ category_id: cat, score: 0.9 }] },
  score: 0.9,
  status,
  created_at: '2026-01-01T00:00:00Z',
  chosen_category_ids: null,
  reviewed_by: null,
  reviewed_at: null,
});
const asset = (id: number, suggested = false) => ({ id, suggested }) as unknown as Asset;
const tick = () => new Promise((r) => setTimeout(r, 0));

function fake(list: ModelList, answers: Record<number, Suggestion | null | ApiError>) {
  const asked: number[] = [];
  const reviews: [number, number, readonly number[]][] = [];
  const api: SuggestionsApi = {
    list: () => Promise.resolve(list),
    suggestion: (id) => {
      asked.push(id);
      const a = answers[id];
      return a instanceof ApiError ? Promise.reject(a) : Promise.resolve(a ?? null);
    },
    review: (id, sid, ids) => {
      reviews.push([id, sid, ids]);
      const s = answers[id] as Suggestion;
      if (s.status === 'superseded') return Promise.reject(new ApiError(409, 'suggestion_superseded', 'Superseded.'));
      const accepted = ids.length === 1 && ids[0] === (s.payload.type === 'classification' ? s.payload.category_ids[0] : -1);
      return Promise.resolve({ ...s, status: accepted ? 'accepted' : 'rejected', chosen_category_ids: [...ids] });
    },
  };
  return { api, asked, reviews };
}

describe('suggestions store', () => {
  it('is off without an active model, blocked when the labels differ or the server cannot run models', async () => {
    const off = createSuggestions(1, fake({ models: [model(1, false)], categories_hash: HASH, inference_available: true }, {}).api);
    await off.open();
    expect(off.mode.value.kind).toBe('off');
    const stale = createSuggestions(1, fake({ models: [model(1, true, false)], categories_hash: HASH, inference_available: true }, {}).api);
    await stale.open();
    expect(stale.mode.value).toMatchObject({ kind: 'blocked', message: expect.stringMatching(/categories changed/) });
    const noRt = createSuggestions(1, fake({ models: [model(1, true)], categories_hash: HASH, inference_available: false }, {}).api);
    await noRt.open();
    expect(noRt.mode.value).toMatchObject({ kind: 'blocked', message: UNAVAILABLE_MESSAGE });
  });

  it('reads each image once, and a 503 turns the whole feature off', async () => {
    const f = fake({ models: [model(1, true)], categories_hash: HASH, inference_available: true }, {
      1: sugg(1, 2),
      2: null,
      3: new ApiError(422, 'damaged_image', 'Damaged.'),
      4: new ApiError(503, 'inference_unavailable', 'No runtime.'),
    });
    const s = createSuggestions(1, f.api);
    await s.open();
    s.load([1, 2, 3]);
    s.load([1, 2]);
    await tick();
    expect(f.asked).toEqual([1, 2, 3]);
    expect(s.byAsset.value.get(1)).toMatchObject({ kind: 'ready' });
    expect(s.byAsset.value.get(2)).toEqual({ kind: 'none' });
    expect(s.byAsset.value.get(3)).toMatchObject({ kind: 'error', code: 'damaged_image' });
    expect(s.mode.value.kind).toBe('on');
    s.load([4]);
    await tick();
    expect(s.mode.value).toMatchObject({ kind: 'blocked', message: UNAVAILABLE_MESSAGE });
    s.load([5]);
    expect(f.asked).toEqual([1, 2, 3, 4]);
  });

  it('reports the label given once the write is acknowledged: the last one, and nothing for a flag or a refused write', async () => {
    const f = fake({ models: [model(1, true)], categories_hash: HASH, inference_available: true }, {
      1: sugg(1, 2),
      2: sugg(2, 1),
      3: sugg(3, 1),
      4: sugg(4, 1, 'superseded'),
    });
    const s = createSuggestions(1, f.api);
    await s.open();
    s.load([1, 2, 3, 4]);
    await tick();
    expect(s.isPending(asset(1))).toBe(true);
    // image 1: 3, then 2 before the write is acknowledged: the last label counts (accepted)
    s.noteChange(asset(1), { category_ids: [3] });
    s.noteChange(asset(1), { category_ids: [2] });
    expect(s.isPending(asset(1))).toBe(false);
    s.onWrite('ack', 1);
    // image 2: a flag gives no label; a skip is "none"
    s.noteChange(asset(2), { status: 'needs_review' });
    s.onWrite('ack', 2);
    s.noteChange(asset(2), { status: 'skipped' });
    s.onWrite('ack', 2);
    // image 3: the write was refused: nothing to report
    s.noteChange(asset(3), { category_ids: [1] });
    s.onWrite('reject', 3);
    s.onWrite('ack', 3);
    // image 4: superseded ones are not reported
    s.noteChange(asset(4), { category_ids: [1] });
    s.onWrite('ack', 4);
    await tick();
    expect(f.reviews).toEqual([
      [1, 101, [2]],
      [2, 102, []],
    ]);
    expect(s.suggestionOf(1)?.status).toBe('accepted');
    expect(s.suggestionOf(2)?.status).toBe('rejected');
    expect(s.suggestionOf(3)?.status).toBe('pending');
    // an image never read keeps the list's flag
    expect(s.isPending(asset(9, true))).toBe(true);
    expect(s.isPending(asset(9, false))).toBe(false);
  });
});

describe('a report lost on the way', () => {
  it('is sent again a little later, and a refused one is not', async () => {
    const s1 = sugg(1, 2);
    let fails = 2;
    const sent: number[][] = [];
    const api: SuggestionsApi = {
      list: () => Promise.resolve({ models: [model(1, true)], categories_hash: HASH, inference_available: true }),
      suggestion: (id) => Promise.resolve(id === 1 ? s1 : sugg(id, 1)),
      review: (id, _sid, ids) => {
        sent.push([id, ...ids]);
        if (id === 2) return Promise.reject(new ApiError(400, 'invalid_category', 'No such category.'));
        if (fails-- > 0) return Promise.reject(new ApiError(0, 'network_error', 'Offline.'));
        return Promise.resolve({ ...s1, status: 'accepted', chosen_category_ids: [...ids] });
      },
    };
    const s = createSuggestions(1, api, 5);
    await s.open();
    s.load([1, 2]);
    await tick();
    s.noteChange(asset(1), { category_ids: [2] });
    s.onWrite('ack', 1);
    s.noteChange(asset(2), { category_ids: [9] });
    s.onWrite('ack', 2);
    // The report of 1 is sent again on timers (5, then 10 ms): wait for its
    // answer rather than for a time that a busy machine may overrun. A
    // resend of the refused one would have been due before it.
    await vi.waitFor(() => expect(s.suggestionOf(1)?.status).toBe('accepted'), { timeout: 5000, interval: 5 });
    expect(sent).toEqual([[1, 2], [2, 9], [1, 2], [1, 2]]);
    expect(s.suggestionOf(1)?.status).toBe('accepted');
    expect(s.suggestionOf(2)?.status).toBe('pending');
    s.dispose();
  });
});
