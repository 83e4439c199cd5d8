import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { Annotation } from '../api/assets';
import { ApiError } from '../api/errors';
import type { AnnotationChange } from '../api/labeling';
import { sendWrite } from './labelSession';
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
/** One image on the server's annotation endpoint: its revision and the last
 * change written; a write on another revision is refused as stale with the
 * current annotation (409 stale_revision), as the API answers. */
function imageServer(revision: number) {
  const s = { revision, held: null as AnnotationChange | null, log: [] as AnnotationChange[] };
  const current = (assetId: number): Annotation => ({
    asset_id: assetId,
    status: s.held ? 'labeled' : 'unlabeled',
    category_ids: s.held && 'category_ids' in s.held ? s.held.category_ids : [],
    revision: s.revision,
    labeled_by: 'ann',
    updated_at: '2026-01-01T00:00:00Z',
  });
  const send = (assetId: number, change: AnnotationChange): Promise<SendOutcome<Annotation>> => {
    s.log.push(change);
    if (change.revision !== undefined && change.revision !== s.revision) {
      const error = new ApiError(409, 'stale_revision', 'Stale.', { current: current(assetId) });
      return Promise.resolve({ kind: 'rejected', error });
    }
    s.revision++;
    s.held = change;
    return Promise.resolve({ kind: 'ok', result: current(assetId) });
  };
  return { s, send };
}

