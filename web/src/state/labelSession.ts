// One labeling session: the queue of the current filter (a snapshot taken
// when it was opened, paged in as the labeler moves; opened from its start
// without a category, leased batch by batch so that labelers on one filter
// never get the same image), the position, the
// labels shown (server state with unacknowledged local changes on top), and
// the status counters. Writes go through the offline write queue.
import { computed, signal } from '@preact/signals';
import { assets, queueQuery, type Annotation, type Asset, type AssetFilter, type QueueMode } from '../api/assets';
import { ApiError, isRetryable } from '../api/errors';
import { labeling, type AnnotationChange, type Stats } from '../api/labeling';
import { addConflict, alreadyHolds, ownRevision, staleCurrent } from './conflicts';
import { moveCategories, moveCount, predict, type LocalAnnotation } from './labelLocal';
import { changeTo, createRecent, recordStep, takeRedo, takeUndo, type LabelStep } from './labelUndo';
import { IdbStorage, MemoryStorage, WebStorageJournal, WriteQueue, type PendingWrite, type QueueStatus, type SendOutcome } from './writeQueue';

export async function sendChange(assetId: number, change: AnnotationChange): Promise<SendOutcome<Annotation>> {
  try {
    return { kind: 'ok', result: await labeling.setAnnotation(assetId, change) };
  } catch (e) {
    return isRetryable(e) ? { kind: 'retry', error: e } : { kind: 'rejected', error: e };
  }
}

/** Sends a queued write; refused as stale only because the write it replaced
 * landed unacknowledged, it is sent again on top of that one. */
export async function sendWrite(w: PendingWrite, send = sendChange): Promise<SendOutcome<Annotation>> {
  const out = await send(w.assetId, w.change);
  const again = out.kind === 'rejected' ? ownRevision(w.change, w.sentBefore, out.error) : null;
  return again === null ? out : send(w.assetId, { ...w.change, revision: again });
}

export const saveStatus = signal<QueueStatus>('saved');
export const pendingWrites = signal(0);
/** Bumped whenever an acknowledgement or refusal arrives. */
export const ackTick = signal(0);

type Listener = (kind: 'ack' | 'reject', assetId: number, ann: Annotation | null, error: unknown) => void;
const listeners = new Set<Listener>();
let shared: WriteQueue<Annotation> | null = null;
/** The last revision the server acknowledged per asset (for writes to images no longer in a session's queue). */
const knownRevision = new Map<number, number>();

function acked(assetId: number, ann: Annotation, latest: boolean): void {
  knownRevision.set(assetId, ann.revision);
  for (const l of listeners) l('ack', assetId, latest ? ann : null, null);
  ackTick.value++;
}

