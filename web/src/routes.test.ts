import { describe, expect, it } from 'vitest';
import {
  assetsPath,
  categoriesPath,
  defaultTabPath,
  labelAssetPath,
  labelPath,
  parseAssetsQuery,
  parseCategoriesQuery,
  parseLabelQuery,
  parseReviewQuery,
  reviewPath,
} from './routes';

describe('routes', () => {
  it('builds tab paths, the first tab being the default', () => {
    expect(defaultTabPath(7)).toBe('/projects/7/categories');
    expect(labelAssetPath(7, 12)).toBe('/projects/7/label?asset=12');
    expect(categoriesPath(7, true)).toBe('/projects/7/categories?include_deleted=true');
  });

  it('parses what it builds', () => {
    const path = labelPath(3, 'approved', 4, 9);
    expect(parseLabelQuery(path.slice(path.indexOf('?')))).toEqual({ filter: 'approved', category: 4, asset: 9, queue: 'order' });
    const s = labelPath(3, 'unlabeled', null, null, 'sampling');
    expect(s).toBe('/projects/3/label?filter=unlabeled&queue=sampling');
    expect(parseLabelQuery(s.slice(s.indexOf('?'))).queue).toBe('sampling');
    expect(parseLabelQuery('?queue=suggested').queue).toBe('suggested');
    // Links naming the older groups still open a filter.
    expect(parseLabelQuery('?filter=done').filter).toBe('approved');
    expect(parseLabelQuery('?filter=in_review').filter).toBe('labeled');
    const r = reviewPath(3, 'skipped', null);
    expect(parseReviewQuery(r.slice(r.indexOf('?')))).toEqual({ filter: 'skipped', category: null });
    expect(parseCategoriesQuery('?include_deleted=true')).toEqual({ includeDeleted: true });
  });

  it('falls back on bad query values', () => {
    expect(parseLabelQuery('?filter=nope&category=-1&queue=x')).toEqual({ filter: 'unlabeled', category: null, asset: null, queue: 'order' });
    expect(parseLabelQuery('?asset=5')).toEqual({ filter: 'all', category: null, asset: 5, queue: 'order' });
    expect(parseReviewQuery('')).toEqual({ filter: 'labeled', category: null });
  });

  it('keeps every grid filter, the sort and the search in the URL', () => {
    const all = { filter: 'needs_review', category: 4, video: 2, sort: '-name', q: 'cat & dog' } as const;
    const p = assetsPath(3, all);
    expect(p.startsWith('/projects/3/assets?')).toBe(true);
    expect(parseAssetsQuery(p.slice(p.indexOf('?')))).toEqual(all);
    // Defaults stay out of the URL.
    expect(assetsPath(3)).toBe('/projects/3/assets');
    expect(assetsPath(3, { sort: 'id', filter: 'all', q: '' })).toBe('/projects/3/assets');
    expect(assetsPath(3, { sort: 'uploaded' })).toBe('/projects/3/assets?sort=uploaded');
  });

  it('falls back on bad grid query values', () => {
    expect(parseAssetsQuery('?filter=nope&category=x&video=0&sort=size')).toEqual({
      filter: 'all',
      category: null,
      video: null,
      sort: 'id',
      q: '',
    });
    expect(parseAssetsQuery('?filter=done&sort=-uploaded').filter).toBe('approved');
    expect(parseAssetsQuery('?filter=done&sort=-uploaded').sort).toBe('-uploaded');
    expect(parseAssetsQuery(`?q=${'a'.repeat(300)}`).q).toHaveLength(255);
  });
});
