import type { ExportVersion } from '../../api/exports';
import { formatDateTime } from '../../lib/format';
import { formatBytes } from '../../lib/bytes';
import { STATUS_LABELS, identicalNote, progressPercent, shortHash, splitSummary } from '../../state/exports';
import { showError, showToast } from '../../state/toasts';

async function copy(text: string) {
  try {
    await navigator.clipboard.writeText(text);
    showToast('Hash copied.');
  } catch {
    showError('Could not copy: the browser refused access to the clipboard.');
  }
}

function StateCell({ ex }: { ex: ExportVersion }) {
  if (ex.state === 'queued' || ex.state === 'building') {
    const pct = progressPercent(ex);
    return (
      <div class="export-progress">
        <span class="badge badge-accent">{ex.state}</span>
        <div class="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-label={`Version ${ex.version} build progress`}>
          <div class="progress-bar" style={{ width: `${pct}%` }} />
        </div>
        <span class="muted small mono">{pct}%</span>
      </div>
    );
  }
  if (ex.state === 'failed') {
    return (
      <span class="badge badge-deleted" title={ex.error ?? ''}>
        failed
      </span>
    );
  }
  return <span class="badge badge-active">ready</span>;
}

export function ExportRow({ version: ex, onDelete }: { version: ExportVersion; onDelete?: (ex: ExportVersion) => void }) {
  const note = identicalNote(ex);
  const excluded = ex.counts.excluded.deleted_category;
  return (
    <tr class="export-row" data-version={ex.version}>
      <td class="col-version">
        <strong>v{ex.version}</strong>
      </td>
      <td class="col-xstate">
        <StateCell ex={ex} />
        {ex.state === 'failed' && ex.error && <div class="small export-error">{ex.error}</div>}
      </td>
      <td class="col-num mono">
        {ex.counts.images.toLocaleString('en-US')}
        {excluded > 0 && (
          <div class="small muted" title="Labels on deleted categories are left out">
            −{excluded.toLocaleString('en-US')} excluded
          </div>
        )}
      </td>
      <td class="col-selection small">
        {ex.selection.statuses.map((s) => STATUS_LABELS[s] ?? s).join(', ')}
        {ex.selection.layout === 'imagefolder' && (
          <div class="muted" data-testid="export-layout">
            ImageFolder layout
          </div>
        )}
        {ex.selection.split && (
          <div class="muted export-split" data-testid="export-split">
            {splitSummary(ex.selection.split)}
          </div>
        )}
      </td>
      <td class="col-hash">
        {ex.hash ? (
          <>
            <button type="button" class="hash-chip mono" title={`${ex.hash} (click to copy)`} onClick={() => void copy(ex.hash ?? '')}>
              {shortHash(ex.hash)}
            </button>
            {note && <div class="small export-identical">{note}</div>}
          </>
        ) : (
          <span class="muted">—</span>
        )}
      </td>
      <td class="col-created small">
        {formatDateTime(ex.created_at)}
        <div class="muted">{ex.created_by}</div>
      </td>
      <td class="col-num small mono">{formatBytes(ex.zip_bytes)}</td>
      <td class="col-actions">
        {ex.state === 'ready' && ex.download_url ? (
          <a class="btn btn-sm" href={ex.download_url} download aria-label={`Download version ${ex.version} as a zip`}>
            Download
          </a>
        ) : null}
        {onDelete && (ex.state === 'ready' || ex.state === 'failed') && (
          <button
            type="button"
            class="btn btn-sm btn-danger-ghost"
            aria-label={`Delete version ${ex.version}`}
            onClick={() => onDelete(ex)}
          >
            Delete
          </button>
        )}
      </td>
    </tr>
  );
}
