import { describe, expect, it } from 'vitest';
import {
  bounds,
  hasRepeatedPoint,
  ringsMeet,
  distinctPoints,
  lastEdgeIntersects,
  nearestEdge,
  nearestPoint,
  objectArea,
  pointEdgesIntersect,
  pointInRing,
  pointInRings,
  ringSelfIntersects,
  segmentsIntersect,
  signedArea,
} from './polygon';

const square = (x: number, y: number, s: number) => [x, y, x + s, y, x + s, y + s, x, y + s];

describe('polygon geometry', () => {
  it('measures area, signed by direction, and bounds', () => {
    expect(signedArea(square(0, 0, 10))).toBe(100);
    expect(signedArea([0, 0, 0, 10, 10, 10, 10, 0])).toBe(-100);
    expect(bounds([square(5, 6, 10), [0, 20, 1, 21, 2, 20]])).toEqual([0, 6, 15, 21]);
  });

  it('tells inside from outside, with holes by the even-odd rule', () => {
    const outer = square(0, 0, 100);
    const hole = square(25, 25, 50);
    expect(pointInRing(outer, 10, 10)).toBe(true);
    expect(pointInRing(outer, 110, 10)).toBe(false);
    expect(pointInRings([outer, hole], 10, 10)).toBe(true);
    expect(pointInRings([outer, hole], 50, 50)).toBe(false);
    expect(objectArea([outer, hole])).toBe(100 * 100 - 50 * 50);
    // two parts add up
    expect(objectArea([square(0, 0, 10), square(20, 0, 10)])).toBe(200);
  });

  it('finds the nearest point and edge within a tolerance', () => {
    const r = square(0, 0, 100);
    expect(nearestPoint(r, 98, 3, 5)).toBe(1);
    expect(nearestPoint(r, 50, 50, 5)).toBe(-1);
    expect(nearestEdge(r, 50, 2, 4)).toEqual({ edge: 0, x: 50, y: 0 });
    expect(nearestEdge(r, 2, 60, 4)).toEqual({ edge: 3, x: 0, y: 60 });
    expect(nearestEdge(r, 50, 50, 4)).toBeNull();
  });

  it('finds crossings, touching and folding back', () => {
    expect(segmentsIntersect(0, 0, 10, 10, 0, 10, 10, 0)).toBe(true);
    expect(segmentsIntersect(0, 0, 10, 0, 0, 1, 10, 1)).toBe(false);
    expect(segmentsIntersect(0, 0, 10, 0, 10, 0, 10, 5)).toBe(true); // touching at an end
    expect(ringSelfIntersects(square(0, 0, 10))).toBe(false);
    expect(ringSelfIntersects([0, 0, 10, 10, 10, 0, 0, 10])).toBe(true); // a bow tie
    expect(ringSelfIntersects([0, 0, 10, 0, 5, 0, 5, 5])).toBe(true); // folds back on its first edge
    const moved = square(0, 0, 10);
    moved[4] = -5; // point 2 dragged across the left edge
    expect(pointEdgesIntersect(moved, 2)).toBe(true);
    expect(pointEdgesIntersect(square(0, 0, 10), 2)).toBe(false);
  });

  it('checks the edge a new point adds to an open chain', () => {
    expect(lastEdgeIntersects([0, 0, 10, 0, 10, 10])).toBe(false);
    expect(lastEdgeIntersects([0, 0, 10, 0, 10, 10, 5, -5])).toBe(true);
    expect(distinctPoints([0, 0, 1, 1, 0, 0, 2, 2])).toBe(3);
  });

  it('finds repeated points and rings that meet', () => {
    expect(hasRepeatedPoint([0, 0, 10, 0, 10, 0, 0, 10])).toBe(true);
    expect(hasRepeatedPoint([0, 0, 10, 0, 0, 10, 0, 0])).toBe(true); // the last is the first
    expect(hasRepeatedPoint(square(0, 0, 10))).toBe(false);
    expect(ringsMeet(square(0, 0, 100), square(25, 25, 50))).toBe(false); // a hole
    expect(ringsMeet(square(0, 0, 100), square(200, 0, 50))).toBe(false); // a further part
    expect(ringsMeet(square(0, 0, 100), square(50, 50, 100))).toBe(true);
    expect(ringsMeet(square(0, 0, 100), square(100, 0, 50))).toBe(true); // touching
  });
});
