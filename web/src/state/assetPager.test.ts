import { describe, expect, it } from 'vitest';
import type { Asset, AssetPage } from '../api/assets';
import { createAssetPager, gridCount } from './assetPager';

// A server-side list of n assets with keyset paging, as the API pages it.
function fakeList(n: number) {
  const requests: { cursor: string | null; limit: number }[] = [];
  const fetch = async (cursor: string | null, limit: number): Promise<AssetPage> => {
    requests.push({ cursor, limit });
    const after = cursor ? Number(cursor) : 0;
    const assets = Array.from({ length: Math.max(0, Math.min(limit, n - after)) }, (_, i) => ({ id: after + i + 1 }) as Asset);
    const last = assets.at(-1)?.id ?? after;
    return {
      assets,
      next_cursor: last < n ? String(last) : null,
      counts: { all: n, unlabeled: n, labeled: 0, skipped: 0, needs_review: 0, approved: 0 },
    };
  };
  return { fetch, requests };
}

const settle = () => new Promise((r) => setTimeout(r, 5));

describe('asset pager', () => {
  it('loads the first page on start, then more only when asked', async () => {
    const list = fakeList(1000);
    const p = createAssetPager(list.fetch, { pageSize: 200 });
    p.start();
    await settle();
    expect(p.items.value.length).toBe(200);
    expect(p.counts.value?.all).toBe(1000);
    p.ensure(250);
    await settle();
    expect(p.items.value.length).toBe(400);
    expect(list.requests.length).toBe(2);
  });

  it('loads in bigger pages to reach a far index, each asset once and in order', async () => {
    const list = fakeList(5000);
    const p = createAssetPager(list.fetch, { pageSize: 200, maxPageSize: 1000 });
    p.ensure(4500);
    await settle();
    expect(p.items.value.length).toBeGreaterThan(4500);
    expect(list.requests.every((r) => r.limit <= 1000)).toBe(true);
    const ids = p.items.value.map((a) => a.id);
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => i + 1));
  });

  it('stops at the end and drops pages of a list it was reset from', async () => {
    const a = fakeList(50);
    const b = fakeList(3);
    const p = createAssetPager(a.fetch);
    p.start();
    p.reset(b.fetch);
    await settle();
    expect(p.items.value.map((x) => x.id)).toEqual([1, 2, 3]);
    expect(p.done.value).toBe(true);
    expect(gridCount(3, true, 99)).toBe(3);
    expect(gridCount(200, false, 1000)).toBe(1000);
  });
});
