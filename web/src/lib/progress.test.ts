import { describe, expect, it } from 'vitest';
import { projectProgress } from './progress';

const counts = (over: Partial<Record<string, number>> = {}) => ({
  total: 0,
  unlabeled: 0,
  labeled: 0,
  skipped: 0,
  needs_review: 0,
  approved: 0,
  ...over,
});

describe('projectProgress', () => {
  it('counts labeled, needs review and approved as labeled, and approved apart', () => {
    const p = projectProgress(counts({ total: 2000, unlabeled: 900, labeled: 500, needs_review: 100, approved: 400, skipped: 100 }));
    expect(p.labeled).toBe(1000);
    expect(p.approved).toBe(400);
    expect(p.labeledFraction).toBeCloseTo(0.5);
    expect(p.approvedFraction).toBeCloseTo(0.2);
    expect(p.text).toBe('1,000 of 2,000 labeled · 400 approved');
  });

  it('says so when there are no images, without dividing by zero', () => {
    const p = projectProgress(counts());
    expect(p.text).toBe('No images yet');
    expect(p.labeledFraction).toBe(0);
  });
});
