import { describe, expect, it } from 'vitest';
import type { PolygonObject } from '../api/assets';
import { NOTICES, createPolygonEditor, samePolygons, translateRings } from './polygonEditor';

function editor() {
  const commits: PolygonObject[][] = [];
  let n = 0;
  const e = createPolygonEditor({ width: 400, height: 300, onCommit: (o) => commits.push(o), newId: () => `p${++n}` });
  e.newCategory.value = 3;
  return { e, commits };
}

function draw(e: ReturnType<typeof editor>['e'], pts: number[]) {
  for (let i = 0; i < pts.length; i += 2) e.addPoint(pts[i] ?? 0, pts[i + 1] ?? 0);
  return e.closeRing();
}

describe('polygon editor', () => {
  it('draws a ring point by point and closes it into an object of the category for new objects', () => {
    const { e, commits } = editor();
    expect(e.addPoint(10, 10)).toBe(true);
    e.addPoint(100, 10);
    expect(e.closeRing()).toBe(false); // two points
    expect(e.notice.value).toBe(NOTICES.tooFew);
    e.addPoint(100, 100);
    e.addPoint(10.004, 100.006);
    expect(e.closeRing()).toBe(true);
    expect(e.drawing.value).toBeNull();
    expect(e.objects.value).toEqual([{ id: 'p1', category_id: 3, polygons: [[10, 10, 100, 10, 100, 100, 10, 100.01]] }]);
    expect(e.selected.value).toBe('p1');
    expect(commits).toHaveLength(1);
  });

  it('keeps points inside the image, and Backspace and Escape while drawing', () => {
    const { e } = editor();
    e.addPoint(-5, 10);
    e.addPoint(500, 10);
    expect(e.drawing.value?.points).toEqual([0, 10, 400, 10]);
    e.popPoint();
    expect(e.drawing.value?.points).toEqual([0, 10]);
    e.popPoint();
    e.popPoint(); // nothing left: drawing ends
    expect(e.drawing.value).toBeNull();
    e.addPoint(1, 1);
    e.cancelDrawing();
    expect(e.drawing.value).toBeNull();
    expect(e.objects.value).toEqual([]);
    expect(e.canUndo.value).toBe(false);
  });

  it('refuses a point or a closing edge that makes the ring cross itself', () => {
    const { e } = editor();
    for (const [x, y] of [
      [0, 0],
      [100, 0],
      [100, 100],
    ]) e.addPoint(x ?? 0, y ?? 0);
    expect(e.addPoint(50, -50)).toBe(false); // would cross the first edge
    expect(e.notice.value).toBe(NOTICES.crossing);
    e.addPoint(0, 100);
    expect(e.addPoint(50, 120)).toBe(true); // crosses the bottom edge once closed
    expect(e.closeRing()).toBe(false);
    expect(e.notice.value).toBe(NOTICES.crossing);
    e.popPoint();
    expect(e.closeRing()).toBe(true);
    expect(e.notice.value).toBe('');
  });

  it('moves, inserts and deletes vertices; a ring left with 2 points goes, then the object', () => {
    const { e } = editor();
    draw(e, [0, 0, 100, 0, 100, 100, 0, 100]);
    expect(e.setRing('p1', 0, [0, 0, 150, 0, 100, 100, 0, 100])).toBe(true);
    expect(e.setRing('p1', 0, [0, 0, 100, 0, 0, 100, 100, 100])).toBe(false); // a bow tie
    expect(e.insertPoint('p1', 0, 0, 50, -2)).toBe(true); // on the first edge
    expect(e.objects.value[0]?.polygons[0]).toEqual([0, 0, 50, 0, 150, 0, 100, 100, 0, 100]);
    expect(e.vertex.value).toEqual({ ring: 0, index: 1 });
    expect(e.deleteSelected()).toBe(true); // the vertex
    expect(e.objects.value[0]?.polygons[0]).toEqual([0, 0, 150, 0, 100, 100, 0, 100]);
    expect(e.vertex.value).toBeNull();
    e.selectVertex('p1', { ring: 0, index: 0 });
    e.deleteSelected();
    expect(e.objects.value[0]?.polygons[0]).toHaveLength(6);
    e.selectVertex('p1', { ring: 0, index: 0 });
    e.deleteSelected(); // 2 points left: the ring goes, and the object with it
    expect(e.objects.value).toEqual([]);
    expect(e.selected.value).toBeNull();
  });

  it('deletes the selected object when no vertex is selected; Shift-drag moves a whole object, kept inside', () => {
    const { e } = editor();
    draw(e, [10, 10, 50, 10, 50, 50]);
    draw(e, [200, 200, 250, 200, 250, 250]);
    expect(e.moveObject('p2', 500, -20)).toBe(true);
    expect(e.objects.value[1]?.polygons[0]).toEqual([350, 180, 400, 180, 400, 230]);
    e.select('p1');
    e.deleteSelected();
    expect(e.objects.value.map((o) => o.id)).toEqual(['p2']);
    expect(translateRings([[0, 0, 10, 0, 10, 10]], -5, 5, 400, 300)).toEqual([[0, 5, 10, 5, 10, 15]]);
  });

  it('adds a second ring (a hole or a part) to the selected object', () => {
    const { e } = editor();
    draw(e, [0, 0, 200, 0, 200, 200, 0, 200]);
    e.startDrawing('p1');
    draw(e, [50, 50, 150, 50, 150, 150, 50, 150]);
    expect(e.objects.value).toHaveLength(1);
    expect(e.objects.value[0]?.polygons).toHaveLength(2);
    expect(e.selected.value).toBe('p1');
    // a ring crossing another of the same object is refused, as the server would
    e.startDrawing('p1');
    expect(draw(e, [150, 150, 300, 150, 300, 250])).toBe(false);
    expect(e.notice.value).toBe(NOTICES.ringsMeet);
    e.cancelDrawing();
    // so is a vertex of the hole dragged across the outer ring
    expect(e.setRing('p1', 1, [50, 50, 250, 50, 150, 150, 50, 150])).toBe(false);
    expect(e.objects.value[0]?.polygons[1]).toEqual([50, 50, 150, 50, 150, 150, 50, 150]);
    // a point dragged onto its neighbour repeats it
    expect(e.setRing('p1', 1, [50, 50, 50, 50, 150, 150, 50, 150])).toBe(false);
    expect(e.notice.value).toBe(NOTICES.repeated);
  });

  it('closes on a last point placed on the first one', () => {
    const { e } = editor();
    expect(draw(e, [0, 0, 100, 0, 100, 100, 0, 0])).toBe(true);
    expect(e.objects.value[0]?.polygons[0]).toEqual([0, 0, 100, 0, 100, 100]);
  });

  it('number keys change the selected object and the category for new ones; undo and redo', () => {
    const { e, commits } = editor();
    draw(e, [0, 0, 100, 0, 100, 100]);
    e.pickCategory(5);
    expect(e.objects.value[0]?.category_id).toBe(5);
    expect(e.newCategory.value).toBe(5);
    e.undo();
    expect(e.objects.value[0]?.category_id).toBe(3);
    e.undo();
    expect(e.objects.value).toEqual([]);
    e.redo();
    e.redo();
    expect(e.objects.value[0]?.category_id).toBe(5);
    expect(commits.at(-1)?.[0]?.category_id).toBe(5);
    // while drawing, undo takes back the last point first
    e.addPoint(300, 200);
    e.addPoint(350, 200);
    e.undo();
    expect(e.drawing.value?.points).toEqual([300, 200]);
    expect(e.objects.value).toHaveLength(1);
  });

  it('loading starts the history over; hide and fill toggle; Tab walks the objects', () => {
    const { e } = editor();
    const saved = [
      { id: 'a', category_id: 1, polygons: [[0, 0, 10, 0, 10, 10]] },
      { id: 'b', category_id: 2, polygons: [[20, 20, 30, 20, 30, 30]] },
    ];
    e.load(saved);
    expect(e.canUndo.value).toBe(false);
    expect(samePolygons(e.objects.value, saved)).toBe(true);
    e.objects.value[0]?.polygons[0]?.push(1, 1);
    expect(saved[0]?.polygons[0]).toHaveLength(6); // a copy
    e.selectNext(1);
    expect(e.selected.value).toBe('a');
    e.selectNext(-1);
    expect(e.selected.value).toBe('b');
    e.toggleHidden();
    e.toggleFill();
    expect([e.hidden.value, e.filled.value]).toEqual([true, false]);
  });
});

