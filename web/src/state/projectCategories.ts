// The project-level cache of categories: every category of a project
// (deleted ones included, so that an old label can still be named), shared
// by the screens that show them. A screen gets the cached list at once and
// refreshes it when it opens; the category editor writes its changes here,
// so the other tabs never wait for a list they already have.
import { signal, type Signal } from '@preact/signals';
import { categories as categoriesApi } from '../api/endpoints';
import { errorMessage } from '../api/errors';
import type { Category } from '../api/types';
import { byDisplayOrder } from './categoryOrder';

export type CategoryLister = Pick<typeof categoriesApi, 'list'>;

export interface ProjectCategories {
  /** In display order; empty until the first answer. */
  readonly list: Signal<Category[]>;
  /** Whether a list has arrived once. */
  readonly loaded: Signal<boolean>;
  /** Why the last refresh failed, or ''. */
  readonly error: Signal<string>;
  /** Fetches the list again (concurrent calls share one request). */
  refresh(): Promise<void>;
  /** Takes categories the server answered with (created, changed, reordered). */
  merge(changed: readonly Category[]): void;
}

/** How many projects are kept: the one open and a few visited before it. */
const KEEP = 4;
const cache = new Map<number, ProjectCategories>();

function create(projectId: number, api: CategoryLister): ProjectCategories {
  const list = signal<Category[]>([]);
  const loaded = signal(false);
  const error = signal('');
  let inflight: Promise<void> | null = null;
  /** Bumped by merge(), so that an answer older than a change does not undo it. */
  let generation = 0;

  function refresh(): Promise<void> {
    inflight ??= (async () => {
      const asked = generation;
      try {
        const fetched = await api.list(projectId, true);
        if (asked === generation) list.value = byDisplayOrder(fetched);
        else merge(fetched.filter((c) => !list.value.some((have) => have.id === c.id)));
        loaded.value = true;
        error.value = '';
      } catch (e) {
        error.value = errorMessage(e);
      } finally {
        inflight = null;
      }
    })();
    return inflight;
  }

  function merge(changed: readonly Category[]): void {
    if (!changed.length) return;
    generation++;
    const byId = new Map(list.value.map((c) => [c.id, c]));
    for (const c of changed) byId.set(c.id, { ...byId.get(c.id), ...c });
    list.value = byDisplayOrder([...byId.values()]);
  }

  return { list, loaded, error, refresh, merge };
}

/** The categories of a project, from the cache (made on first use). */
export function projectCategories(projectId: number, api: CategoryLister = categoriesApi): ProjectCategories {
  let entry = cache.get(projectId);
  if (entry) {
    cache.delete(projectId); // most recently used last
  } else {
    entry = create(projectId, api);
    for (const old of cache.keys()) {
      if (cache.size < KEEP) break;
      cache.delete(old);
    }
  }
  cache.set(projectId, entry);
  return entry;
}

/** Forgets every cached project (on sign-out, and between tests). */
export function clearProjectCategories(): void {
  cache.clear();
}
