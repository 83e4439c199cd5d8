import { describe, expect, it } from 'vitest';
import type { Category, CategoryState } from '../api/types';
import { byDisplayOrder, hotkeyMap, moveByStep, moveItem, moveOnto, orderPayload, renumber } from './categoryOrder';

function cat(id: number, state: CategoryState = 'active', display_order = id): Category {
  return { id, name: `c${id}`, state, display_order };
}
const ids = (l: Category[] | null) => l?.map((c) => c.id);

describe('hotkeyMap', () => {
  it('gives 1..9 to the first nine active categories in display order', () => {
    const list = Array.from({ length: 12 }, (_, i) => cat(i + 1));
    const keys = hotkeyMap(list);
    expect(keys.size).toBe(9);
    expect(keys.get(1)).toBe('1');
    expect(keys.get(9)).toBe('9');
    expect(keys.has(10)).toBe(false);
  });

  it('skips disabled and deleted categories without using up a number', () => {
    const list = [cat(5), cat(2, 'disabled'), cat(7), cat(1, 'deleted'), cat(3)];
    expect([...hotkeyMap(list)]).toEqual([
      [5, '1'],
      [7, '2'],
      [3, '3'],
    ]);
  });

  it('follows display order, not id', () => {
    const list = byDisplayOrder([cat(1, 'active', 3), cat(2, 'active', 1), cat(3, 'active', 2)]);
    expect(hotkeyMap(list).get(2)).toBe('1');
    expect(hotkeyMap(list).get(1)).toBe('3');
  });

  it('is empty for no categories', () => {
    expect(hotkeyMap([]).size).toBe(0);
  });
});

describe('moving rows', () => {
  const list = [cat(1), cat(2), cat(3), cat(4)];

  it('moveItem moves one element and leaves the input alone', () => {
    expect(moveItem([1, 2, 3, 4], 2, 0)).toEqual([3, 1, 2, 4]);
    expect(moveItem([1, 2, 3, 4], 0, 3)).toEqual([2, 3, 4, 1]);
    expect(moveItem([1, 2, 3], 5, 0)).toEqual([1, 2, 3]);
  });

  it('moveOnto puts the dragged row where the target was', () => {
    expect(ids(moveOnto(list, 3, 1))).toEqual([3, 1, 2, 4]);
    expect(ids(moveOnto(list, 1, 3))).toEqual([2, 3, 1, 4]);
    expect(moveOnto(list, 2, 2)).toBeNull();
    expect(moveOnto(list, 9, 2)).toBeNull();
    expect(ids(list)).toEqual([1, 2, 3, 4]);
  });

  it('moveByStep moves up and down and stops at the ends', () => {
    expect(ids(moveByStep(list, 3, -1))).toEqual([1, 3, 2, 4]);
    expect(ids(moveByStep(list, 3, 1))).toEqual([1, 2, 4, 3]);
    expect(moveByStep(list, 1, -1)).toBeNull();
    expect(moveByStep(list, 4, 1)).toBeNull();
  });

  it('moveByStep jumps over shown deleted rows and never moves a deleted row', () => {
    const withDeleted = [cat(1), cat(2, 'deleted'), cat(3)];
    expect(ids(moveByStep(withDeleted, 3, -1))).toEqual([3, 1, 2]);
    expect(moveByStep(withDeleted, 2, 1)).toBeNull();
    expect(moveByStep([cat(2, 'deleted'), cat(1)], 1, -1)).toBeNull();
    expect(moveOnto(withDeleted, 2, 1)).toBeNull();
  });
});

describe('orderPayload', () => {
  it('is the full permutation of non-deleted ids in shown order', () => {
    const shown = [cat(3), cat(4, 'deleted'), cat(1, 'disabled'), cat(2)];
    expect(orderPayload(shown)).toEqual([3, 1, 2]);
  });
});

describe('renumber and byDisplayOrder', () => {
  it('renumbers display_order from 1 and keeps ids', () => {
    const out = renumber([cat(3, 'active', 3), cat(1, 'active', 1)]);
    expect(out.map((c) => [c.id, c.display_order])).toEqual([
      [3, 1],
      [1, 2],
    ]);
  });

  it('sorts by display order then id', () => {
    expect(ids(byDisplayOrder([cat(2, 'active', 1), cat(1, 'active', 1), cat(3, 'active', 0)]))).toEqual([3, 1, 2]);
  });
});
