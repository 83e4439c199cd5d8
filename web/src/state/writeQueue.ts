// The offline write queue: every annotation change is stored (IndexedDB in
// the browser) before it is sent, sent in order, and removed only when the
// server has acknowledged it. A reload, a closed tab or a dropped connection
// therefore loses nothing: the next start replays what is left.
//
// Writes to the same asset collapse: only the latest one is kept, in memory
// and in storage, since it carries the whole change the labeler wants (built
// on the revision the older one was based on, so another person's change in
// between is still refused as stale). An older write is never sent after a
// newer one of its asset: a write's acknowledgement removes every stored
// write of the asset numbered up to its own, wherever a reload left them.
// DOM-free; the storage and the sender are passed in so the logic can be
// unit tested.
import type { AnnotationChange } from '../api/labeling';

export interface PendingWrite {
  assetId: number;
  projectId: number;
  change: AnnotationChange;
  /**
   * Orders the writes, also across reloads and tabs: the enqueue's clock
   * time in ms, bumped to stay increasing within a tab. (Rows stored before
   * it was a time were numbered from 1 per page: older than any new one.)
   */
  seq: number;
  queuedAt: number;
  /**
   * The changes of older writes of the asset that this one replaced after
   * they were sent, or may have been (in flight, the answer lost to a reload
   * or a network error; the last few): the server may already hold one.
   * Built on the same revision, so a stale refusal whose current annotation
   * is one of them is the labeler's own earlier write, not someone else's.
   */
  sentBefore?: AnnotationChange[];
}

export interface QueueStorage {
  load(): Promise<PendingWrite[]>;
  /** Stores w, replacing any write for the same asset. */
  save(w: PendingWrite): Promise<void>;
  /** Removes the write for assetId if it is the one with seq or an older one (never a newer one). */
  remove(assetId: number, seq: number): Promise<void>;
}

/** What happened to one send. 'retry': keep it and try again later. */
export type SendOutcome<R> = { kind: 'ok'; result: R } | { kind: 'rejected'; error: unknown } | { kind: 'retry'; error: unknown };

export type QueueStatus = 'saved' | 'saving' | 'offline';

/**
 * A synchronous write-ahead copy of writes whose asynchronous save has not
 * finished yet. A reload right after a keypress can abort an IndexedDB
 * transaction still in flight; a synchronous journal entry (localStorage)
 * is already there when the next page starts.
 */
export interface QueueJournal {
  put(w: PendingWrite): void;
  /** Removes the entry for assetId if it is the one with seq or an older one. */
  drop(assetId: number, seq: number): void;
  all(): PendingWrite[];
}

export interface WriteQueueOptions<R> {
  storage: QueueStorage;
  journal?: QueueJournal;
  send: (w: PendingWrite) => Promise<SendOutcome<R>>;
  onAck?: (w: PendingWrite, result: R, stillLatest: boolean) => void;
  onReject?: (w: PendingWrite, error: unknown) => void;
  onChange?: (status: QueueStatus, pending: number) => void;
  /** First retry delay in ms; doubles up to maxRetryMs. */
  retryMs?: number;
  maxRetryMs?: number;
  now?: () => number;
}

/** How many possibly landed older changes a write remembers. */
const SENT_KEPT = 4;

export class WriteQueue<R = unknown> {
  private readonly opts: WriteQueueOptions<R>;
  private readonly pending = new Map<number, PendingWrite>();
  private seq = 0;
  private flushing = false;
  /** Nothing is sent before what an earlier page left is loaded (it is older). */
  private started = false;
  private offline = false;
  private retryDelay: number;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private idleWaiters: (() => void)[] = [];
  private saves: Promise<void> = Promise.resolve();
  /** seq -> the promise of that write being stored. */
  private readonly stored = new Map<number, Promise<void>>();
  /** The seqs of writes that were sent or may have been (those an earlier page left). */
  private readonly maybeSent = new Set<number>();

  constructor(opts: WriteQueueOptions<R>) {
    this.opts = opts;
    this.retryDelay = opts.retryMs ?? 500;
  }

  /** Loads what an earlier page left behind and starts sending it (nothing is sent before). */
  async start(): Promise<void> {
    const stored = await this.opts.storage.load().catch(() => [] as PendingWrite[]);
    const left = [...stored, ...(this.opts.journal?.all() ?? [])];
    // Keep their numbers (storage removes by them); new writes go after.
    // Per asset the newest write wins, wherever it was found; one enqueued
    // here before the load finished is the newest whatever the clocks said
    // (it replaced the stored ones). The older ones left in storage go with
    // the winner's acknowledgement.
    for (const w of left) {
      this.seq = Math.max(this.seq, w.seq);
      const cur = this.pending.get(w.assetId);
      if (cur && !this.maybeSent.has(cur.seq)) continue; // enqueued here
      this.maybeSent.add(w.seq);
      if (!cur || cur.seq < w.seq) this.pending.set(w.assetId, w);
    }
    this.started = true;
    this.changed();
    this.kick();
  }

