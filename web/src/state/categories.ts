// The category editor's state: the list in display order and the actions on
// it. Reorders are optimistic: the list changes at once, the request goes out
// in order behind any earlier ones, and a failure rolls back to the last order
// the server confirmed. Every answer also goes to the project's category
// cache (projectCategories), which the other tabs read.
import { signal } from '@preact/signals';
import { categories as categoriesApi } from '../api/endpoints';
import { errorMessage } from '../api/errors';
import type { Category } from '../api/types';
import { byDisplayOrder, orderPayload, renumber, sameOrder } from './categoryOrder';
import { projectCategories, type ProjectCategories } from './projectCategories';

export type CategoriesApi = Pick<typeof categoriesApi, 'list' | 'create' | 'update' | 'remove' | 'reorder'>;

export interface CategoryStoreOptions {
  api?: CategoriesApi;
  onError?: (message: string) => void;
  /** Where the answers go for the other tabs; the project's cache by default. */
  shared?: Pick<ProjectCategories, 'merge'>;
}

export function createCategoryStore(projectId: number, opts: CategoryStoreOptions = {}) {
  const api = opts.api ?? categoriesApi;
  const onError = opts.onError ?? (() => undefined);
  const shared = opts.shared ?? projectCategories(projectId);

  const list = signal<Category[]>([]);
  const loading = signal(true);
  const loadError = signal('');
  const includeDeleted = signal(false);

  /** The last list the server confirmed; what a failed reorder returns to. */
  let confirmed: Category[] = [];
  /** Bumped on every rollback or reload so stale queued reorders are dropped. */
  let epoch = 0;
  let queue: Promise<unknown> = Promise.resolve();
  let pendingReorders = 0;

  function setBoth(next: Category[]): void {
    shared.merge(next);
    confirmed = next;
    list.value = next;
  }

  /** Replaces one category (by id) in both the shown and confirmed lists. */
  function patchOne(updated: Category): void {
    shared.merge([updated]);
    const swap = (arr: Category[]) => {
      if (updated.state === 'deleted' && !includeDeleted.value) return arr.filter((c) => c.id !== updated.id);
      return arr.map((c) => (c.id === updated.id ? { ...c, ...updated, display_order: c.display_order } : c));
    };
    confirmed = swap(confirmed);
    list.value = swap(list.value);
  }

  async function load(): Promise<void> {
    const myEpoch = ++epoch;
    loadError.value = '';
    try {
      const fetched = byDisplayOrder(await api.list(projectId, includeDeleted.value));
      if (myEpoch !== epoch) return;
      setBoth(fetched);
    } catch (e) {
      if (myEpoch !== epoch) return;
      loadError.value = errorMessage(e);
    } finally {
      if (myEpoch === epoch) loading.value = false;
    }
  }

  async function setIncludeDeleted(on: boolean): Promise<void> {
    includeDeleted.value = on;
    await queue;
    await load();
  }

  async function add(name: string): Promise<Category> {
    const created = await api.create(projectId, name);
    shared.merge([created]);
    const withIt = (arr: Category[]) => [...arr.filter((c) => c.id !== created.id), created];
    confirmed = withIt(confirmed);
    list.value = withIt(list.value);
    return created;
  }

  async function rename(id: number, name: string): Promise<void> {
    patchOne(await api.update(projectId, id, { name }));
  }

  async function setState(id: number, state: 'active' | 'disabled'): Promise<void> {
    patchOne(await api.update(projectId, id, { state }));
  }

  async function remove(id: number): Promise<void> {
    patchOne(await api.remove(projectId, id));
  }

  /**
   * Shows `next` at once and asks the server to store that order. Resolves
   * true when stored, false when rolled back (the error went to onError).
   */
  function reorder(next: Category[]): Promise<boolean> {
    if (sameOrder(next, list.value)) return Promise.resolve(true);
    const shown = renumber(next);
    list.value = shown;
    const order = orderPayload(shown);
    const myEpoch = epoch;
    pendingReorders++;
    const run = queue.then(async () => {
      if (myEpoch !== epoch) return false; // an earlier reorder failed: this one builds on it
      try {
        const saved = byDisplayOrder(await api.reorder(projectId, order));
        shared.merge(saved);
        if (myEpoch !== epoch) return false;
        if (includeDeleted.value) {
          // The answer may leave out deleted rows: keep them where they are shown.
          const byId = new Map(saved.map((c) => [c.id, c]));
          confirmed = shown.map((c) => byId.get(c.id) ?? c);
        } else {
          confirmed = saved;
        }
        if (pendingReorders === 1) list.value = confirmed;
        return true;
      } catch (e) {
        if (myEpoch !== epoch) return false;
        epoch++;
        list.value = confirmed;
        onError(`Could not save the new order: ${errorMessage(e)}`);
        return false;
      } finally {
        pendingReorders--;
      }
    });
    queue = run.catch(() => undefined);
    return run;
  }

  return {
    list,
    loading,
    loadError,
    includeDeleted,
    load,
    setIncludeDeleted,
    add,
    rename,
    setState,
    remove,
    reorder,
    /** Resolves when every queued reorder has finished. */
    settled: () => queue.then(() => undefined),
  };
}

export type CategoryStore = ReturnType<typeof createCategoryStore>;
