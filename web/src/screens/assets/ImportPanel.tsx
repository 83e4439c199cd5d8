// Import existing labels (segmentation projects, managers): upload a zip of
// masks or a COCO annotations.json, follow the import job, read its report
// of refused entries, and undo it in one step.
import { useEffect, useRef, useState } from 'preact/hooks';
import { importFraction, importsApi, importSummary, uploadImport, type Import } from '../../api/imports';
import { formatBytes } from '../../lib/bytes';
import './imports.css';

const POLL_MS = 700;

function ImportRow({ im, onUndo }: { im: Import; onUndo: (im: Import) => void }) {
  const [open, setOpen] = useState(false);
  const frac = importFraction(im);
  const report = im.report ?? [];
  return (
    <li class={`im-row im-${im.state}`} data-state={im.state}>
      <div class="im-line">
        <span class="im-name" title={im.file_name}>
          {im.file_name}
        </span>
        <span
          class="up-bar"
          role="progressbar"
          aria-label={`Progress of the import of ${im.file_name}`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.round(frac * 100)}
        >
          <span style={{ width: `${Math.round(frac * 100)}%` }} />
        </span>
        <span class="im-text" data-testid="import-summary">
          {importSummary(im)}
        </span>
        {report.length > 0 && (
          <button type="button" class="btn btn-ghost btn-sm" aria-expanded={open} onClick={() => setOpen(!open)}>
            {open ? 'Hide report' : 'Report'}
          </button>
        )}
        {im.state === 'done' && (
          <button type="button" class="btn btn-sm" onClick={() => onUndo(im)}>
            Undo
          </button>
        )}
      </div>
      {open && (
        <ul class="im-report" aria-label="Refused entries">
          {report.map((r, i) => (
            <li key={i}>
              <span class="mono">{r.entry}</span> — {r.message}
            </li>
          ))}
          {im.refused > report.length && <li class="muted">… and {im.refused - report.length} more.</li>}
        </ul>
      )}
    </li>
  );
}

export function ImportPanel({ projectId }: { projectId: number }) {
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [sent, setSent] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [rows, setRows] = useState<Import[]>([]);

  const upsert = (im: Import) => setRows((prev) => [im, ...prev.filter((x) => x.id !== im.id)].slice(0, 5));

  useEffect(() => {
    let live = true;
    importsApi
      .list(projectId, 5)
      .then((list) => live && setRows(list))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [projectId]);

  // Follow the imports still queued or running (with their reports once done).
  useEffect(() => {
    const pending = rows.filter((r) => r.state === 'queued' || r.state === 'running' || (r.state === 'done' && !r.report));
    if (!pending.length) return;
    const t = setTimeout(() => {
      for (const r of pending) void importsApi.get(r.id).then(upsert, () => undefined);
    }, POLL_MS);
    return () => clearTimeout(t);
  }, [rows]);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!file) {
      setError('Choose a zip first.');
      return;
    }
    setError(null);
    setSent(0);
    const out = await uploadImport(projectId, file, setSent);
    setSent(null);
    if (!out.ok) {
      setError(out.message);
      return;
    }
    setFile(null);
    upsert(out.import);
  };

  const undo = async (im: Import) => {
    try {
      upsert(await importsApi.undo(im.id));
    } catch (err) {
      setError(err instanceof Error ? err.message : 'The import could not be undone.');
    }
  };

  return (
    <section class="im-panel" aria-label="Import labels">
      <form class="im-form" onSubmit={(e) => void submit(e)}>
        <span class="im-title">Import</span>
        <button type="button" class="btn btn-sm" onClick={() => input.current?.click()}>
          Choose zip…
        </button>
        <span class={`im-file${file ? '' : ' muted'}`} title={file?.name}>
          {file ? `${file.name} · ${formatBytes(file.size)}` : 'PNG masks, instance masks + CSV, or COCO annotations.json'}
        </span>
        <input
          ref={input}
          type="file"
          accept=".zip,application/zip"
          class="sr-only"
          tabIndex={-1}
          aria-label="Choose a zip of labels"
          onChange={(e) => {
            setFile(e.currentTarget.files?.[0] ?? null);
            setError(null);
            e.currentTarget.value = '';
          }}
        />
        <button type="submit" class="btn btn-primary btn-sm" disabled={!file || sent !== null}>
          {sent !== null ? `Sending ${formatBytes(sent)}…` : 'Import labels'}
        </button>
      </form>
      {error && (
        <p class="im-error" role="alert">
          {error}
        </p>
      )}
      {rows.length > 0 && (
        <ul class="im-list" aria-label="Imports">
          {rows.map((im) => (
            <ImportRow key={im.id} im={im} onUndo={(x) => void undo(x)} />
          ))}
        </ul>
      )}
    </section>
  );
}
