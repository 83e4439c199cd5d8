import { describe, expect, it } from 'vitest';
import { EMPTY, chunks, extend, isSelected, runChunked, selectedCount, toggle } from './reviewSelection';

const ids = [10, 11, 12, 13, 14, 15];
const idAt = (i: number) => ids[i];

describe('review selection', () => {
  it('click toggles, shift-click selects the range from the last click', () => {
    let s = toggle(EMPTY, 11, 1);
    expect(isSelected(s, 11)).toBe(true);
    s = extend(s, 4, idAt);
    expect(s.kind === 'ids' && [...s.ids].sort()).toEqual([11, 12, 13, 14]);
    s = toggle(s, 12, 2);
    expect(isSelected(s, 12)).toBe(false);
    s = extend(s, 0, idAt); // backwards from the new anchor
    expect(s.kind === 'ids' && [...s.ids].sort()).toEqual([10, 11, 12, 13, 14]);
    expect(selectedCount(s, 999)).toBe(5);
  });

  it('shift-click without an anchor selects just that item; "all" counts the filter', () => {
    const s = extend(EMPTY, 3, idAt);
    expect(s.kind === 'ids' && [...s.ids]).toEqual([13]);
    expect(selectedCount({ kind: 'all' }, 10000)).toBe(10000);
    expect(isSelected({ kind: 'all' }, 1)).toBe(true);
  });

  it('runs a bulk action in chunks with progress and tallies the reasons', async () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    const seen: number[] = [];
    const t = await runChunked(
      [1, 2, 3, 4, 5],
      2,
      (c) =>
        Promise.resolve({
          results: c.map((id) => (id === 3 ? { ok: false as const, error: { code: 'not_labeled' } } : { ok: true as const })),
        }),
      (p) => seen.push(p.done),
    );
    expect(seen).toEqual([0, 2, 4, 5]);
    expect(t).toEqual({ done: 5, total: 5, succeeded: 4, failed: 1, reasons: { not_labeled: 1 } });
  });
});
