import { describe, expect, it } from 'vitest';
import { FIT, zoomBy } from './view';

describe('zoomBy', () => {
  it('zooms between fitted and 16x, recentering when fitted again', () => {
    expect(zoomBy(FIT, 1.25)).toEqual({ zoom: 1.25, x: 0, y: 0 });
    expect(zoomBy({ zoom: 15, x: 3, y: 4 }, 2)).toEqual({ zoom: 16, x: 3, y: 4 });
    expect(zoomBy({ zoom: 1.2, x: 30, y: 40 }, 1 / 1.25)).toBe(FIT);
  });
});
