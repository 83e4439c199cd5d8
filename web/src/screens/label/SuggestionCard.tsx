// The active model's suggestion for the image shown: the best category with
// a confidence bar, the next best scores, what became of it, and the key
// that accepts it. Box suggestions say how many boxes (drawn dashed on the
// image).
import type { Category } from '../../api/types';
import { Link } from '../../components/Link';
import { keyCaps } from '../../state/keys';
import type { LabelCommand } from '../../state/labelActions';
import type { SuggestionState, SuggestionsMode } from '../../state/suggestions';
import { barWidth, percent, suggestedCategories, topScores } from '../../lib/suggestions';
import '../../components/suggestions/suggestions.css';

const STATUS_TEXT = {
  pending: 'not reviewed',
  accepted: 'accepted',
  rejected: 'rejected',
  superseded: 'superseded by a newer model',
} as const;

function Bar({ score, label }: { score: number; label: string }) {
  const w = barWidth(score);
  return (
    <span class="sugg-bar" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(w)}>
      <span style={{ width: `${w}%` }} />
    </span>
  );
}

export function SuggestionCard({
  mode,
  state,
  categories,
  accept,
  modelsHref,
}: {
  mode: SuggestionsMode;
  state: SuggestionState | undefined;
  categories: readonly Category[];
  /** The accept command (its key is shown on the button). */
  accept: LabelCommand | undefined;
  /** The Models tab, where a blocked model is replaced. */
  modelsHref: string;
}) {
  if (mode.kind === 'off' || mode.kind === 'checking') return null;
  if (mode.kind === 'blocked') {
    return (
      <section class="sugg-card sugg-blocked" aria-label="Suggestion" data-testid="suggestion-blocked" role="note">
        <span class="sugg-head">Suggestion</span>
        <p class="small">
          {mode.message} <Link href={modelsHref}>Models</Link>
        </p>
      </section>
    );
  }
  const name = (id: number) => categories.find((c) => c.id === id)?.name ?? `#${id}`;
  const body = (() => {
    if (!state || state.kind === 'loading') return <p class="muted small">Asking the model…</p>;
    if (state.kind === 'none') return <p class="muted small">No suggestion for this image.</p>;
    if (state.kind === 'error') {
      return (
        <p class="small sugg-error" data-code={state.code}>
          {state.message}
        </p>
      );
    }
    const s = state.suggestion;
    const p = s.payload;
    const key = accept?.keys[0];
    const chosen = s.chosen_category_ids;
    const status = (
      <span class={`sugg-status sugg-${s.status}`} data-testid="suggestion-status" data-status={s.status}>
        {STATUS_TEXT[s.status]}
        {s.status === 'rejected' && chosen && chosen.length > 0 && `: labeled ${chosen.map(name).join(', ')}`}
      </span>
    );
    const acceptBtn = (
      <button
        type="button"
        class="btn btn-sm btn-primary sugg-accept"
        disabled={s.status === 'superseded'}
        onClick={() => accept?.run()}
        data-testid="accept-suggestion"
      >
        {key && <kbd>{keyCaps(key).join('+')}</kbd>} Accept
      </button>
    );
    if (p.type === 'boxes') {
      const cats = suggestedCategories(p);
      return (
        <>
          <div class="sugg-top">
            <span class="sugg-name" data-testid="suggested-category">
              {p.objects.length} box{p.objects.length === 1 ? '' : 'es'}
            </span>
            <span class="mono small">{percent(s.score)}</span>
          </div>
          <p class="muted small">{cats.map(name).join(', ') || 'no objects'} · drawn dashed</p>
          <div class="sugg-foot">
            {status}
            {acceptBtn}
          </div>
        </>
      );
    }
    const top = p.category_ids.length > 0 ? p.category_ids : topScores(p, 1).map((x) => x.category_id);
    const rest = topScores(p).filter((x) => !top.includes(x.category_id));
    return (
      <>
        <div class="sugg-top">
          <span class="sugg-name" data-testid="suggested-category" data-category-id={top[0]}>
            {top.map(name).join(', ')}
          </span>
          <span class="mono small" data-testid="suggestion-score">
            {percent(s.score)}
          </span>
        </div>
        <Bar score={s.score} label="Confidence" />
        {rest.length > 0 && (
          <ol class="sugg-scores" aria-label="Other scores">
            {rest.map((x) => (
              <li key={x.category_id}>
                <span class="sugg-score-name">{name(x.category_id)}</span>
                <Bar score={x.score} label={`Score of ${name(x.category_id)}`} />
                <span class="mono small">{percent(x.score)}</span>
              </li>
            ))}
          </ol>
        )}
        <div class="sugg-foot">
          {status}
          {acceptBtn}
        </div>
      </>
    );
  })();
  return (
    <section class="sugg-card" aria-label="Suggestion" data-testid="suggestion-card" data-state={state?.kind ?? 'loading'}>
      <div class="sugg-head">
        <span>Suggestion</span>
        <span class="muted small sugg-model" title={mode.model.name}>
          {mode.model.name}
        </span>
      </div>
      {body}
    </section>
  );
}
