// What labelers did with the models' suggestions: accepted, rejected and
// overridden (accepted, then changed later) per model and per suggested
// category. Read on its own, so a screen shows at once.
import { modelsApi, type SuggestionStats as Stats } from '../../api/models';
import type { Category } from '../../api/types';
import { outcomeRows, type OutcomeRow } from '../../lib/suggestions';
import { useResource } from '../../state/resource';
import './suggestions.css';

function Cells({ r }: { r: OutcomeRow }) {
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
      <td class="col-num mono">{r.acceptRate === null ? '–' : `${Math.round(100 * r.acceptRate)}%`}</td>
    </>
  );
}

export function SuggestionStats({
  projectId,
  categories,
  refreshKey = 0,
  hideEmpty = false,
}: {
  projectId: number;
  categories: readonly Category[];
  /** Changed to read the counts again. */
  refreshKey?: number;
  /** Renders nothing for a project whose models suggested nothing yet. */
  hideEmpty?: boolean;
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
              <th>Model / suggested category</th>
              <th class="col-num" title="The labeler kept the suggested label">
                Accepted
              </th>
              <th class="col-num" title="The labeler chose another label (or none)">
                Rejected
              </th>
              <th class="col-num" title="Accepted, but the label was changed later">
                Overridden
              </th>
              <th class="col-num" title="Not reviewed yet">
                Pending
              </th>
              <th class="col-num" title="Accepted out of accepted and rejected">
                Kept
              </th>
            </tr>
          </thead>
          {rows.map(({ model, categories: per }) => (
            <tbody key={model.key} data-stats-model={model.key}>
              <tr class="sugg-model-row">
                <th scope="row">{model.name}</th>
                <Cells r={model} />
              </tr>
              {per.map((c) => (
                <tr key={c.key} class="sugg-cat-row" data-stats-category={c.key.split(':')[1]}>
                  <th scope="row" class="sugg-cat">
                    {c.name}
                  </th>
                  <Cells r={c} />
                </tr>
              ))}
            </tbody>
          ))}
        </table>
      )}
    </section>
  );
}
