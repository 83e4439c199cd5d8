// The upload panel's queue: one request per file, at most `concurrency` in
// flight, progress per file and for the whole batch, failed files kept
// with their reason and retried on demand. The network call is passed in
// (uploadFile in production), so this logic runs without a browser.
import { computed, signal } from '@preact/signals';
import type { UploadOutcome } from '../api/assets';

export type UploadStatus = 'queued' | 'uploading' | 'done' | 'duplicate' | 'failed';

export interface UploadItem {
  key: number;
  file: File;
  name: string;
  size: number;
  loaded: number;
  status: UploadStatus;
  code?: string;
  message?: string;
  /** A failure that may go away on a second try (network, server); a refused file stays refused. */
  retryable?: boolean;
  assetId?: number;
}

export type Uploader = (file: File, onProgress: (loaded: number) => void, signal: AbortSignal) => Promise<UploadOutcome>;

export interface UploadSummary {
  total: number;
  queued: number;
  uploading: number;
  done: number;
  duplicate: number;
  failed: number;
  bytesTotal: number;
  bytesDone: number;
  /** 0..1 over bytes of the files not failed; 1 when idle. */
  fraction: number;
  active: boolean;
}

export function summarize(items: readonly UploadItem[]): UploadSummary {
  const s: UploadSummary = {
    total: items.length, queued: 0, uploading: 0, done: 0, duplicate: 0, failed: 0,
    bytesTotal: 0, bytesDone: 0, fraction: 1, active: false,
  };
  for (const it of items) {
    s[it.status] += 1;
    if (it.status === 'failed') continue;
    s.bytesTotal += it.size;
    s.bytesDone += it.status === 'done' || it.status === 'duplicate' ? it.size : Math.min(it.loaded, it.size);
  }
  s.active = s.queued + s.uploading > 0;
  s.fraction = s.bytesTotal > 0 ? s.bytesDone / s.bytesTotal : 1;
  return s;
}

export interface UploadQueueOptions {
  concurrency?: number;
  /** Called after each file finishes (ok or not). */
  onFileDone?: (item: UploadItem) => void;
  /** Called when the queue runs empty. */
  onIdle?: () => void;
}

export function createUploadQueue(upload: Uploader, opts: UploadQueueOptions = {}) {
  const concurrency = opts.concurrency ?? 4;
  const items = signal<UploadItem[]>([]);
  const summary = computed(() => summarize(items.value));
  let nextKey = 1;
  let running = 0;
  let controller = new AbortController();

  function patch(key: number, change: Partial<UploadItem>): UploadItem | undefined {
    let updated: UploadItem | undefined;
    items.value = items.value.map((it) => {
      if (it.key !== key) return it;
      updated = { ...it, ...change };
      return updated;
    });
    return updated;
  }

  function pump(): void {
    while (running < concurrency) {
      const next = items.value.find((it) => it.status === 'queued');
      if (!next) break;
      running += 1;
      patch(next.key, { status: 'uploading', loaded: 0 });
      const signal = controller.signal;
      void upload(next.file, (loaded) => patch(next.key, { loaded }), signal).then((out) => {
        running -= 1;
        const done = out.ok
          ? patch(next.key, { status: out.duplicate ? 'duplicate' : 'done', loaded: next.size, assetId: out.asset.id })
          : patch(next.key, { status: 'failed', code: out.code, message: out.message, retryable: out.retryable });
        if (done) opts.onFileDone?.(done);
        pump();
        if (running === 0 && !items.value.some((it) => it.status === 'queued')) opts.onIdle?.();
      });
    }
  }

  return {
    items,
    summary,
    add(files: Iterable<File>): number {
      const added: UploadItem[] = [];
      for (const file of files) {
        added.push({ key: nextKey++, file, name: file.name, size: file.size, loaded: 0, status: 'queued' });
      }
      if (added.length) {
        items.value = [...items.value, ...added];
        pump();
      }
      return added.length;
    },
    /** Queues again the failures that may work on a second try. */
    retryFailed(): void {
      items.value = items.value.map((it) =>
        it.status === 'failed' && it.retryable
          ? { ...it, status: 'queued', loaded: 0, code: undefined, message: undefined, retryable: undefined }
          : it,
      );
      pump();
    },
    /** Drops finished files from the list (failed ones stay). */
    clearFinished(): void {
      items.value = items.value.filter((it) => it.status !== 'done' && it.status !== 'duplicate');
    },
    /** Stops everything in flight and forgets the queue. */
    cancel(): void {
      controller.abort();
      controller = new AbortController();
      items.value = items.value.filter((it) => it.status !== 'queued');
    },
  };
}

export type UploadQueue = ReturnType<typeof createUploadQueue>;
