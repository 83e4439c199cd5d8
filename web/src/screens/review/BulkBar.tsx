import type { BulkTally } from '../../state/reviewSelection';

export function BulkBar({
  selected,
  matching,
  allSelected,
  busy,
  progress,
  onSelectAll,
  onClear,
  onApprove,
  onNeedsReview,
}: {
  selected: number;
  matching: number;
  allSelected: boolean;
  busy: boolean;
  progress: BulkTally | null;
  onSelectAll: () => void;
  onClear: () => void;
  onApprove: () => void;
  onNeedsReview: () => void;
}) {
  const pct = progress && progress.total ? Math.round((100 * progress.done) / progress.total) : 0;
  return (
    <div class="bulk-bar" data-testid="bulk-bar">
      <span class="bulk-count" data-testid="selected-count">
        {selected.toLocaleString('en-US')} selected
      </span>
      {!allSelected && matching > 0 && (
        <button type="button" class="btn btn-sm btn-ghost" onClick={onSelectAll} disabled={busy}>
          Select all {matching.toLocaleString('en-US')} matching
        </button>
      )}
      {selected > 0 && (
        <button type="button" class="btn btn-sm btn-ghost" onClick={onClear} disabled={busy}>
          Clear
        </button>
      )}
      <span class="bulk-spacer" />
      {progress && (
        <span class="bulk-progress" role="progressbar" aria-valuemin={0} aria-valuemax={progress.total} aria-valuenow={progress.done}>
          <span class="bulk-progress-bar">
            <span style={{ width: `${pct}%` }} />
          </span>
          <span class="mono small">
            {progress.done.toLocaleString('en-US')} / {progress.total.toLocaleString('en-US')}
            {progress.failed > 0 && ` · ${progress.failed} refused`}
          </span>
        </span>
      )}
      <button type="button" class="btn btn-sm" onClick={onNeedsReview} disabled={busy || selected === 0}>
        Needs review
      </button>
      <button type="button" class="btn btn-sm btn-primary" onClick={onApprove} disabled={busy || selected === 0}>
        Approve
      </button>
    </div>
  );
}