  get size(): number {
    return this.pending.size;
  }

  get status(): QueueStatus {
    if (this.offline) return 'offline';
    return this.pending.size ? 'saving' : 'saved';
  }

  /** The latest unacknowledged change of an asset, if any. */
  pendingFor(assetId: number): PendingWrite | undefined {
    return this.pending.get(assetId);
  }

  all(): PendingWrite[] {
    return [...this.pending.values()].sort((a, b) => a.seq - b.seq);
  }

  /**
   * Queues a change, replacing the pending write of the asset if there is
   * one (the caller builds it on that write's revision); resolves once it
   * is stored (not yet sent).
   */
  enqueue(projectId: number, assetId: number, change: AnnotationChange): Promise<void> {
    const now = (this.opts.now ?? Date.now)();
    this.seq = Math.max(this.seq + 1, now);
    // The write replaced (in flight, or sent before) may be on the server already.
    const older = this.pending.get(assetId);
    const sent = [...(older?.sentBefore ?? []), ...(older && this.maybeSent.has(older.seq) ? [older.change] : [])];
    const sentBefore = sent.slice(-SENT_KEPT);
    const w: PendingWrite = { assetId, projectId, change, seq: this.seq, queuedAt: now, ...(sentBefore.length ? { sentBefore } : {}) };
    this.pending.set(assetId, w);
    this.opts.journal?.put(w);
    this.changed();
    const saved = this.saves.then(() => this.opts.storage.save(w));
    void saved.then(() => this.opts.journal?.drop(assetId, w.seq), () => undefined);
    this.saves = saved.catch(() => undefined);
    this.stored.set(w.seq, this.saves);
    void this.saves.then(() => this.stored.delete(w.seq));
    void saved.then(
      () => this.kick(),
      () => this.kick(),
    );
    return saved;
  }

  /**
   * A write to assetId built on revision `from` was acknowledged at revision
   * `to`: a newer write of the same asset that was built on `from` too was
   * built on that acknowledged one, so it now expects `to` (otherwise it
   * would be refused as stale against the tab's own earlier write).
   */
  rebase(assetId: number, from: number | undefined, to: number): void {
    const w = this.pending.get(assetId);
    if (!w || from === undefined || w.change.revision !== from) return;
    this.replace({ ...w, change: { ...w.change, revision: to } });
  }

  /**
   * The answer to `sent` came; `newer` replaced it meanwhile. Acknowledged:
   * what the server holds is known, nothing older of the asset landed in
   * between. Refused: only `sent` is known not to be there.
   */
  private settle(sent: PendingWrite, newer: PendingWrite, ok: boolean): void {
    const left = ok ? [] : (newer.sentBefore ?? []).filter((c) => c !== sent.change);
    if (left.length === (newer.sentBefore?.length ?? 0)) return;
    const { sentBefore: _was, ...rest } = newer;
    void _was;
    this.replace(left.length ? { ...rest, sentBefore: left } : rest);
  }

  /** Puts w (a new form of the pending write of its asset, same seq) in memory and storage. */
  private replace(moved: PendingWrite): void {
    this.pending.set(moved.assetId, moved);
    this.opts.journal?.put(moved);
    this.saves = this.saves.then(() => this.opts.storage.save(moved)).catch(() => undefined);
  }

  /** Try now (e.g. the browser says it is online again). */
  retryNow(): void {
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    this.retryDelay = this.opts.retryMs ?? 500;
    this.kick();
  }

  /** Resolves when nothing is pending (or sending stopped on an error). */
  idle(): Promise<void> {
    if (!this.pending.size || (!this.flushing && this.retryTimer)) return Promise.resolve();
    return new Promise((res) => this.idleWaiters.push(res));
  }

