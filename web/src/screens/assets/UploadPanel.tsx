// Drag and drop or pick files (or a folder); four uploads in flight; a bar
// for the batch and one per file; failed files listed with their reason
// and a retry.
import { useRef, useState } from 'preact/hooks';
import { formatBytes } from '../../lib/bytes';
import type { UploadItem, UploadQueue } from '../../state/uploadQueue';
import { filesFromDrop, filesFromInput } from './dropFiles';

const STATUS_TEXT: Record<UploadItem['status'], string> = {
  queued: 'Waiting',
  uploading: 'Uploading',
  done: 'Added',
  duplicate: 'Already here',
  failed: 'Failed',
};

function FileRow({ item }: { item: UploadItem }) {
  const pct = item.size > 0 ? Math.round((Math.min(item.loaded, item.size) / item.size) * 100) : 100;
  return (
    <li class={`up-row up-${item.status}`} data-status={item.status}>
      <span class="up-name" title={item.name}>
        {item.name}
      </span>
      <span class="up-size mono">{formatBytes(item.size)}</span>
      {item.status === 'failed' ? (
        <span class="up-reason" title={item.code}>
          {item.message}
        </span>
      ) : (
        <span class="up-bar" aria-hidden="true">
          <span style={{ width: `${item.status === 'queued' ? 0 : pct}%` }} />
        </span>
      )}
      <span class="up-state">{STATUS_TEXT[item.status]}</span>
    </li>
  );
}

export function UploadPanel({ queue }: { queue: UploadQueue }) {
  const [over, setOver] = useState(false);
  const files = useRef<HTMLInputElement>(null);
  const folder = useRef<HTMLInputElement>(null);
  const items = queue.items.value;
  const s = queue.summary.value;
  const failed = items.filter((it) => it.status === 'failed');
  const retryable = failed.filter((it) => it.retryable);
  const pending = items.filter((it) => it.status !== 'failed');
  // Keep the DOM small for big batches: in-flight first, then the most recent.
  const shown = [
    ...pending.filter((it) => it.status === 'uploading'),
    ...pending.filter((it) => it.status !== 'uploading').slice(-200),
  ];

  const onDrop = async (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    if (e.dataTransfer) queue.add(await filesFromDrop(e.dataTransfer));
  };

  // The same input can pick the same files again once it is emptied.
  const onPicked = (e: { currentTarget: HTMLInputElement }) => {
    const input = e.currentTarget;
    queue.add(filesFromInput(input.files));
    input.value = '';
  };

  return (
    <section class="up-panel" aria-label="Upload images">
      <div
        class={`up-drop${over ? ' up-over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        data-testid="drop-zone"
      >
        <div class="up-drop-text">
          <strong>Drop images or folders here</strong>
          <span class="muted">JPEG, PNG, WebP, GIF, TIFF, HEIF · each file is checked on its own</span>
        </div>
        <div class="up-actions">
          <button type="button" class="btn btn-primary btn-sm" onClick={() => files.current?.click()}>
            Choose files…
          </button>
          <button type="button" class="btn btn-sm" onClick={() => folder.current?.click()}>
            Choose folder…
          </button>
        </div>
        <input
          ref={files}
          type="file"
          multiple
          accept="image/*"
          class="sr-only"
          tabIndex={-1}
          aria-label="Choose image files"
          onChange={onPicked}
        />
        <input
          ref={(el) => {
            folder.current = el;
            el?.setAttribute('webkitdirectory', '');
          }}
          type="file"
          multiple
          class="sr-only"
          tabIndex={-1}
          aria-label="Choose a folder"
          onChange={onPicked}
        />
      </div>

      {s.total > 0 && (
        <div class="up-batch">
          <div class="up-batch-head">
            <span data-testid="upload-summary">
              {s.active ? 'Uploading' : s.failed > 0 ? 'Finished with failures' : 'Finished'} · {s.done} added
              {s.duplicate > 0 && ` · ${s.duplicate} already here`}
              {s.failed > 0 && ` · ${s.failed} failed`}
              {s.active && ` · ${s.queued + s.uploading} to go`}
            </span>
            {s.bytesTotal > 0 && (
              <span class="muted mono">
                {formatBytes(s.bytesDone)} / {formatBytes(s.bytesTotal)}
              </span>
            )}
            <span class="up-batch-actions">
              {retryable.length > 0 && !s.active && (
                <button type="button" class="btn btn-sm" onClick={() => queue.retryFailed()}>
                  Retry {retryable.length} failed
                </button>
              )}
              {s.active ? (
                <button type="button" class="btn btn-ghost btn-sm" onClick={() => queue.cancel()}>
                  Cancel
                </button>
              ) : (
                <button type="button" class="btn btn-ghost btn-sm" onClick={() => queue.clearFinished()}>
                  Clear
                </button>
              )}
            </span>
          </div>
          <div
            class={`up-bar up-bar-batch${s.active ? '' : s.failed > 0 ? ' up-bar-failed' : ' up-bar-ok'}`}
            role="progressbar"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(s.fraction * 100)}
          >
            <span style={{ width: `${Math.round(s.fraction * 100)}%` }} />
          </div>
          {failed.length > 0 && (
            <ul class="up-list up-failed" aria-label="Failed files" data-testid="upload-errors">
              {failed.map((it) => (
                <FileRow key={it.key} item={it} />
              ))}
            </ul>
          )}
          {shown.length > 0 && (
            <ul class="up-list" aria-label="Files">
              {shown.map((it) => (
                <FileRow key={it.key} item={it} />
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
