import type { Category } from '../../api/types';
import { Link } from '../../components/Link';
import { StatusBadge } from '../../components/StatusBadge';
import { keyCaps } from '../../state/keys';
import { commandById, type LabelCommand } from '../../state/labelActions';
import type { LocalAnnotation } from '../../state/labelLocal';

/** The first key of a command, as a key cap. */
function CommandKey({ command }: { command: LabelCommand | undefined }) {
  const combo = command?.keys[0];
  return combo ? <kbd>{keyCaps(combo).join('+')}</kbd> : null;
}

export function LabelPanel({
  categories,
  commands,
  current,
  perCategory,
  categoriesHref,
  suggestedIds = [],
}: {
  categories: readonly Category[];
  commands: readonly LabelCommand[];
  current: LocalAnnotation | null;
  perCategory: Record<number, number>;
  /** Where categories are edited, for the empty state. */
  categoriesHref: string;
  /** The categories the model suggests for this image (marked in the list). */
  suggestedIds?: readonly number[];
}) {
  const assignOf = new Map(commands.filter((c) => c.categoryId !== undefined).map((c) => [c.categoryId, c]));
  const skip = commandById(commands, 'skip');
  const help = commandById(commands, 'help');
  const flag = commandById(commands, 'flag');
  const shown = categories.filter((c) => c.state !== 'deleted');
  const onDeleted = categories.filter((c) => c.state === 'deleted' && current?.category_ids.includes(c.id));
  return (
    <aside class="label-panel" aria-label="Labels">
      <div class="label-panel-head">
        <span>Label</span>
        {current && (
          <span data-testid="current-status" data-status={current.status}>
            <StatusBadge status={current.status} named />
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
          const cmd = assignOf.get(c.id);
          const key = cmd?.keys[0];
          const on = current?.category_ids.includes(c.id) ?? false;
          return (
            <li key={c.id}>
              <button
                type="button"
                class={on ? 'label-btn label-on' : 'label-btn'}
                disabled={c.state !== 'active' || !current}
                aria-pressed={on}
                data-category-id={c.id}
                onClick={() => cmd?.run()}
              >
                <kbd class={key ? '' : 'kbd-none'}>{key ?? '·'}</kbd>
                <span class="label-name">{c.name}</span>
                {c.state === 'disabled' && <span class="muted small">disabled</span>}
                {suggestedIds.includes(c.id) && (
                  <span class="sugg-mark" title="The model suggests this category (A accepts it)">
                    suggested
                  </span>
                )}
                <span class="label-count mono" data-count-for={c.id}>
                  {(perCategory[c.id] ?? 0).toLocaleString('en-US')}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
      <div class="label-actions">
        <button type="button" class="btn btn-sm" onClick={() => skip?.run()} disabled={!current}>
          <CommandKey command={skip} /> Skip
        </button>
        <button type="button" class="btn btn-sm" onClick={() => flag?.run()} disabled={!current} data-testid="flag">
          <CommandKey command={flag} /> Needs review
        </button>
        <button type="button" tabIndex={-1} class="btn btn-sm btn-ghost" onClick={() => help?.run()}>
          <CommandKey command={help} /> Shortcuts
        </button>
      </div>
    </aside>
  );
}
