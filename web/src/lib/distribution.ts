// The rows of the label distribution chart: one per category that has a
// count, in the order the categories are shown everywhere else (display
// order), so the chart, the filter menu and the label panel agree. Counts
// for a category the list does not know (not loaded yet) go last, by id.
import type { Stats } from '../api/labeling';
import type { Category } from '../api/types';

export interface DistributionRow {
  id: number;
  name: string;
  count: number;
  approved: number;
  deleted: boolean;
}

export function distributionRows(stats: Stats | null, categories: readonly Category[]): DistributionRow[] {
  const pos = new Map(categories.map((c, i) => [c.id, i]));
  const rank = (id: number) => pos.get(id) ?? categories.length + id;
  return (stats?.per_category ?? [])
    .map((c) => ({
      id: c.category_id,
      name: categories.find((k) => k.id === c.category_id)?.name ?? `#${c.category_id}`,
      count: c.count,
      approved: c.by_status.approved,
      deleted: c.state === 'deleted',
    }))
    .sort((a, b) => rank(a.id) - rank(b.id));
}
