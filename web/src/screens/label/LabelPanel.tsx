import type { Category } from '../../api/types';
import { Link } from '../../components/Link';
import type { LabelCommand } from '../../state/labelActions';
import type { LocalAnnotation } from '../../state/labelLocal';

export function LabelPanel({
  categories,
  commands,
  current,
  perCategory,
  onAssign,
  onSkip,
  onHelp,
  categoriesHref,
}: {
  categories: readonly Category[];
  commands: readonly LabelCommand[];
  current: LocalAnnotation | null;
  perCategory: Record<number, number>;
  onAssign: (categoryId: number) => void;
  onSkip: () => void;
  onHelp: () => void;
  /** Where categories are edited, for the empty state. */
  categoriesHref: string;
}) {
  const keyOf = new Map(commands.filter((c) => c.categoryId).map((c) => [c.categoryId, c.keys[0]]));
  const shown = categories.filter((c) => c.state !== 'deleted');
  const onDeleted = categories.filter((c) => c.state === 'deleted' && current?.category_ids.includes(c.id));
  return (
    <aside class="label-panel" aria-label="Labels">
      <div class="label-panel-head">
        <span>Label</span>
        {current && (
          <span class={`status-pill status-${current.status}`} data-testid="current-status">
            {current.status.replace('_', ' ')}
          </span>
        )}
      </div>
      {shown.length === 0 && (
        <p class="label-empty muted small">
          No categories yet. <Link href={categoriesHref}>Add some on the Categories tab</Link> to label with keys 1–9.
        </p>
      )}
      {onDeleted.map((c) => (
        <p key={c.id} class="label-deleted small" role="note">
          Labeled “{c.name}”, a deleted category: this image is left out of exports until it gets a new label.
        </p>
      ))}
      <ul class="label-list">
        {shown.map((c) => {
          const key = keyOf.get(c.id);
          const on = current?.category_ids.includes(c.id) ?? false;
          return (
            <li key={c.id}>
              <button
                type="button"
                tabIndex={-1}
                class={on ? 'label-btn label-on' : 'label-btn'}
                disabled={c.state !== 'active' || !current}
                aria-pressed={on}
                data-category-id={c.id}
                onClick={() => onAssign(c.id)}
              >
                <kbd class={key ? '' : 'kbd-none'}>{key ?? '·'}</kbd>
                <span class="label-name">{c.name}</span>
                {c.state === 'disabled' && <span class="muted small">disabled</span>}
                <span class="label-count mono" data-count-for={c.id}>
                  {(perCategory[c.id] ?? 0).toLocaleString('en-US')}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
      <div class="label-actions">
        <button type="button" tabIndex={-1} class="btn btn-sm" onClick={onSkip} disabled={!current}>
          <kbd>S</kbd> Skip
        </button>
        <button type="button" tabIndex={-1} class="btn btn-sm btn-ghost" onClick={onHelp}>
          <kbd>?</kbd> Shortcuts
        </button>
      </div>
    </aside>
  );
}
