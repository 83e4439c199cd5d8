import { describe, expect, it } from 'vitest';
import { gridLayout, moveIndex, tilePosition, visibleRange } from './virtualGrid';

describe('gridLayout', () => {
  it('fits as many columns of at least minTile as the width allows, and stretches them', () => {
    const l = gridLayout(1000, 100, 150, 8);
    expect(l.columns).toBe(6); // 6*150 + 5*8 = 940 <= 1000; 7 would need 1098
    expect(l.tile).toBe(Math.floor((1000 - 40) / 6));
    expect(l.rows).toBe(17);
    expect(l.totalHeight).toBe(17 * l.rowHeight - 8);
  });
  it('always has one column, and no height without items', () => {
    expect(gridLayout(50, 3).columns).toBe(1);
    expect(gridLayout(800, 0).totalHeight).toBe(0);
  });
});

describe('visibleRange', () => {
  const l = gridLayout(1000, 100000, 150, 8); // 6 columns
  it('covers the rows in view plus overscan', () => {
    const r = visibleRange(l, 100000, 0, 600, 1);
    expect(r.start).toBe(0);
    const rowsInView = Math.floor(600 / l.rowHeight) + 1 + 1;
    expect(r.end).toBe(rowsInView * 6);
  });
  it('stays small far down a 100,000-item grid', () => {
    const top = l.totalHeight / 2;
    const r = visibleRange(l, 100000, top, 800);
    expect(r.end - r.start).toBeLessThan(80);
    expect(r.start % 6).toBe(0);
    expect(tilePosition(l, r.start).top).toBeLessThanOrEqual(top);
  });
  it('never passes the last item', () => {
    const r = visibleRange(l, 100000, l.totalHeight, 800);
    expect(r.end).toBe(100000);
    expect(visibleRange(l, 0, 0, 800)).toEqual({ start: 0, end: 0 });
  });
});

describe('moveIndex', () => {
  const l = gridLayout(1000, 20, 150, 8); // 6 columns
  it('moves by one with left/right and by a row with up/down, clamped', () => {
    expect(moveIndex(l, 20, 0, 'ArrowRight')).toBe(1);
    expect(moveIndex(l, 20, 0, 'ArrowLeft')).toBe(0);
    expect(moveIndex(l, 20, 2, 'ArrowDown')).toBe(8);
    expect(moveIndex(l, 20, 17, 'ArrowDown')).toBe(19);
    expect(moveIndex(l, 20, 3, 'ArrowUp')).toBe(0);
    expect(moveIndex(l, 20, 5, 'End')).toBe(19);
    expect(moveIndex(l, 20, 5, 'Home')).toBe(0);
  });
});