  stop(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private changed(): void {
    this.opts.onChange?.(this.status, this.pending.size);
  }

  private wakeIdle(): void {
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }

  private kick(): void {
    if (!this.started || this.flushing || this.retryTimer) return;
    void this.flush();
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      for (;;) {
        const next = this.all()[0];
        if (!next) break;
        // Never send a write before it is stored: a crash right after the
        // send must still find it on disk if the answer was lost.
        await this.stored.get(next.seq);
        // Replaced meanwhile by a newer write of its asset: that one goes instead.
        if (this.pending.get(next.assetId)?.seq !== next.seq) continue;
        this.maybeSent.add(next.seq);
        const out = await this.opts.send(next);
        if (out.kind === 'retry') {
          this.offline = true;
          this.changed();
          this.retryTimer = setTimeout(() => {
            this.retryTimer = null;
            this.kick();
          }, this.retryDelay);
          this.retryDelay = Math.min(this.retryDelay * 2, this.opts.maxRetryMs ?? 5000);
          break;
        }
        this.offline = false;
        this.retryDelay = this.opts.retryMs ?? 500;
        const stillLatest = this.pending.get(next.assetId)?.seq === next.seq;
        if (stillLatest) this.pending.delete(next.assetId);
        this.maybeSent.delete(next.seq);
        // Not awaited: removal is by seq (this write's and older ones), so it
        // cannot drop a newer write.
        void this.saves.then(() => this.opts.storage.remove(next.assetId, next.seq)).catch(() => undefined);
        this.opts.journal?.drop(next.assetId, next.seq);
        const newer = stillLatest ? undefined : this.pending.get(next.assetId);
        if (newer) this.settle(next, newer, out.kind === 'ok');
        if (out.kind === 'ok') {
          const rev = (out.result as { revision?: unknown } | null)?.revision;
          if (!stillLatest && typeof rev === 'number') this.rebase(next.assetId, next.change.revision, rev);
          this.opts.onAck?.(next, out.result, stillLatest);
        } else this.opts.onReject?.(next, out.error);
        this.changed();
      }
    } finally {
      this.flushing = false;
      this.wakeIdle();
    }
  }
}

/** The journal in Web Storage (localStorage): one key per asset. */
export class WebStorageJournal implements QueueJournal {
  constructor(
    private readonly store: Storage,
    private readonly prefix = 'tessera-write:',
  ) {}

  put(w: PendingWrite): void {
    try {
      this.store.setItem(this.prefix + w.assetId, JSON.stringify(w));
    } catch {
      // Full or disabled: IndexedDB still gets the write.
    }
  }

  drop(assetId: number, seq: number): void {
    const cur = this.read(this.prefix + assetId);
    if (cur && cur.seq <= seq) this.store.removeItem(this.prefix + assetId);
  }

  all(): PendingWrite[] {
    const out: PendingWrite[] = [];
    for (let i = 0; i < this.store.length; i++) {
      const key = this.store.key(i);
      const w = key?.startsWith(this.prefix) ? this.read(key) : null;
      if (w) out.push(w);
    }
    return out;
  }

  private read(key: string): PendingWrite | null {
    try {
      const v = JSON.parse(this.store.getItem(key) ?? 'null') as PendingWrite | null;
      return v && typeof v.assetId === 'number' && typeof v.seq === 'number' ? v : null;
    } catch {
      return null;
    }
  }
}

/** In-memory storage (tests, and browsers without IndexedDB). */
export class MemoryStorage implements QueueStorage {
  readonly rows = new Map<number, PendingWrite>();
  load(): Promise<PendingWrite[]> {
    return Promise.resolve([...this.rows.values()]);
  }
  save(w: PendingWrite): Promise<void> {
    this.rows.set(w.assetId, w);
    return Promise.resolve();
  }
  remove(assetId: number, seq: number): Promise<void> {
    if ((this.rows.get(assetId)?.seq ?? Infinity) <= seq) this.rows.delete(assetId);
    return Promise.resolve();
  }
}

function req<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((res, rej) => {
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error ?? new Error('IndexedDB request failed'));
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((res, rej) => {
    tx.oncomplete = () => res();
    tx.onerror = () => rej(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => rej(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

/** IndexedDB storage: one row per asset in database `name`. */
export class IdbStorage implements QueueStorage {
  private db: Promise<IDBDatabase>;

  constructor(factory: IDBFactory, name = 'tessera-writes') {
    this.db = new Promise((res, rej) => {
      const open = factory.open(name, 1);
      open.onupgradeneeded = () => {
        open.result.createObjectStore('pending', { keyPath: 'assetId' });
      };
      open.onsuccess = () => res(open.result);
      open.onerror = () => rej(open.error ?? new Error('cannot open IndexedDB'));
    });
  }

  async load(): Promise<PendingWrite[]> {
    const db = await this.db;
    const tx = db.transaction('pending', 'readonly');
    return req(tx.objectStore('pending').getAll() as IDBRequest<PendingWrite[]>);
  }

  async save(w: PendingWrite): Promise<void> {
    const db = await this.db;
    // 'relaxed': handed to the OS before resolving (survives a closed tab
    // or a browser crash), without an fsync per keypress.
    const tx = db.transaction('pending', 'readwrite', { durability: 'relaxed' });
    tx.objectStore('pending').put(w);
    await done(tx);
  }

  async remove(assetId: number, seq: number): Promise<void> {
    const db = await this.db;
    const tx = db.transaction('pending', 'readwrite');
    const store = tx.objectStore('pending');
    const get = store.get(assetId);
    // Decide inside the request callback: the transaction is still active.
    get.onsuccess = () => {
      const cur = get.result as PendingWrite | undefined;
      if (cur && cur.seq <= seq) store.delete(assetId);
    };
    await done(tx);
  }

  async close(): Promise<void> {
    (await this.db).close();
  }
}
