import { describe, expect, it } from 'vitest';
import type { Stats } from '../api/labeling';
import type { Category } from '../api/types';
import { distributionRows } from './distribution';

const cat = (id: number, name: string, display_order: number, state: Category['state'] = 'active'): Category =>
  ({ id, name, display_order, state });

const stats = (ids: number[]): Stats => ({
  project_id: 1,
  counts: { total: 0, unlabeled: 0, labeled: 0, skipped: 0, needs_review: 0, approved: 0 },
  per_category: ids.map((id) => ({
    category_id: id,
    state: id === 6 ? 'deleted' : 'active',
    count: id * 10,
    by_status: { labeled: id * 10, needs_review: 0, approved: id },
  })),
  issues: { missing_labels: 0, skipped: 0, deleted_category: 0 },
});

describe('distributionRows', () => {
  it('follows the display order of the categories, not their ids', () => {
    // given: categories reordered so that horse (#5) comes first
    const cats = [cat(5, 'horse', 1), cat(2, 'dog', 2), cat(1, 'cat', 3), cat(6, 'gone', 4, 'deleted')];
    const rows = distributionRows(stats([1, 2, 5, 6]), cats);
    expect(rows.map((r) => r.name)).toEqual(['horse', 'dog', 'cat', 'gone']);
    expect(rows[3]?.deleted).toBe(true);
    expect(rows[0]).toMatchObject({ id: 5, count: 50, approved: 5 });
  });

  it('puts counts for categories it does not know last, by id, named by id', () => {
    const rows = distributionRows(stats([9, 1, 7]), [cat(1, 'cat', 1)]);
    expect(rows.map((r) => r.name)).toEqual(['cat', '#7', '#9']);
  });

  it('has no rows without stats', () => {
    expect(distributionRows(null, [cat(1, 'cat', 1)])).toEqual([]);
  });
});
