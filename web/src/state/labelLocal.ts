// What the server will answer, predicted locally so the UI can show a label
// the moment a key is pressed (the server's state machine has the last
// word: a refusal rolls the prediction back). DOM-free.
import type { AnnotationPayload, AnnotationStatus } from '../api/assets';
import type { AnnotationChange, Stats } from '../api/labeling';

export interface LocalAnnotation {
  status: AnnotationStatus;
  category_ids: number[];
  /** The typed content when known (multi-label and boxes need it; "none" is an empty one). */
  payload?: AnnotationPayload | null;
}

/** The categories a payload names, sorted, each once. */
export function payloadCategories(p: AnnotationPayload): number[] {
  const ids = p.type === 'classification' ? p.category_ids : p.objects.map((o) => o.category_id);
  return [...new Set(ids)].sort((x, y) => x - y);
}

const hasContent = (cur: LocalAnnotation) => cur.category_ids.length > 0 || (cur.payload !== undefined && cur.payload !== null);

const sameSet = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x) => b.includes(x));

/** The annotation after change, or null when the server would refuse it. */
export function predict(cur: LocalAnnotation, change: AnnotationChange): LocalAnnotation | null {
  if ('payload' in change) {
    const ids = payloadCategories(change.payload);
    const same = cur.payload ? JSON.stringify(cur.payload) === JSON.stringify(change.payload) : false;
    const keep = same && (cur.status === 'labeled' || cur.status === 'needs_review' || cur.status === 'approved');
    return { status: keep ? cur.status : 'labeled', category_ids: ids, payload: change.payload };
  }
  if ('category_ids' in change) {
    if (change.category_ids.length === 0) return null;
    const changed = !sameSet(cur.category_ids, change.category_ids);
    const keep = !changed && (cur.status === 'labeled' || cur.status === 'needs_review' || cur.status === 'approved');
    return { status: keep ? cur.status : 'labeled', category_ids: [...change.category_ids].sort((x, y) => x - y) };
  }
  if (change.status === 'skipped' || change.status === 'unlabeled') return { status: change.status, category_ids: [] };
  if (!hasContent(cur)) return null;
  return { ...cur, status: change.status };
}

type Counts = Stats['counts'];

/** Counts after one asset went from `from` to `to`. */
export function moveCount(counts: Counts, from: AnnotationStatus, to: AnnotationStatus): Counts {
  if (from === to) return counts;
  return { ...counts, [from]: Math.max(0, counts[from] - 1), [to]: counts[to] + 1 };
}

/** Per-category counts after an asset's categories changed. */
export function moveCategories(per: Record<number, number>, from: readonly number[], to: readonly number[]): Record<number, number> {
  const out = { ...per };
  for (const id of from) out[id] = Math.max(0, (out[id] ?? 0) - 1);
  for (const id of to) out[id] = (out[id] ?? 0) + 1;
  return out;
}
