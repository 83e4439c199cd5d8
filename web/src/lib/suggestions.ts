// Suggestions without the DOM: the scores shown, the annotation that
// accepting one writes, the label a labeler's change reports back, and the
// outcome counts per model and per category.
import type { AnnotationPayload, BoxObject } from '../api/assets';
import type { AnnotationChange } from '../api/labeling';
import type { CategoryScore, Suggestion, SuggestionOutcomes, SuggestionPayload, SuggestionStats } from '../api/models';
import type { Category, TaskType } from '../api/types';

/** How many scores the labeling screen lists under the best one. */
export const TOP_K = 5;

/** The k best scores, best first (ties by category id). */
export function topScores(p: SuggestionPayload, k = TOP_K): CategoryScore[] {
  const scores = p.scores ?? [];
  return scores
    .filter((s) => Number.isFinite(s.score))
    .slice()
    .sort((a, b) => b.score - a.score || a.category_id - b.category_id)
    .slice(0, Math.max(0, k));
}

/** A score as a whole percent, clamped to 0..100 ("<1%" for a small non-zero one). */
export function percent(score: number): string {
  if (!Number.isFinite(score) || score <= 0) return '0%';
  if (score < 0.005) return '<1%';
  return `${Math.round(Math.min(1, score) * 100)}%`;
}

/** The bar's width for a score, 0..100. */
export function barWidth(score: number): number {
  return Number.isFinite(score) ? Math.max(0, Math.min(100, score * 100)) : 0;
}

/** The categories a suggestion proposes (the boxes' categories, once each, for boxes). */
export function suggestedCategories(p: SuggestionPayload): number[] {
  if (p.type === 'classification') return [...p.category_ids];
  return [...new Set(p.objects.map((o) => o.category_id))].sort((a, b) => a - b);
}

/** Ids a box may carry (the API's rule): 1 to 36 of A-Za-z0-9_-. */
const OBJECT_ID = /^[A-Za-z0-9_-]{1,36}$/;

/** The suggested boxes as annotation objects (no scores; an id each, kept when valid and unique). */
export function suggestedBoxes(p: SuggestionPayload, newId: () => string): BoxObject[] {
  if (p.type !== 'boxes') return [];
  const seen = new Set<string>();
  return p.objects.map((o) => {
    const id = OBJECT_ID.test(o.id) && !seen.has(o.id) ? o.id : newId();
    seen.add(id);
    return { id, category_id: o.category_id, bbox: [o.bbox[0], o.bbox[1], o.bbox[2], o.bbox[3]] };
  });
}

/** The annotation write that accepts a suggestion, by the project's task type; null when there is nothing to accept. */
export function acceptChange(p: SuggestionPayload, taskType: TaskType, newId: () => string): AnnotationChange | null {
  if (p.type === 'boxes') {
    return taskType === 'detection' ? { payload: { type: 'boxes', objects: suggestedBoxes(p, newId) } } : null;
  }
  if (taskType === 'detection') return null;
  const ids = p.category_ids;
  if (taskType === 'classification_multi') return { payload: { type: 'classification', category_ids: [...ids] } };
  const top = ids[0] ?? topScores(p, 1)[0]?.category_id;
  return top === undefined ? null : { category_ids: [top] };
}

function payloadLabel(p: AnnotationPayload): number[] {
  if (p.type === 'classification') return [...p.category_ids];
  return [...new Set(p.objects.map((o) => o.category_id))].sort((a, b) => a - b);
}

/**
 * The label an annotation change gives, as the suggestion review records it:
 * the categories written, [] for a skip, null for a change that gives no
 * label (a flag, an approval: the label stays what it was).
 */
export function labelOfChange(change: AnnotationChange): number[] | null {
  if ('category_ids' in change) return [...change.category_ids];
  if ('payload' in change) return payloadLabel(change.payload);
  if (change.status === 'skipped' || change.status === 'unlabeled') return [];
  return null;
}

/** Whether the labeler's answer on a suggested image is worth reporting (a superseded one answers 409). */
export function reviewable(s: Pick<Suggestion, 'status'> | null | undefined): boolean {
  return !!s && s.status !== 'superseded';
}

/** What the labeler's label means for the suggestion, as the server will count it. */
export function outcomeOf(s: Pick<Suggestion, 'payload'>, label: readonly number[]): 'accepted' | 'rejected' {
  const want = suggestedCategories(s.payload);
  const same = want.length === label.length && want.every((id) => label.includes(id));
  return same && label.length > 0 ? 'accepted' : 'rejected';
}

export interface OutcomeRow {
  key: string;
  name: string;
  accepted: number;
  rejected: number;
  overridden: number;
  pending: number;
  /** accepted / (accepted + rejected), null before any review. */
  acceptRate: number | null;
}

function row(key: string, name: string, c: SuggestionOutcomes | undefined): OutcomeRow {
  const accepted = c?.accepted ?? 0;
  const rejected = c?.rejected ?? 0;
  const reviewed = accepted + rejected;
  return {
    key,
    name,
    accepted,
    rejected,
    overridden: c?.overridden ?? 0,
    pending: c?.pending ?? 0,
    acceptRate: reviewed > 0 ? accepted / reviewed : null,
  };
}

/** One row per model, each with one row per suggested category (by display order, then id). */
export function outcomeRows(stats: SuggestionStats | null, categories: readonly Category[]): { model: OutcomeRow; categories: OutcomeRow[] }[] {
  const byId = new Map(categories.map((c) => [c.id, c]));
  return (stats?.models ?? []).map((m) => {
    const id = m.model_id ?? 0;
    const per = (m.per_category ?? [])
      .slice()
      .sort((a, b) => {
        const ca = byId.get(a.category_id ?? 0);
        const cb = byId.get(b.category_id ?? 0);
        return (ca?.display_order ?? 1e9) - (cb?.display_order ?? 1e9) || (a.category_id ?? 0) - (b.category_id ?? 0);
      })
      .map((pc) => {
        const cid = pc.category_id ?? 0;
        const c = byId.get(cid);
        return row(`${id}:${cid}`, c ? (c.state === 'deleted' ? `${c.name} (deleted)` : c.name) : `#${cid}`, pc.counts);
      });
    return { model: row(String(id), m.name ?? `Model ${id}`, m.counts), categories: per };
  });
}
