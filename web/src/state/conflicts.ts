// Writes the server refused as stale (409 stale_revision): someone else
// changed the image since this tab read it. Each is kept until the labeler
// chooses: keep theirs (drop this tab's change) or apply mine (send it
// again on top of their revision). Nothing is overwritten silently, and the
// rule is the same for writes replayed from an earlier, offline page.
import { signal } from '@preact/signals';
import type { Annotation } from '../api/assets';
import { ApiError } from '../api/errors';
import { labeling, type AnnotationChange } from '../api/labeling';

export interface Conflict {
  projectId: number;
  assetId: number;
  /** The change this tab wanted. */
  mine: AnnotationChange;
  /** The annotation as the server holds it now. */
  theirs: Annotation;
  /** Who made the change that won (from the history; null until read or when unknown). */
  by: string | null;
}

export const conflicts = signal<readonly Conflict[]>([]);

/** The annotation a stale write's 409 carries, or null when err is not one. */
export function staleCurrent(err: unknown): Annotation | null {
  if (!(err instanceof ApiError) || err.status !== 409 || err.code !== 'stale_revision') return null;
  const cur = err.details['current'];
  return cur && typeof cur === 'object' && typeof (cur as Annotation).revision === 'number' ? (cur as Annotation) : null;
}

/** Records a conflict (replacing an older one of the same asset) and reads who made the winning change. */
export function addConflict(c: Omit<Conflict, 'by'>, history: Pick<typeof labeling, 'history'> = labeling): void {
  conflicts.value = [...conflicts.value.filter((x) => x.assetId !== c.assetId), { ...c, by: c.theirs.labeled_by }];
  void history
    .history(c.assetId)
    .then((h) => {
      const last = h.filter((e) => e.revision === c.theirs.revision).pop() ?? h[h.length - 1];
      if (!last) return;
      conflicts.value = conflicts.value.map((x) =>
        x.assetId === c.assetId && x.theirs.revision === c.theirs.revision ? { ...x, by: last.by } : x,
      );
    })
    .catch(() => undefined);
}

/** Settles the conflict of assetId; 'mine' hands back the change to send again, at their revision. */
export function resolveConflict(assetId: number, choice: 'theirs' | 'mine'): { projectId: number; change: AnnotationChange } | null {
  const c = conflicts.value.find((x) => x.assetId === assetId);
  conflicts.value = conflicts.value.filter((x) => x.assetId !== assetId);
  if (!c || choice === 'theirs') return null;
  return { projectId: c.projectId, change: { ...c.mine, revision: c.theirs.revision } };
}

export function clearConflicts(): void {
  conflicts.value = [];
}
