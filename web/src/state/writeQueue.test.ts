import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { IdbStorage, MemoryStorage, WebStorageJournal, WriteQueue, type PendingWrite, type QueueStorage, type SendOutcome } from './writeQueue';

type Send = (w: PendingWrite) => Promise<SendOutcome<number>>;

function queue<S extends QueueStorage = MemoryStorage>(storage: S = new MemoryStorage() as unknown as S, send: Send = () => Promise.resolve({ kind: 'ok', result: 1 })) {
  const acks: PendingWrite[] = [];
  const rejects: PendingWrite[] = [];
  const statuses: string[] = [];
  const q = new WriteQueue<number>({
    storage,
    send,
    retryMs: 5,
    maxRetryMs: 20,
    onAck: (w) => acks.push(w),
    onReject: (w) => rejects.push(w),
    onChange: (s) => statuses.push(s),
  });
  return { q, storage, acks, rejects, statuses };
}

const until = async (cond: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
};

describe('WriteQueue', () => {
  it('sends each write once, in order, and forgets it after the acknowledgement', async () => {
    const sent: number[] = [];
    const { q, storage, acks } = queue(new MemoryStorage(), (w) => {
      sent.push(w.assetId);
      return Promise.resolve({ kind: 'ok', result: 1 });
    });
    await q.start();
    await q.enqueue(1, 10, { category_ids: [1] });
    await q.enqueue(1, 11, { category_ids: [2] });
    await q.enqueue(1, 12, { status: 'skipped' });
    await until(() => acks.length === 3);
    expect(sent).toEqual([10, 11, 12]);
    expect(q.size).toBe(0);
    expect(q.status).toBe('saved');
    expect(storage.rows.size).toBe(0);
  });

  it('collapses writes to the same asset: only the latest is kept', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const sent: PendingWrite[] = [];
    const { q, acks } = queue(new MemoryStorage(), async (w) => {
      sent.push(w);
      await gate;
      return { kind: 'ok', result: 1 };
    });
    await q.start();
    await q.enqueue(1, 5, { category_ids: [1] }); // in flight
    await q.enqueue(1, 6, { category_ids: [1] });
    await q.enqueue(1, 6, { category_ids: [2] });
    await q.enqueue(1, 6, { category_ids: [3] });
    release();
    await until(() => acks.length === 2);
    expect(sent.map((w) => [w.assetId, w.change])).toEqual([
      [5, { category_ids: [1] }],
      [6, { category_ids: [3] }],
    ]);
  });

  it('goes offline on a network error, keeps the writes, and sends them when back', async () => {
    let online = false;
    const { q, acks, statuses } = queue(new MemoryStorage(), () =>
      Promise.resolve(online ? { kind: 'ok', result: 1 } : { kind: 'retry', error: new Error('offline') }),
    );
    await q.start();
    for (let i = 1; i <= 20; i++) await q.enqueue(1, i, { category_ids: [1] });
    await until(() => q.status === 'offline');
    expect(q.size).toBe(20);
    online = true;
    q.retryNow();
    await until(() => acks.length === 20);
    expect(q.status).toBe('saved');
    expect(statuses).toContain('offline');
    expect(statuses.at(-1)).toBe('saved');
  });

  it('drops a write the server refuses and reports it', async () => {
    const { q, rejects, acks } = queue(new MemoryStorage(), (w) =>
      Promise.resolve(w.assetId === 2 ? { kind: 'rejected', error: new Error('409') } : { kind: 'ok', result: 1 }),
    );
    await q.start();
    await q.enqueue(1, 1, { status: 'approved' });
    await q.enqueue(1, 2, { status: 'approved' });
    await q.enqueue(1, 3, { status: 'approved' });
    await until(() => acks.length + rejects.length === 3);
    expect(rejects.map((w) => w.assetId)).toEqual([2]);
    expect(q.size).toBe(0);
  });

  it('replays what an earlier page left in IndexedDB, after a "reload"', async () => {
    const name = `t-${Math.random()}`;
    // page 1: stores writes while the server is unreachable, then goes away
    const first = queue(new IdbStorage(indexedDB, name), () =>
      Promise.resolve({ kind: 'retry', error: new Error('down') }),
    );
    await first.q.start();
    await first.q.enqueue(7, 100, { category_ids: [4] });
    await first.q.enqueue(7, 101, { status: 'skipped' });
    await first.q.enqueue(7, 100, { category_ids: [5] });
    first.q.stop();
    // page 2: the same database, a working server
    const sent: PendingWrite[] = [];
    const second = queue(new IdbStorage(indexedDB, name), (w) => {
      sent.push(w);
      return Promise.resolve({ kind: 'ok', result: 1 });
    });
    await second.q.start();
    await until(() => second.acks.length === 2);
    expect(sent.map((w) => [w.projectId, w.assetId, w.change])).toEqual([
      [7, 101, { status: 'skipped' }],
      [7, 100, { category_ids: [5] }],
    ]);
    expect(await second.storage.load()).toEqual([]);
    // page 3 finds nothing left
    const third = queue(new IdbStorage(indexedDB, name));
    await third.q.start();
    expect(third.q.size).toBe(0);
  });

  it('keeps a write whose save never finished (a reload mid-save) through the journal', async () => {
    const journal = new WebStorageJournal(memoryWebStorage());
    // page 1: its storage never finishes a save, as when a reload aborts
    // the IndexedDB transaction in flight
    const stuck: QueueStorage = {
      load: () => Promise.resolve([]),
      save: () => new Promise<void>(() => undefined),
      remove: () => Promise.resolve(),
    };
    const first = new WriteQueue<number>({ storage: stuck, journal, send: () => Promise.resolve({ kind: 'ok', result: 1 }) });
    await first.start();
    void first.enqueue(3, 250, { category_ids: [2] });
    first.stop();
    // page 2: an empty store, but the journal has the write
    const sent: PendingWrite[] = [];
    const acks: PendingWrite[] = [];
    const second = new WriteQueue<number>({
      storage: new MemoryStorage(),
      journal,
      send: (w) => {
        sent.push(w);
        return Promise.resolve({ kind: 'ok', result: 1 });
      },
      onAck: (w) => acks.push(w),
    });
    await second.start();
    await until(() => acks.length === 1);
    expect(sent.map((w) => [w.assetId, w.change])).toEqual([[250, { category_ids: [2] }]]);
    expect(journal.all()).toEqual([]);
  });

  it('journal entries are dropped once saved, and a newer write wins over an older one', async () => {
    const journal = new WebStorageJournal(memoryWebStorage());
    const storage = new MemoryStorage();
    const q = new WriteQueue<number>({ storage, journal, send: () => Promise.resolve({ kind: 'retry', error: new Error('down') }), retryMs: 1000 });
    await q.start();
    await q.enqueue(1, 5, { category_ids: [1] });
    expect(journal.all()).toEqual([]);
    expect([...storage.rows.keys()]).toEqual([5]);
    q.stop();
    journal.put({ assetId: 5, projectId: 1, change: { status: 'skipped' }, seq: 0, queuedAt: 0 });
    const again = new WriteQueue<number>({ storage, journal, send: () => Promise.resolve({ kind: 'retry', error: new Error('down') }), retryMs: 1000 });
    await again.start();
    expect(again.pendingFor(5)?.change).toEqual({ category_ids: [1] });
    again.stop();
  });

  it('rebases a newer write of the same asset on the acknowledged revision, and only one built on the same base', async () => {
    const sent: (number | undefined)[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const q = new WriteQueue<{ revision: number }>({
      storage: new MemoryStorage(),
      send: async (w) => {
        sent.push(w.change.revision);
        if (sent.length === 1) await gate;
        return { kind: 'ok', result: { revision: (w.change.revision ?? 0) + 1 } };
      },
    });
    await q.start();
    await q.enqueue(1, 10, { category_ids: [1], revision: 4 });
    await until(() => sent.length === 1); // in flight
    await q.enqueue(1, 10, { category_ids: [2], revision: 4 });
    release();
    await q.idle();
    expect(sent).toEqual([4, 5]);
    // A write built on another revision is left as it is (the server judges it).
    const w = q.enqueue(1, 11, { category_ids: [2], revision: 2 });
    q.rebase(11, 1, 7);
    await w;
    await q.idle();
    expect(sent).toEqual([4, 5, 2]);
  });
});
/** A Storage (the localStorage interface) kept in memory. */
function memoryWebStorage(): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k: string) => m.get(k) ?? null,
    key: (i: number) => [...m.keys()][i] ?? null,
    removeItem: (k: string) => void m.delete(k),
    setItem: (k: string, v: string) => void m.set(k, String(v)),
  };
}
