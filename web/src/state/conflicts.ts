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

/** Deep equality of JSON values, whatever the order of keys, with numbers
 * equal to a millionth of a pixel (the server writes them in its own form). */
function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a));
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
}

/** Whether the server's annotation already holds what change asks for: a
 * write that landed before its answer was lost (a reload mid-save) and was
 * sent again from the queue is then done, not a conflict with itself. */
export function alreadyHolds(theirs: Annotation, change: AnnotationChange): boolean {
  if ('payload' in change) return sameValue(theirs.payload ?? null, change.payload);
  if ('category_ids' in change) {
    const a = [...theirs.category_ids].sort((x, y) => x - y);
    const b = [...change.category_ids].sort((x, y) => x - y);
    return theirs.status !== 'unlabeled' && theirs.status !== 'skipped' && a.length === b.length && a.every((v, i) => v === b[i]);
  }
  return theirs.status === change.status && (change.note ?? '') === (theirs.note ?? '');
}

/**
 * The revision to send a write again at when its stale refusal is the
 * labeler's own doing: it replaced older writes of the image that were sent
 * (the answer lost to a reload or the network), built on the same revision,
 * and the server now holds exactly one of those changes one revision later.
 * Null when the refusal is a real conflict (or not a stale one).
 */
export function ownRevision(change: AnnotationChange, sentBefore: readonly AnnotationChange[] | undefined, err: unknown): number | null {
  const theirs = staleCurrent(err);
  const base = change.revision;
  if (!theirs || base === undefined || theirs.revision !== base + 1 || !Array.isArray(sentBefore)) return null;
  return sentBefore.some((c) => c.revision === base && alreadyHolds(theirs, c)) ? theirs.revision : null;
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
