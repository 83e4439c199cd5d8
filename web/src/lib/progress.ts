// A project's progress in one line, from its stats counts: how many images,
// how many carry a label (labeled, needs review or approved) and how many
// are approved (what a default export holds).
import type { Stats } from '../api/labeling';

export interface Progress {
  total: number;
  labeled: number;
  approved: number;
  /** 0..1 of total, for the bars. */
  labeledFraction: number;
  approvedFraction: number;
  text: string;
}

export function projectProgress(counts: Stats['counts']): Progress {
  const total = counts.total;
  const approved = counts.approved;
  const labeled = counts.labeled + counts.needs_review + approved;
  const f = (n: number) => (total > 0 ? n / total : 0);
  const n = (v: number) => v.toLocaleString('en-US');
  const text =
    total === 0
      ? 'No images yet'
      : `${n(labeled)} of ${n(total)} labeled · ${n(approved)} approved`;
  return { total, labeled, approved, labeledFraction: f(labeled), approvedFraction: f(approved), text };
}
