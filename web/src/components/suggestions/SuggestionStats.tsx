// What labelers did with the models' suggestions: accepted, rejected and
// overridden (accepted, then changed later) per model and per suggested
// category. Read on its own, so a screen shows at once.
import { modelsApi, type SuggestionStats as Stats } from '../../api/models';
import type { Category } from '../../api/types';
import { outcomeRows, type OutcomeRow } from '../../lib/suggestions';
import { useResource } from '../../state/resource';
import './suggestions.css';

function Cells({ r, compact }: { r: OutcomeRow; compact: boolean }) {
  return (
    <>
      <td class="col-num mono" data-outcome="accepted">
        {r.accepted}
      </td>
      <td class="col-num mono" data-outcome="rejected">
        {r.rejected}
      </td>
      <td class="col-num mono" data-outcome="overridden">
        {r.overridden}
      </td>
      <td class="col-num mono muted" data-outcome="pending">
        {r.pending}
      </td>
      {!compact && <td class="col-num mono">{r.acceptRate === null ? '–' : `${Math.round(100 * r.acceptRate)}%`}</td>}
    </>
  );
}

/** The outcome columns: their names, what they count, and a sign for narrow tables. */
const HEADS = [
  { name: 'Accepted', short: '✓', title: 'Accepted: the labeler kept the suggested label' },
  { name: 'Rejected', short: '✗', title: 'Rejected: the labeler chose another label (or none)' },
  { name: 'Overridden', short: '↺', title: 'Overridden: accepted, but the label was changed later' },
  { name: 'Pending', short: '…', title: 'Pending: not reviewed yet' },
  { name: 'Kept', short: '', title: 'Accepted out of accepted and rejected' },
];

export function SuggestionStats({
  projectId,
  categories,
  refreshKey = 0,
  hideEmpty = false,
  compact = false,
}: {
  projectId: number;
  categories: readonly Category[];
  /** Changed to read the counts again. */
  refreshKey?: number;
  /** Renders nothing for a project whose models suggested nothing yet. */
  hideEmpty?: boolean;
  /** Short column heads (a sidebar). */
  compact?: boolean;
}) {
  const res = useResource<Stats | null>(() => modelsApi.stats(projectId), null, [projectId, refreshKey]);
  const stats = res.value.value;
  const rows = outcomeRows(stats, categories);
  if (hideEmpty && rows.length === 0) return null;
  return (
    <section class="review-card sugg-stats" aria-label="Suggestions" data-testid="suggestion-stats">
      <h2 class="review-card-title">Suggestions</h2>
      {res.error.value && <p class="muted small">{res.error.value}</p>}
      {!res.error.value && rows.length === 0 && (
        <p class="muted small">{res.loaded.value ? 'No suggestions yet.' : 'Loading…'}</p>
      )}
      {rows.length > 0 && (
        <table class="sugg-table">
          <thead>
            <tr>
              <th>{compact ? 'Model / category' : 'Model / suggested category'}</th>
              {HEADS.filter((h) => !compact || h.short).map((h) => (
                <th key={h.name} class="col-num" title={h.title} aria-label={h.name}>
                  {compact ? h.short : h.name}
                </th>
              ))}
            </tr>
          </thead>
          {rows.map(({ model, categories: per }) => (
            <tbody key={model.key} data-stats-model={model.key}>
              <tr class="sugg-model-row">
                <th scope="row">{model.name}</th>
                <Cells r={model} compact={compact} />
              </tr>
              {per.map((c) => (
                <tr key={c.key} class="sugg-cat-row" data-stats-category={c.key.split(':')[1]}>
                  <th scope="row" class="sugg-cat">
                    {c.name}
                  </th>
                  <Cells r={c} compact={compact} />
                </tr>
              ))}
            </tbody>
          ))}
        </table>
      )}
    </section>
  );
}
