import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors';
import type { Category } from '../api/types';
import { createCategoryStore, type CategoriesApi } from './categories';

function cat(id: number, display_order = id, state: Category['state'] = 'active'): Category {
  return { id, name: `c${id}`, display_order, state };
}

/** An in-memory stand-in for the categories endpoints. */
function fakeApi(initial: Category[]) {
  let rows = initial.map((c) => ({ ...c }));
  const calls: number[][] = [];
  let failNext: ApiError | null = null;
  const api: CategoriesApi = {
    list: async (_p, includeDeleted) => rows.filter((c) => includeDeleted || c.state !== 'deleted'),
    create: async (_p, name) => {
      const c = cat(rows.length + 1, rows.length + 1);
      c.name = name;
      rows.push(c);
      return c;
    },
    update: async (_p, id, patch) => {
      rows = rows.map((c) => (c.id === id ? { ...c, ...patch } : c));
      return rows.find((c) => c.id === id) as Category;
    },
    remove: async (_p, id) => {
      rows = rows.map((c) => (c.id === id ? { ...c, state: 'deleted' } : c));
      return rows.find((c) => c.id === id) as Category;
    },
    reorder: async (_p, order) => {
      calls.push(order);
      if (failNext) {
        const e = failNext;
        failNext = null;
        throw e;
      }
      rows = rows.map((c) => ({ ...c, display_order: order.indexOf(c.id) + 1 }));
      return rows.filter((c) => c.state !== 'deleted').sort((a, b) => a.display_order - b.display_order);
    },
  };
  return { api, calls, failOnce: (e: ApiError) => (failNext = e) };
}

const ids = (l: Category[]) => l.map((c) => c.id);

describe('category store', () => {
  it('loads in display order', async () => {
    const f = fakeApi([cat(1, 3), cat(2, 1), cat(3, 2)]);
    const s = createCategoryStore(1, { api: f.api });
    await s.load();
    expect(ids(s.list.value)).toEqual([2, 3, 1]);
    expect(s.loading.value).toBe(false);
  });

  it('reorders optimistically and sends the full permutation', async () => {
    const f = fakeApi([cat(1), cat(2), cat(3)]);
    const s = createCategoryStore(1, { api: f.api });
    await s.load();
    const done = s.reorder([s.list.value[2], s.list.value[0], s.list.value[1]] as Category[]);
    expect(ids(s.list.value)).toEqual([3, 1, 2]); // before the server answered
    await expect(done).resolves.toBe(true);
    expect(f.calls).toEqual([[3, 1, 2]]);
    expect(ids(s.list.value)).toEqual([3, 1, 2]);
  });

  it('rolls back to the confirmed order and reports the server message on failure', async () => {
    const f = fakeApi([cat(1), cat(2), cat(3)]);
    const errors: string[] = [];
    const s = createCategoryStore(1, { api: f.api, onError: (m) => errors.push(m) });
    await s.load();
    f.failOnce(new ApiError(400, 'invalid_order', 'The order must list every category once.'));
    const first = s.reorder([cat(2), cat(1), cat(3)]);
    const second = s.reorder([cat(2), cat(3), cat(1)]); // queued behind the failing one
    expect(ids(s.list.value)).toEqual([2, 3, 1]);
    await expect(first).resolves.toBe(false);
    await expect(second).resolves.toBe(false);
    expect(ids(s.list.value)).toEqual([1, 2, 3]);
    expect(errors).toEqual(['Could not save the new order: The order must list every category once.']);
    expect(f.calls).toHaveLength(1);
  });

  it('sends queued reorders one after another, in order', async () => {
    const f = fakeApi([cat(1), cat(2), cat(3)]);
    const s = createCategoryStore(1, { api: f.api });
    await s.load();
    void s.reorder([cat(2), cat(1), cat(3)]);
    void s.reorder([cat(2), cat(3), cat(1)]);
    await s.settled();
    expect(f.calls).toEqual([
      [2, 1, 3],
      [2, 3, 1],
    ]);
    expect(ids(s.list.value)).toEqual([2, 3, 1]);
  });

  it('leaves shown deleted rows out of the order it sends', async () => {
    const f = fakeApi([cat(1), cat(2, 2, 'deleted'), cat(3, 3)]);
    const s = createCategoryStore(1, { api: f.api });
    await s.setIncludeDeleted(true);
    expect(ids(s.list.value)).toEqual([1, 2, 3]);
    await s.reorder([cat(3), cat(1), cat(2, 2, 'deleted')]);
    expect(f.calls).toEqual([[3, 1]]);
    expect(ids(s.list.value)).toEqual([3, 1, 2]);
  });

  it('adds, renames, disables and deletes in place', async () => {
    const f = fakeApi([cat(1), cat(2)]);
    const s = createCategoryStore(1, { api: f.api });
    await s.load();
    await s.add('bird');
    expect(s.list.value.map((c) => c.name)).toEqual(['c1', 'c2', 'bird']);
    await s.rename(1, 'cat');
    await s.setState(2, 'disabled');
    expect(s.list.value.map((c) => [c.id, c.name, c.state])).toEqual([
      [1, 'cat', 'active'],
      [2, 'c2', 'disabled'],
      [3, 'bird', 'active'],
    ]);
    await s.remove(1);
    expect(ids(s.list.value)).toEqual([2, 3]);
  });
});
