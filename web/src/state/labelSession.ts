// One labeling session: the queue of the current filter (a snapshot taken
// when it was opened, paged in as the labeler moves), the position, the
// labels shown (server state with unacknowledged local changes on top), and
// the status counters. Writes go through the offline write queue.
import { computed, signal } from '@preact/signals';
import { assets, type Asset, type AssetFilter } from '../api/assets';
import { ApiError, isRetryable } from '../api/errors';
import { labeling, type Annotation, type AnnotationChange, type Stats } from '../api/labeling';
import { moveCategories, moveCount, predict, type LocalAnnotation } from './labelLocal';
import { IdbStorage, MemoryStorage, WebStorageJournal, WriteQueue, type QueueStatus, type SendOutcome } from './writeQueue';

export async function sendChange(assetId: number, change: AnnotationChange): Promise<SendOutcome<Annotation>> {
  try {
    return { kind: 'ok', result: await labeling.setAnnotation(assetId, change) };
  } catch (e) {
    return isRetryable(e) ? { kind: 'retry', error: e } : { kind: 'rejected', error: e };
  }
}

export const saveStatus = signal<QueueStatus>('saved');
export const pendingWrites = signal(0);
/** Bumped whenever an acknowledgement or refusal arrives. */
export const ackTick = signal(0);

type Listener = (kind: 'ack' | 'reject', assetId: number, ann: Annotation | null, error: unknown) => void;
const listeners = new Set<Listener>();
let shared: WriteQueue<Annotation> | null = null;

/** The page's one write queue (started on first use). */
export function writeQueue(): WriteQueue<Annotation> {
  if (shared) return shared;
  const storage = typeof indexedDB !== 'undefined' ? new IdbStorage(indexedDB) : new MemoryStorage();
  const q = new WriteQueue<Annotation>({
    storage,
    journal: typeof localStorage !== 'undefined' ? new WebStorageJournal(localStorage) : undefined,
    send: (w) => sendChange(w.assetId, w.change),
    onAck: (w, ann, latest) => {
      for (const l of listeners) l('ack', w.assetId, latest ? ann : null, null);
      ackTick.value++;
    },
    onReject: (w, err) => {
      for (const l of listeners) l('reject', w.assetId, null, err);
      ackTick.value++;
    },
    onChange: (status, n) => {
      saveStatus.value = status;
      pendingWrites.value = n;
    },
  });
  shared = q;
  void q.start();
  if (typeof window !== 'undefined') window.addEventListener('online', () => q.retryNow());
  return q;
}

export function onWriteResult(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export class LabelSession {
  readonly items = signal<Asset[]>([]);
  readonly index = signal(0);
  readonly total = signal(0);
  readonly loading = signal(true);
  readonly error = signal('');
  readonly local = signal<ReadonlyMap<number, LocalAnnotation>>(new Map());
  readonly stats = signal<Stats | null>(null);
  readonly perCategory = signal<Record<number, number>>({});
  private cursor: string | null = null;
  private loadingMore = false;
  private statsTimer: ReturnType<typeof setTimeout> | null = null;
  private unsubscribe: () => void;

  readonly current = computed(() => this.items.value[this.index.value] ?? null);

  constructor(
    readonly projectId: number,
    readonly filter: AssetFilter,
    readonly categoryId: number | null,
    private readonly queue: WriteQueue<Annotation> = writeQueue(),
  ) {
    this.unsubscribe = onWriteResult((kind, assetId, ann, err) => this.onResult(kind, assetId, ann, err));
  }

  dispose(): void {
    this.unsubscribe();
    if (this.statsTimer) clearTimeout(this.statsTimer);
  }

  async open(startAssetId: number | null): Promise<void> {
    this.loading.value = true;
    try {
      const page = await assets.list(this.projectId, { status: this.filter, categoryId: this.categoryId, limit: 500 });
      this.cursor = page.next_cursor;
      this.total.value = page.counts[this.filter];
      this.items.value = page.assets;
      if (startAssetId !== null) {
        let i = this.items.value.findIndex((a) => a.id === startAssetId);
        while (i < 0 && this.cursor) {
          await this.loadMore();
          i = this.items.value.findIndex((a) => a.id === startAssetId);
        }
        this.index.value = Math.max(0, i);
      }
      await this.refreshStats();
    } catch (e) {
      this.error.value = e instanceof Error ? e.message : String(e);
    } finally {
      this.loading.value = false;
    }
  }

  private async loadMore(): Promise<void> {
    if (!this.cursor || this.loadingMore) return;
    this.loadingMore = true;
    try {
      const page = await assets.list(this.projectId, { status: this.filter, categoryId: this.categoryId, cursor: this.cursor, limit: 500 });
      this.cursor = page.next_cursor;
      this.items.value = [...this.items.value, ...page.assets];
    } finally {
      this.loadingMore = false;
    }
  }

  /** The annotation shown for an asset: local change, pending write, or server. */
  effective(a: Asset): LocalAnnotation {
    const l = this.local.value.get(a.id);
    if (l) return l;
    const p = this.queue.pendingFor(a.id);
    if (p) return predict(a.annotation, p.change) ?? a.annotation;
    return a.annotation;
  }

  go(delta: number): void {
    const n = this.items.value.length;
    const i = Math.min(Math.max(0, this.index.value + delta), Math.max(0, n - 1));
    this.index.value = i;
    if (n - i < 50) void this.loadMore();
  }

  /** Applies a change to the current asset at once and queues it. */
  apply(change: AnnotationChange, advance: boolean): boolean {
    const a = this.current.value;
    if (!a) return false;
    const before = this.effective(a);
    const after = predict(before, change);
    if (!after) return false;
    const m = new Map(this.local.value);
    m.set(a.id, after);
    this.local.value = m;
    const s = this.stats.value;
    if (s) this.stats.value = { ...s, counts: moveCount(s.counts, before.status, after.status) };
    this.perCategory.value = moveCategories(this.perCategory.value, before.category_ids, after.category_ids);
    void this.queue.enqueue(this.projectId, a.id, change);
    if (advance) this.go(1);
    return true;
  }

  private onResult(kind: 'ack' | 'reject', assetId: number, ann: Annotation | null, err: unknown): void {
    const idx = this.items.value.findIndex((x) => x.id === assetId);
    if (kind === 'ack' && ann && idx >= 0) {
      const items = this.items.value.slice();
      const cur = items[idx];
      if (cur) items[idx] = { ...cur, annotation: ann };
      this.items.value = items;
    }
    if (ann || kind === 'reject') {
      const m = new Map(this.local.value);
      m.delete(assetId);
      this.local.value = m;
    }
    if (kind === 'reject' && idx >= 0) {
      const details = err instanceof ApiError ? (err.details['current'] as Annotation | undefined) : undefined;
      if (details) {
        const items = this.items.value.slice();
        const cur = items[idx];
        if (cur) items[idx] = { ...cur, annotation: details };
        this.items.value = items;
      }
    }
    this.scheduleStats();
  }

  /** Re-reads the counters once the queue is drained (they then match the server). */
  private scheduleStats(): void {
    if (this.statsTimer) clearTimeout(this.statsTimer);
    this.statsTimer = setTimeout(() => {
      this.statsTimer = null;
      if (this.queue.size === 0) void this.refreshStats();
    }, 150);
  }

  async refreshStats(): Promise<void> {
    const s = await labeling.stats(this.projectId);
    if (this.queue.size !== 0) return; // newer local changes: wait for them
    this.stats.value = s;
    const per: Record<number, number> = {};
    for (const c of s.per_category) per[c.category_id] = c.count;
    this.perCategory.value = per;
  }
}
