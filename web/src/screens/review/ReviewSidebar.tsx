import { StatusBadge } from '../../components/StatusBadge';
import type { Stats } from '../../api/labeling';
import type { Category } from '../../api/types';
import { distributionRows } from '../../lib/distribution';

export type IssueTarget = { filter: 'unlabeled' | 'skipped' | 'all'; categoryId: number | null };

/** Missing labels, skipped, labels on deleted categories (each opens its
 * filter), and damaged images with the decoder's reason (never exported). */
export function IssuesPanel({
  stats,
  categories,
  onOpen,
}: {
  stats: Stats | null;
  categories: readonly Category[];
  onOpen: (t: IssueTarget) => void;
}) {
  const name = (id: number) => categories.find((c) => c.id === id)?.name ?? `#${id}`;
  const deleted = stats?.per_category.filter((c) => c.state === 'deleted' && c.count > 0) ?? [];
  const damaged = stats?.issues.damaged_assets ?? [];
  return (
    <section class="review-card" aria-label="Issues" data-testid="issues-panel">
      <h2 class="review-card-title">Issues</h2>
      <ul class="issue-list">
        <li>
          <button type="button" class="issue" onClick={() => onOpen({ filter: 'unlabeled', categoryId: null })}>
            <span>Missing labels</span>
            <span class="issue-n mono" data-issue="missing_labels">
              {stats?.issues.missing_labels ?? '–'}
            </span>
          </button>
        </li>
        <li>
          <button type="button" class="issue" onClick={() => onOpen({ filter: 'skipped', categoryId: null })}>
            <span>Skipped</span>
            <span class="issue-n mono" data-issue="skipped">
              {stats?.issues.skipped ?? '–'}
            </span>
          </button>
        </li>
        <li>
          <div class="issue issue-static">
            <span>Labels on deleted categories</span>
            <span class="issue-n mono" data-issue="deleted_category">
              {stats?.issues.deleted_category ?? '–'}
            </span>
          </div>
          {deleted.length > 0 && (
            <ul class="issue-sub">
              {deleted.map((c) => (
                <li key={c.category_id}>
                  <button type="button" class="issue" onClick={() => onOpen({ filter: 'all', categoryId: c.category_id })}>
                    <span>{name(c.category_id)}</span>
                    <span class="issue-n mono">{c.count}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </li>
        <li>
          <div class="issue issue-static">
            <span>Damaged images (not exported)</span>
            <span class="issue-n mono" data-issue="damaged">
              {stats?.issues.damaged ?? '–'}
            </span>
          </div>
          {damaged.length > 0 && (
            <ul class="issue-sub" data-testid="damaged-assets">
              {damaged.map((d) => (
                <li key={d.asset_id} class="issue issue-static issue-damaged">
                  <span class="issue-file" title={d.file_name}>
                    {d.file_name}
                  </span>
                  <span class="issue-reason muted small">{d.reason}</span>
                </li>
              ))}
            </ul>
          )}
        </li>
      </ul>
    </section>
  );
}

/** Horizontal bars: labels per category (deleted ones marked). */
export function DistributionChart({ stats, categories }: { stats: Stats | null; categories: readonly Category[] }) {
  const rows = distributionRows(stats, categories);
  const max = Math.max(1, ...rows.map((r) => r.count));
  return (
    <section class="review-card" aria-label="Label distribution" data-testid="distribution">
      <h2 class="review-card-title">Label distribution</h2>
      {rows.length === 0 && <p class="muted small">No categories yet.</p>}
      <ul class="dist-list">
        {rows.map((r) => (
          <li key={r.id} class={r.deleted ? 'dist-row dist-deleted' : 'dist-row'}>
            <span class="dist-name" title={r.deleted ? `${r.name} (deleted)` : r.name}>
              {r.name}
            </span>
            <span class="dist-bar" aria-hidden="true">
              <span class="dist-fill" style={{ width: `${(100 * r.count) / max}%` }} />
              <span class="dist-fill-approved" style={{ width: `${(100 * r.approved) / max}%` }} />
            </span>
            <span class="dist-n mono" data-dist-for={r.id}>
              {r.count}
            </span>
          </li>
        ))}
      </ul>
      <p class="dist-legend muted small">
        <StatusBadge status="approved" named /> <span class="dist-key" /> all labels
      </p>
    </section>
  );
}
