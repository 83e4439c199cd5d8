import { beforeEach, describe, expect, it } from 'vitest';
import type { Category } from '../api/types';
import { createCategoryStore, type CategoriesApi } from './categories';
import { clearProjectCategories, projectCategories, type CategoryLister } from './projectCategories';

const cat = (id: number, display_order = id, state: Category['state'] = 'active'): Category => ({ id, name: `c${id}`, display_order, state });

function lister(rows: Category[]) {
  const calls: boolean[] = [];
  const api: CategoryLister = {
    list: async (_p, includeDeleted) => {
      calls.push(includeDeleted === true);
      return rows;
    },
  };
  return { api, calls };
}

describe('projectCategories', () => {
  beforeEach(() => clearProjectCategories());

  it('is one cache per project, fetched with the deleted ones, in display order', async () => {
    const { api, calls } = lister([cat(2, 1), cat(1, 2), cat(3, 3, 'deleted')]);
    const a = projectCategories(7, api);
    expect(projectCategories(7, api)).toBe(a);
    expect(projectCategories(8, api)).not.toBe(a);
    await Promise.all([a.refresh(), a.refresh()]);
    expect(calls).toEqual([true]);
    expect(a.list.value.map((c) => c.id)).toEqual([2, 1, 3]);
    expect(a.loaded.value).toBe(true);
  });

  it('takes the editor\'s answers, so the other tabs see a change without fetching', async () => {
    const { api, calls } = lister([cat(1), cat(2)]);
    const shared = projectCategories(7, api);
    await shared.refresh();
    const editorApi = { ...api, create: async () => cat(3), update: async () => ({ ...cat(1), name: 'renamed' }) } as unknown as CategoriesApi;
    const store = createCategoryStore(7, { api: editorApi });
    await store.add('c3');
    await store.rename(1, 'renamed');
    expect(shared.list.value.map((c) => [c.id, c.name])).toEqual([
      [1, 'renamed'],
      [2, 'c2'],
      [3, 'c3'],
    ]);
    expect(calls).toEqual([true]);
  });

  it('keeps a change made while a refresh was on its way', async () => {
    let answer: (rows: Category[]) => void = () => undefined;
    const api: CategoryLister = { list: () => new Promise((r) => (answer = r)) };
    const shared = projectCategories(9, api);
    const done = shared.refresh();
    shared.merge([{ ...cat(1), name: 'new' }]);
    answer([cat(1), cat(2)]);
    await done;
    expect(shared.list.value.map((c) => [c.id, c.name])).toEqual([
      [1, 'new'],
      [2, 'c2'],
    ]);
  });

  it('reports a failed refresh and keeps what it had', async () => {
    const shared = projectCategories(5, { list: async () => Promise.reject(new Error('down')) });
    shared.merge([cat(1)]);
    await shared.refresh();
    expect(shared.error.value).toBe('Down');
    expect(shared.list.value).toHaveLength(1);
  });
});
