import { describe, expect, it } from 'vitest';
import { ASSET_FILTERS } from '../api/assets';
import { FILTER_LABEL, FILTER_STATUSES, STATUSES, STATUS_COLOUR, STATUS_ICON, STATUS_NAME } from './status';

describe('status vocabulary', () => {
  it('gives each of the five statuses its own name, icon and colour', () => {
    expect(STATUSES.map((s) => STATUS_NAME[s])).toEqual(['Unlabeled', 'Labeled', 'Skipped', 'Needs review', 'Approved']);
    expect(new Set(STATUSES.map((s) => STATUS_ICON[s])).size).toBe(5);
    expect(new Set(STATUSES.map((s) => STATUS_COLOUR[s])).size).toBe(5);
  });
  it('names every list filter with status names only, and each status is in exactly one filter besides All', () => {
    const words = new Set(['All', ...STATUSES.map((s) => STATUS_NAME[s].toLowerCase())]);
    for (const f of ASSET_FILTERS)
      for (const part of FILTER_LABEL[f].split(' + ')) expect(words.has(part) || words.has(part.toLowerCase())).toBe(true);
    for (const s of STATUSES) expect(ASSET_FILTERS.filter((f) => f !== 'all' && FILTER_STATUSES[f].includes(s))).toHaveLength(1);
  });
});