describe('hitPolygons', () => {
  const objs = [
    { id: 'big', category_id: 1, polygons: [[0, 0, 200, 0, 200, 200, 0, 200], [50, 50, 150, 50, 150, 150, 50, 150]] },
    { id: 'small', category_id: 1, polygons: [[10, 10, 40, 10, 40, 40, 10, 40]] },
  ];
  it('finds vertices and edges of the selected object first, then the smallest object under the point', async () => {
    const { hitPolygons, nearestEdgeOf } = await import('./polygonEditor');
    expect(hitPolygons(objs, 'big', 51, 149, 3)).toEqual({ kind: 'vertex', id: 'big', ring: 1, index: 3 });
    expect(hitPolygons(objs, 'big', 100, 1, 3)).toEqual({ kind: 'edge', id: 'big', ring: 0, edge: 0, x: 100, y: 0 });
    expect(hitPolygons(objs, null, 20, 20, 3)).toEqual({ kind: 'inside', id: 'small' });
    expect(hitPolygons(objs, null, 100, 100, 3)).toBeNull(); // in the hole
    expect(hitPolygons(objs, null, 100, 51, 3)).toEqual({ kind: 'inside', id: 'big' }); // on the hole's outline
    expect(hitPolygons(objs, null, 300, 300, 3)).toBeNull();
    expect(nearestEdgeOf(objs[0] as PolygonObject, 100, 60)).toEqual({ ring: 1, edge: 0 });
  });
});
