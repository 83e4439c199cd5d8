import { useEffect, useRef } from 'preact/hooks';
import type { AnnotationChange } from '../api/labeling';
import type { Category } from '../api/types';
import { STATUS_NAME } from '../lib/status';
import { conflicts, resolveConflict } from '../state/conflicts';
import { writeQueue } from '../state/labelSession';
import { projectCategories } from '../state/projectCategories';
import { StatusBadge } from './StatusBadge';

function names(ids: readonly number[], cats: readonly Category[]): string {
  return ids.map((id) => `“${cats.find((c) => c.id === id)?.name ?? `#${id}`}”`).join(', ');
}

function describeMine(c: AnnotationChange, cats: readonly Category[]): string {
  if ('category_ids' in c) return names(c.category_ids, cats);
  if ('payload' in c) {
    const p = c.payload;
    if (p.type === 'classification') return p.category_ids.length ? names(p.category_ids, cats) : '“None of these”';
    if (p.type === 'polygons') return `${p.objects.length} polygon${p.objects.length === 1 ? '' : 's'}`;
    return `${p.objects.length} box${p.objects.length === 1 ? '' : 'es'}`;
  }
  return STATUS_NAME[c.status];
}

/**
 * A write the server refused as stale: says who changed the image and what
 * they chose, next to this tab's choice, and lets the labeler keep theirs or
 * apply mine (sent again on top of their revision). One at a time.
 */
export function ConflictDialog() {
  const c = conflicts.value[0];
  const ref = useRef<HTMLDialogElement>(null);
  const keepRef = useRef<HTMLButtonElement>(null);
  const cats = c ? projectCategories(c.projectId).list.value : [];

  useEffect(() => {
    const d = ref.current;
    if (!c || !d) return;
    if (!d.open) d.showModal();
    keepRef.current?.focus();
  }, [c?.assetId, c?.theirs.revision]);

  if (!c) return null;
  const choose = (choice: 'theirs' | 'mine') => {
    const again = resolveConflict(c.assetId, choice);
    if (again) void writeQueue().enqueue(again.projectId, c.assetId, again.change);
    if (!conflicts.value.length) ref.current?.close();
  };
  const theirs = c.theirs;
  return (
    <dialog
      ref={ref}
      class="dialog conflict-dialog"
      aria-labelledby="conflict-title"
      data-testid="conflict-dialog"
      onCancel={(e) => e.preventDefault()}
    >
      <h2 id="conflict-title" class="dialog-title">
        Image #{c.assetId} was changed by {c.by ?? 'someone else'}
      </h2>
      <div class="dialog-body">
        <p>Your change was not saved, so that theirs is not overwritten without you knowing.</p>
        <dl class="conflict-choices">
          <dt>{c.by ?? 'They'} chose</dt>
          <dd data-testid="conflict-theirs">
            <StatusBadge status={theirs.status} named />{' '}
            {theirs.category_ids.length > 0 && names(theirs.category_ids, cats)}
          </dd>
          <dt>You chose</dt>
          <dd data-testid="conflict-mine">{describeMine(c.mine, cats)}</dd>
        </dl>
        {conflicts.value.length > 1 && <p class="muted small">{conflicts.value.length - 1} more after this one.</p>}
      </div>
      <div class="dialog-actions">
        <button type="button" class="btn" ref={keepRef} onClick={() => choose('theirs')}>
          Keep theirs
        </button>
        <button type="button" class="btn btn-primary" onClick={() => choose('mine')}>
          Apply mine
        </button>
      </div>
    </dialog>
  );
}