describe('WriteQueue: one pending write per image', () => {
  it('a reload mid-save leaves the older write of an image stored beside the newer: only the newer is sent, and its acknowledgement removes both', async () => {
    const name = `t-${Math.random()}`;
    const journal = new WebStorageJournal(memoryWebStorage());
    const srv = imageServer(3);
    const idb = new IdbStorage(indexedDB, name);
    // page 1: the first save lands; the reload aborts every later one
    let saves = 0;
    const aborted: QueueStorage = {
      load: () => idb.load(),
      save: (w) => (saves++ === 0 ? idb.save(w) : new Promise<void>(() => undefined)),
      remove: () => new Promise<void>(() => undefined),
    };
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    let sending = 0;
    const first = new WriteQueue<Annotation>({
      storage: aborted,
      journal,
      send: async (w) => {
        sending++;
        await gate;
        return srv.send(w.assetId, w.change);
      },
    });
    await first.start();
    await first.enqueue(1, 9, { category_ids: [1], revision: 3 });
    await until(() => sending === 1); // in flight
    void first.enqueue(1, 9, { category_ids: [2], revision: 3 }); // in the journal only
    release();
    await until(() => first.pendingFor(9)?.change.revision === 4); // the first landed
    first.stop();
    expect((await idb.load()).map((w) => w.change)).toEqual([{ category_ids: [1], revision: 3 }]);

    // page 2: both are stored; the newer goes, the older is gone with it
    const acks: PendingWrite[] = [];
    const rejects: PendingWrite[] = [];
    const second = new WriteQueue<Annotation>({
      storage: new IdbStorage(indexedDB, name),
      journal,
      send: (w) => srv.send(w.assetId, w.change),
      onAck: (w) => acks.push(w),
      onReject: (w) => rejects.push(w),
    });
    await second.start();
    await until(() => acks.length === 1);
    expect(srv.s.log).toEqual([
      { category_ids: [1], revision: 3 },
      { category_ids: [2], revision: 4 },
    ]);
    const left = new IdbStorage(indexedDB, name);
    await sleep(50); // the removal is not awaited
    expect(await left.load()).toEqual([]);
    expect(journal.all()).toEqual([]);

    // page 3: nothing is replayed, so nothing is refused
    const third = new WriteQueue<Annotation>({ storage: left, journal, send: (w) => srv.send(w.assetId, w.change), onReject: (w) => rejects.push(w) });
    await third.start();
    await third.idle();
    expect(third.size).toBe(0);
    expect(srv.s.log).toHaveLength(2);
    expect(rejects).toEqual([]);
    expect(srv.s.held).toEqual({ category_ids: [2], revision: 4 });
  });

  it('a write queued while the older one of its image is in flight keeps its base revision and remembers it, in storage too', async () => {
    const storage = new MemoryStorage();
    const answers: ((o: SendOutcome<{ revision: number }>) => void)[] = [];
    const q = new WriteQueue<{ revision: number }>({ storage, send: () => new Promise((r) => answers.push(r)) });
    await q.start();
    await q.enqueue(1, 9, { category_ids: [1], revision: 3 });
    await until(() => answers.length === 1);
    await q.enqueue(1, 9, { category_ids: [2], revision: 3 });
    const queued = { change: { category_ids: [2], revision: 3 }, sentBefore: [{ category_ids: [1], revision: 3 }] };
    expect(q.pendingFor(9)).toMatchObject(queued);
    expect(storage.rows.get(9)).toMatchObject(queued);
    // A third write before the answer still remembers the one sent, not the one replaced unsent.
    await q.enqueue(1, 9, { category_ids: [3], revision: 3 });
    expect(storage.rows.get(9)).toMatchObject({ change: { category_ids: [3] }, sentBefore: [{ category_ids: [1] }] });
    // acknowledged: the newer one now expects the revision it made, and forgets it
    answers[0]?.({ kind: 'ok', result: { revision: 4 } });
    await until(() => answers.length === 2);
    expect(storage.rows.get(9)?.change).toEqual({ category_ids: [3], revision: 4 });
    expect(storage.rows.get(9)?.sentBefore).toBeUndefined();
    // refused: the server does not hold it, so the newer one forgets it too
    await q.enqueue(1, 9, { category_ids: [4], revision: 4 });
    expect(storage.rows.get(9)?.sentBefore).toEqual([{ category_ids: [3], revision: 4 }]);
    answers[1]?.({ kind: 'rejected', error: new Error('refused') });
    await until(() => answers.length === 3);
    expect(storage.rows.get(9)?.sentBefore).toBeUndefined();
    answers[2]?.({ kind: 'ok', result: { revision: 5 } });
    await q.idle();
    expect(storage.rows.size).toBe(0);
  });

  it('an in-flight write that landed without an answer (a reload): the newer one replayed goes on top of it, no conflict', async () => {
    const name = `t-${Math.random()}`;
    const srv = imageServer(3);
    // page 1: the first write reaches the server; the page goes before the answer
    const first = new WriteQueue<Annotation>({
      storage: new IdbStorage(indexedDB, name),
      send: (w) => {
        void srv.send(w.assetId, w.change);
        return new Promise(() => undefined);
      },
    });
    await first.start();
    await first.enqueue(1, 9, { category_ids: [1], revision: 3 });
    await until(() => srv.s.revision === 4);
    await first.enqueue(1, 9, { category_ids: [2], revision: 3 });
    first.stop();
    // page 2
    const acks: PendingWrite[] = [];
    const rejects: PendingWrite[] = [];
    const second = new WriteQueue<Annotation>({
      storage: new IdbStorage(indexedDB, name),
      send: (w) => sendWrite(w, srv.send),
      onAck: (w) => acks.push(w),
      onReject: (w) => rejects.push(w),
    });
    await second.start();
    await until(() => acks.length + rejects.length === 1);
    expect(rejects).toEqual([]);
    expect(srv.s.log).toEqual([
      { category_ids: [1], revision: 3 },
      { category_ids: [2], revision: 3 },
      { category_ids: [2], revision: 4 },
    ]);
    expect(srv.s.revision).toBe(5);
  });

  it('answers lost one after another (a flaky network, then a reload): the newest write remembers each one sent', async () => {
    const name = `t-${Math.random()}`;
    const srv = imageServer(3);
    // page 1: the first write lands, its answer is lost; the next one never gets there
    let tries = 0;
    const first = new WriteQueue<Annotation>({
      storage: new IdbStorage(indexedDB, name),
      send: (w) => {
        if (tries++ === 0) void srv.send(w.assetId, w.change);
        return Promise.resolve({ kind: 'retry', error: new Error('lost') });
      },
      retryMs: 5,
    });
    await first.start();
    await first.enqueue(1, 9, { category_ids: [1], revision: 3 });
    await until(() => tries === 1);
    await first.enqueue(1, 9, { category_ids: [2], revision: 3 });
    await until(() => tries === 2);
    await first.enqueue(1, 9, { category_ids: [3], revision: 3 });
    first.stop();
    expect(first.pendingFor(9)?.sentBefore).toEqual([
      { category_ids: [1], revision: 3 },
      { category_ids: [2], revision: 3 },
    ]);
    const rejects: PendingWrite[] = [];
    const second = new WriteQueue<Annotation>({
      storage: new IdbStorage(indexedDB, name),
      send: (w) => sendWrite(w, srv.send),
      onReject: (w) => rejects.push(w),
    });
    await second.start();
    await second.idle();
    expect(rejects).toEqual([]);
    expect(srv.s.held).toEqual({ category_ids: [3], revision: 4 });
  });

  it('another person changed the image meanwhile: the replayed write is still refused (a conflict)', async () => {
    const name = `t-${Math.random()}`;
    const srv = imageServer(3);
    // page 1: the first write never reaches the server; a newer one is queued
    const first = new WriteQueue<Annotation>({ storage: new IdbStorage(indexedDB, name), send: () => new Promise(() => undefined) });
    await first.start();
    await first.enqueue(1, 9, { category_ids: [1], revision: 3 });
    await until(() => first.status === 'saving');
    await first.enqueue(1, 9, { category_ids: [2], revision: 3 });
    first.stop();
    await srv.send(9, { category_ids: [7], revision: 3 }); // someone else
    const rejects: PendingWrite[] = [];
    const second = new WriteQueue<Annotation>({
      storage: new IdbStorage(indexedDB, name),
      send: (w) => sendWrite(w, srv.send),
      onReject: (w) => rejects.push(w),
    });
    await second.start();
    await until(() => rejects.length === 1);
    expect(rejects[0]?.change).toEqual({ category_ids: [2], revision: 3 });
    expect(srv.s.held).toEqual({ category_ids: [7], revision: 3 });
    expect(srv.s.log).toHaveLength(2); // not sent again
  });

  it('writes an older version stored (numbered from 1 per page) and writes queued before they are loaded: the newest of an image wins, the ones left go first', async () => {
    const storage = new MemoryStorage();
    await storage.save({ assetId: 20, projectId: 1, change: { category_ids: [1] }, seq: 2, queuedAt: 0 });
    await storage.save({ assetId: 21, projectId: 1, change: { category_ids: [1] }, seq: 3, queuedAt: 0 });
    // and one a page stored before the clock was set back
    await storage.save({ assetId: 22, projectId: 1, change: { category_ids: [1] }, seq: Date.now() + 3_600_000, queuedAt: 0 });
    const sent: [number, AnnotationChange][] = [];
    const { q, acks } = queue(storage, (w) => {
      sent.push([w.assetId, w.change]);
      return Promise.resolve({ kind: 'ok', result: 1 });
    });
    const early = [q.enqueue(1, 21, { category_ids: [2] }), q.enqueue(1, 22, { category_ids: [2] })]; // before the load
    const loaded = storage.load(); // what the load reads, as it raced the saves
    storage.load = () => loaded;
    await q.start();
    await Promise.all(early);
    await until(() => acks.length === 3);
    expect(sent).toEqual([
      [20, { category_ids: [1] }],
      [21, { category_ids: [2] }],
      [22, { category_ids: [2] }],
    ]);
    expect(storage.rows.size).toBe(0);
  });

  it("two tabs on one storage: a tab's acknowledgement removes its own write of an image, never the other tab's newer one", async () => {
    const storage = new MemoryStorage();
    const journal = new WebStorageJournal(memoryWebStorage());
    let online = false;
    const send = (): Promise<SendOutcome<number>> => Promise.resolve(online ? { kind: 'ok', result: 1 } : { kind: 'retry', error: new Error('down') });
    let clock = 1_000;
    const tab = () => new WriteQueue<number>({ storage, journal, send, now: () => clock, retryMs: 1000 });
    const one = tab();
    const two = tab();
    await one.start();
    await two.start();
    await one.enqueue(1, 30, { category_ids: [1] });
    clock = 2_000;
    await two.enqueue(1, 30, { category_ids: [2] });
    await until(() => two.status === 'offline');
    two.stop(); // closed before it could send
    online = true;
    one.retryNow();
    await one.idle();
    await sleep(20); // the removal is not awaited
    expect(storage.rows.get(30)?.change).toEqual({ category_ids: [2] });
    // the next page replays the newer one
    const sent: PendingWrite[] = [];
    const three = new WriteQueue<number>({ storage, journal, send: (w) => (sent.push(w), send()), now: () => clock });
    await three.start();
    await three.idle();
    expect(sent.map((w) => w.change)).toEqual([{ category_ids: [2] }]);
    expect(storage.rows.size).toBe(0);
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
