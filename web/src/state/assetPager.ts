// The asset grid's data: a keyset-paginated list loaded as a growing
// prefix. The grid asks for the index it needs (ensure); pages are
// fetched in order, larger ones when the needed index is far ahead, and a
// reset (new filter) drops whatever was in flight for the old one.
import { signal } from '@preact/signals';
import type { Asset, AssetCounts, AssetPage } from '../api/assets';

export type PageFetcher = (cursor: string | null, limit: number, signal: AbortSignal) => Promise<AssetPage>;

export interface AssetPagerOptions {
  pageSize?: number;
  maxPageSize?: number;
}

export function createAssetPager(initial: PageFetcher, opts: AssetPagerOptions = {}) {
  const pageSize = opts.pageSize ?? 200;
  const maxPageSize = opts.maxPageSize ?? 1000;
  const items = signal<Asset[]>([]);
  const counts = signal<AssetCounts | null>(null);
  const done = signal(false);
  const error = signal('');
  const loaded = signal(false); // the first page has arrived

  let fetchPage = initial;
  let cursor: string | null = null;
  let wanted = pageSize - 1;
  let running: Promise<void> | null = null;
  let controller = new AbortController();
  let generation = 0;

  async function run(gen: number): Promise<void> {
    while (gen === generation && !done.value && items.value.length <= wanted) {
      const gap = wanted + 1 - items.value.length;
      const limit = Math.min(maxPageSize, Math.max(pageSize, gap));
      let page: AssetPage;
      try {
        page = await fetchPage(cursor, limit, controller.signal);
      } catch (e) {
        if (gen === generation && !(e instanceof DOMException && e.name === 'AbortError')) {
          error.value = e instanceof Error ? e.message : String(e);
        }
        return;
      }
      if (gen !== generation) return;
      items.value = items.value.concat(page.assets);
      counts.value = page.counts;
      cursor = page.next_cursor;
      done.value = page.next_cursor === null;
      loaded.value = true;
      error.value = '';
    }
  }

  function kick(): void {
    if (running) return;
    const gen = generation;
    const p: Promise<void> = run(gen).finally(() => {
      if (running === p) running = null;
      // More was asked for while the last page was loading.
      if (gen === generation && !done.value && !error.value && items.value.length <= wanted) kick();
    });
    running = p;
  }

  return {
    items,
    counts,
    done,
    error,
    loaded,
    /** Makes sure items[index] gets loaded (if it exists). */
    ensure(index: number): void {
      if (index > wanted) wanted = index;
      if (!done.value && items.value.length <= wanted) kick();
    },
    /** Starts over (a new filter, or new assets arrived). */
    reset(next?: PageFetcher): void {
      generation += 1;
      controller.abort();
      controller = new AbortController();
      if (next) fetchPage = next;
      running = null;
      cursor = null;
      wanted = pageSize - 1;
      items.value = [];
      done.value = false;
      error.value = '';
      loaded.value = false;
      kick();
    },
    /** Loads the first page. */
    start(): void {
      kick();
    },
  };
}

export type AssetPager = ReturnType<typeof createAssetPager>;

/** How many tiles the grid shows: the filter's count until the list is fully loaded. */
export function gridCount(loadedCount: number, done: boolean, filterCount: number | undefined): number {
  if (done) return loadedCount;
  return Math.max(loadedCount, filterCount ?? 0);
}