/** The page's one write queue (started on first use). */
export function writeQueue(): WriteQueue<Annotation> {
  if (shared) return shared;
  const storage = typeof indexedDB !== 'undefined' ? new IdbStorage(indexedDB) : new MemoryStorage();
  const q = new WriteQueue<Annotation>({
    storage,
    journal: typeof localStorage !== 'undefined' ? new WebStorageJournal(localStorage) : undefined,
    send: (w) => sendWrite(w),
    onAck: (w, ann, latest) => acked(w.assetId, ann, latest),
    onReject: (w, err) => {
      const theirs = staleCurrent(err);
      if (theirs && alreadyHolds(theirs, w.change)) {
        acked(w.assetId, theirs, true);
        return;
      }
      if (theirs) {
        knownRevision.set(w.assetId, theirs.revision);
        const { revision: _sent, ...mine } = w.change;
        void _sent;
        addConflict({ projectId: w.projectId, assetId: w.assetId, mine: mine as AnnotationChange, theirs });
      }
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

/** How many images a leased batch adds. */
const LEASE_BATCH = 50;

/** One labeling session over the queue of a filter (and category), in the stores' idiom: signals and actions. */
export function createLabelSession(
  projectId: number,
  filter: AssetFilter,
  categoryId: number | null,
  mode: QueueMode = 'order',
  queue: WriteQueue<Annotation> = writeQueue(),
) {
  const items = signal<Asset[]>([]);
  const index = signal(0);
  const total = signal(0);
  const loading = signal(true);
  const error = signal('');
  const local = signal<ReadonlyMap<number, LocalAnnotation>>(new Map());
  const stats = signal<Stats | null>(null);
  const perCategory = signal<Record<number, number>>({});
  const current = computed(() => items.value[index.value] ?? null);
  let cursor: string | null = null;
  let loadingMore = false;
  let statsTimer: ReturnType<typeof setTimeout> | null = null;
  const recent = createRecent(projectId);

  const picks = queueQuery(mode);
  const page = (from: string | null) => assets.list(projectId, { status: filter, categoryId, cursor: from, limit: 500, ...picks });
  /** Told of every change the labeler makes here (not of undo and redo). */
  const applyListeners = new Set<(a: Asset, change: AnnotationChange) => void>();
  // A filter's queue without a category is leased batch by batch, so two
  // labelers on it never get the same image; the leases end on dispose.
  const leaseFilter = filter !== 'all' && categoryId === null ? filter : null;
  let leasing = false;
  let startedLeasing = false;

  /** The next leased batch: the images not in the session yet (none left: the end). */
  async function leaseMore(): Promise<void> {
    if (!leaseFilter) return;
    const have = new Set(items.value.map((a) => a.id));
    const got = await assets.lease(projectId, leaseFilter, Math.min(100, have.size + LEASE_BATCH), picks);
    const fresh = got.assets.filter((a) => !have.has(a.id));
    if (fresh.length === 0) {
      leasing = false; // the end: the queue shown stays as it is
      return;
    }
    items.value = [...items.value, ...fresh];
  }

  async function loadMore(): Promise<void> {
    if ((!cursor && !leasing) || loadingMore) return;
    loadingMore = true;
    try {
      if (leasing) {
        await leaseMore();
        return;
      }
      const next = await page(cursor);
      cursor = next.next_cursor;
      items.value = [...items.value, ...next.assets];
    } finally {
      loadingMore = false;
    }
  }

  async function refreshStats(): Promise<void> {
    const s = await labeling.stats(projectId);
    if (queue.size !== 0) return; // newer local changes: wait for them
    stats.value = s;
    const per: Record<number, number> = {};
    for (const c of s.per_category) per[c.category_id] = c.count;
    perCategory.value = per;
  }

  /** Re-reads the counters once the queue is drained (they then match the server). */
  function scheduleStats(): void {
    if (statsTimer) clearTimeout(statsTimer);
    statsTimer = setTimeout(() => {
      statsTimer = null;
      if (queue.size === 0) void refreshStats();
    }, 150);
  }

  /** Puts an annotation the server sent on its asset. */
  function setAnnotation(at: number, ann: Annotation): void {
    const list = items.value.slice();
    const cur = list[at];
    if (cur) list[at] = { ...cur, annotation: ann };
    items.value = list;
  }

  function onResult(kind: 'ack' | 'reject', assetId: number, ann: Annotation | null, err: unknown): void {
    const idx = items.value.findIndex((x) => x.id === assetId);
    if (kind === 'ack' && ann && idx >= 0) setAnnotation(idx, ann);
    if (ann || kind === 'reject') {
      const m = new Map(local.value);
      m.delete(assetId);
      local.value = m;
    }
    if (kind === 'reject' && idx >= 0) {
      const details = err instanceof ApiError ? (err.details['current'] as Annotation | undefined) : undefined;
      if (details) setAnnotation(idx, details);
    }
    scheduleStats();
  }

  const unsubscribe = onWriteResult(onResult);

  /** The annotation shown for an asset: local change, pending write, or server. */
  function effective(a: Asset): LocalAnnotation {
    const l = local.value.get(a.id);
    if (l) return l;
    const p = queue.pendingFor(a.id);
    if (p) return predict(a.annotation, p.change) ?? a.annotation;
    return a.annotation;
  }

  /** The revision a new write of asset a is built on: the one its pending write expects, else the one last read. */
  function baseRevision(a: Asset): number {
    return queue.pendingFor(a.id)?.change.revision ?? Math.max(knownRevision.get(a.id) ?? -1, a.annotation.revision);
  }

  /** Shows the change on asset a at once and queues it with the revision it is built on. */
  function applyTo(a: Asset, change: AnnotationChange, record: boolean): boolean {
    const before = effective(a);
    const after = predict(before, change);
    if (!after) return false;
    const m = new Map(local.value);
    m.set(a.id, after);
    local.value = m;
    const s = stats.value;
    if (s) stats.value = { ...s, counts: moveCount(s.counts, before.status, after.status) };
    perCategory.value = moveCategories(perCategory.value, before.category_ids, after.category_ids);
    // Writes of one asset collapse in the queue; a status that needs the
    // categories (labeled, needs review, approved) must not replace a category
    // write that has not reached the server yet, so it waits for it.
    const pending = queue.pendingFor(a.id)?.change;
    const needsLabel = 'status' in change && !['unlabeled', 'skipped'].includes(change.status);
    if (needsLabel && pending && 'category_ids' in pending) {
      void queue.idle().then(() => queue.enqueue(projectId, a.id, { ...change, revision: baseRevision(a) }));
    } else void queue.enqueue(projectId, a.id, { ...change, revision: baseRevision(a) });
    if (record) recordStep({ projectId, assetId: a.id, before, after });
    if (after.status !== 'unlabeled') recent.add({ id: a.id, file_name: a.file_name });
    return true;
  }

  /** Brings the image of a step to `target` (undo: its before, redo: its after), showing it when it is in this queue. */
  function replay(step: LabelStep, target: LocalAnnotation): boolean {
    const at = items.value.findIndex((x) => x.id === step.assetId);
    const a = items.value[at];
    if (a) {
      index.value = at;
      const change = changeTo(effective(a), target);
      return change ? applyTo(a, change, false) : false;
    }
    // Not in this queue (another filter): the write alone, on the last revision known.
    const change = changeTo(step.after === target ? step.before : step.after, target);
    const base = queue.pendingFor(step.assetId)?.change.revision ?? knownRevision.get(step.assetId);
    if (!change) return false;
    void queue.enqueue(step.projectId, step.assetId, base === undefined ? change : { ...change, revision: base });
    return true;
  }

  function go(delta: number): void {
    const n = items.value.length;
    const i = Math.min(Math.max(0, index.value + delta), Math.max(0, n - 1));
    index.value = i;
    if (n - i < 50) void loadMore();
  }

  return {
    projectId,
    filter,
    categoryId,
    mode,
    items,
    index,
    total,
    loading,
    error,
    local,
    stats,
    perCategory,
    current,
    effective,
    go,
    refreshStats,

    dispose(): void {
      unsubscribe();
      if (statsTimer) clearTimeout(statsTimer);
      if (leaseFilter && startedLeasing) void assets.releaseLeases(projectId).catch(() => undefined);
    },

    async open(startAssetId: number | null): Promise<void> {
      loading.value = true;
      try {
        const leased = leaseFilter !== null && startAssetId === null;
        const first = await (leased ? assets.list(projectId, { status: filter, limit: 1, ...picks }) : page(null));
        cursor = first.next_cursor;
        // The counts are of the status filters alone: a narrower queue shows how many it has loaded.
        total.value = mode === 'order' ? first.counts[filter] : 0;
        if (leased) {
          // The queue from its start: leased batches instead of the snapshot
          // (never shown in between, so the first image appears once).
          cursor = null;
          leasing = startedLeasing = true;
          await leaseMore();
        } else {
          items.value = first.assets;
        }
        if (startAssetId !== null) {
          let i = items.value.findIndex((a) => a.id === startAssetId);
          while (i < 0 && cursor) {
            await loadMore();
            i = items.value.findIndex((a) => a.id === startAssetId);
          }
          index.value = Math.max(0, i);
        }
        await refreshStats();
      } catch (e) {
        error.value = e instanceof Error ? e.message : String(e);
      } finally {
        loading.value = false;
      }
    },

    /** Applies a change to the current asset at once and queues it. */
    apply(change: AnnotationChange, advance: boolean): boolean {
      const a = current.value;
      if (!a || !applyTo(a, change, true)) return false;
      for (const l of applyListeners) l(a, change);
      if (advance) go(1);
      return true;
    },

    /** Calls l with every change the labeler applies (after it is queued); returns the unsubscribe. */
    onApply(l: (a: Asset, change: AnnotationChange) => void): () => void {
      applyListeners.add(l);
      return () => applyListeners.delete(l);
    },

    /** Undoes the last label change of this page (on whichever image it was). */
    undo(): boolean {
      const s = takeUndo();
      return s ? replay(s, s.before) : false;
    },

    redo(): boolean {
      const s = takeRedo();
      return s ? replay(s, s.after) : false;
    },

    /** The images labeled last in this project (newest first). */
    recent: recent.items,
  };
}

export type LabelSession = ReturnType<typeof createLabelSession>;
