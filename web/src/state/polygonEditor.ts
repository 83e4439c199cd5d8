// The polygon editor of one image: its objects (each one or more rings), the
// selected object and vertex, the ring being drawn, the category for new
// objects, hiding, fill, and undo/redo within the image. Geometry is in
// image pixels of the displayed frame, kept inside the image and rounded to
// 0.01 px. A ring must keep 3 distinct points and never cross itself: an
// edit that would break that is refused, with a notice saying why.
// DOM-free: the canvas component turns pointer events into these actions,
// and every finished edit goes to onCommit (which queues the write).
import { signal } from '@preact/signals';
import type { PolygonObject } from '../api/assets';
import {
  bounds,
  distinctPoints,
  hasRepeatedPoint,
  lastEdgeIntersects,
  nearestEdge,
  nearestPoint,
  pointCount,
  pointInRings,
  ringsMeet,
  ringSelfIntersects,
  signedArea,
} from '../lib/polygon';
import { newObjectId } from './boxEditor';
import { createEditHistory } from './editHistory';

/** A vertex of the selected object: ring index and point index. */
export interface VertexRef {
  ring: number;
  index: number;
}

/** A ring being drawn: for a new object (target null) or added to an object (a part, or a hole when inside it). */
export interface Drawing {
  target: string | null;
  points: number[];
}

export interface PolygonEditorOptions {
  width: number;
  height: number;
  /** Called with the objects after every finished edit (and after undo/redo). */
  onCommit?: (objects: PolygonObject[]) => void;
  newId?: () => string;
}

const round = (v: number) => Math.round(v * 100) / 100;

/** Smallest ring area, in square image pixels: three points on a line are not a ring. */
export const MIN_AREA = 1;

export const NOTICES = {
  crossing: 'That would make the ring cross itself.',
  ringsMeet: 'The rings of one polygon must not cross or touch: draw a hole inside it, or a part apart from it.',
  repeated: 'Two points of the ring in a row are the same.',
  tooFew: 'A ring needs at least 3 distinct points.',
  flat: 'The ring has no area.',
  noCategory: 'Pick a category first (keys 1–9).',
} as const;

/** A point kept inside a w x h image and rounded. */
export function clampPoint(x: number, y: number, w: number, h: number): [number, number] {
  return [round(Math.max(0, Math.min(w, x))), round(Math.max(0, Math.min(h, y)))];
}

/** The rings moved by (dx, dy), the move cut short so that every point stays inside the image. */
export function translateRings(rings: readonly (readonly number[])[], dx: number, dy: number, w: number, h: number): number[][] {
  const [x0, y0, x1, y1] = bounds(rings);
  const mx = Math.max(-x0, Math.min(w - x1, dx));
  const my = Math.max(-y0, Math.min(h - y1, dy));
  return rings.map((r) => r.map((v, i) => round(Math.max(0, Math.min(i % 2 ? h : w, v + (i % 2 ? my : mx))))));
}

/**
 * Why a closed ring cannot be kept, or null when it is fine: the server's
 * rules (3 points, none repeated in a row, an area, no crossing), and none
 * of the object's other rings met.
 */
export function ringProblem(r: readonly number[], others: readonly (readonly number[])[] = []): string | null {
  if (distinctPoints(r) < 3) return NOTICES.tooFew;
  if (hasRepeatedPoint(r)) return NOTICES.repeated;
  if (ringSelfIntersects(r)) return NOTICES.crossing;
  if (Math.abs(signedArea(r)) < MIN_AREA) return NOTICES.flat;
  if (others.some((o) => ringsMeet(r, o))) return NOTICES.ringsMeet;
  return null;
}

/** The rings of an object but ring k. */
const othersThan = (rings: readonly (readonly number[])[], k: number) => rings.filter((_, i) => i !== k);

/** What is under the pointer. */
export type PolygonHit =
  | { kind: 'vertex'; id: string; ring: number; index: number }
  | { kind: 'edge'; id: string; ring: number; edge: number; x: number; y: number }
  | { kind: 'inside'; id: string };

/**
 * What is under (x, y): a vertex of the selected object first (within tol
 * image pixels), then an edge of it, then the smallest object containing the
 * point (so a small object over a large one can be picked), then any
 * object's outline within tol.
 */
export function hitPolygons(objects: readonly PolygonObject[], selected: string | null, x: number, y: number, tol: number): PolygonHit | null {
  const sel = selected ? objects.find((o) => o.id === selected) : undefined;
  if (sel) {
    for (let k = 0; k < sel.polygons.length; k++) {
      const i = nearestPoint(sel.polygons[k] ?? [], x, y, tol);
      if (i >= 0) return { kind: 'vertex', id: sel.id, ring: k, index: i };
    }
    for (let k = 0; k < sel.polygons.length; k++) {
      const e = nearestEdge(sel.polygons[k] ?? [], x, y, tol);
      if (e) return { kind: 'edge', id: sel.id, ring: k, edge: e.edge, x: e.x, y: e.y };
    }
  }
  let best: PolygonObject | null = null;
  let bestSize = Infinity;
  for (const o of objects) {
    const [x0, y0, x1, y1] = bounds(o.polygons);
    if (x < x0 - tol || x > x1 + tol || y < y0 - tol || y > y1 + tol) continue;
    const size = (x1 - x0) * (y1 - y0);
    if (size < bestSize && pointInRings(o.polygons, x, y)) {
      best = o;
      bestSize = size;
    }
  }
  if (best) return { kind: 'inside', id: best.id };
  for (const o of objects) {
    if (o.polygons.some((r) => nearestEdge(r, x, y, tol))) return { kind: 'inside', id: o.id };
  }
  return null;
}

/** The edge of an object's rings nearest to (x, y), at any distance (Alt+click inserts there). */
export function nearestEdgeOf(o: PolygonObject, x: number, y: number): { ring: number; edge: number } | null {
  let best: { ring: number; edge: number } | null = null;
  let tol = Infinity;
  o.polygons.forEach((r, k) => {
    const e = nearestEdge(r, x, y, tol === Infinity ? 1e9 : tol);
    if (!e) return;
    const d = Math.hypot(e.x - x, e.y - y);
    if (d < tol) {
      tol = d;
      best = { ring: k, edge: e.edge };
    }
  });
  return best;
}

const copy = (list: readonly PolygonObject[]): PolygonObject[] =>
  list.map((o) => ({ ...o, polygons: o.polygons.map((r) => [...r]) }));

/** The editor of one image's polygons, in the stores' idiom: signals and actions. */
export function createPolygonEditor(opts: PolygonEditorOptions) {
  const { width, height } = opts;
  const objects = signal<PolygonObject[]>([]);
  const selected = signal<string | null>(null);
  const vertex = signal<VertexRef | null>(null);
  const drawing = signal<Drawing | null>(null);
  const hidden = signal(false);
  const filled = signal(true);
  const newCategory = signal<number | null>(null);
  const notice = signal('');
  const history = createEditHistory<PolygonObject[]>();
  const makeId = opts.newId ?? newObjectId;

  const find = (id: string | null) => (id ? objects.value.find((o) => o.id === id) : undefined);

  function show(next: PolygonObject[]): void {
    objects.value = next;
    const s = find(selected.value);
    if (!s) select(null);
    else if (vertex.value && !s.polygons[vertex.value.ring]?.[2 * vertex.value.index + 1]) vertex.value = null;
    opts.onCommit?.(next);
  }

  /** Replaces the objects as one undoable edit, and reports it. */
  function commit(next: PolygonObject[]): void {
    history.push(objects.value);
    notice.value = '';
    show(next);
  }

  function refuse(why: string): false {
    notice.value = why;
    return false;
  }

  /** Replaces one object's rings (none left: the object goes). */
  function setRings(id: string, rings: number[][]): boolean {
    const cur = find(id);
    if (!cur) return false;
    commit(
      rings.length === 0
        ? objects.value.filter((o) => o.id !== id)
        : objects.value.map((o) => (o.id === id ? { ...o, polygons: rings } : o)),
    );
    return true;
  }

  function select(id: string | null): void {
    selected.value = id;
    vertex.value = null;
  }

  function cancelDrawing(): boolean {
    if (!drawing.value) return false;
    drawing.value = null;
    notice.value = '';
    return true;
  }

  function popPoint(): boolean {
    const d = drawing.value;
    if (!d) return false;
    if (d.points.length === 0) return cancelDrawing();
    drawing.value = { ...d, points: d.points.slice(0, -2) };
    notice.value = '';
    return true;
  }

  return {
    width,
    height,
    objects,
    selected,
    vertex,
    drawing,
    hidden,
    filled,
    newCategory,
    notice,
    canUndo: history.canUndo,
    canRedo: history.canRedo,

    /** Shows the objects of the image as saved (or as queued): not an edit, and the undo history starts over. */
    load(list: readonly PolygonObject[]): void {
      objects.value = copy(list);
      history.clear();
      if (!find(selected.value)) select(null);
      vertex.value = null;
    },

    /** Replaces every object as one undoable edit (objects copied from another frame), each point kept inside this image. */
    replaceAll(list: readonly PolygonObject[]): void {
      commit(list.map((o) => ({ ...o, polygons: o.polygons.map((r) => r.map((v, i) => round(Math.max(0, Math.min(i % 2 ? height : width, v))))) })));
    },

    /** Starts a ring: of a new object (target null), or of the given object. */
    startDrawing(target: string | null): void {
      if (target !== null && !find(target)) return;
      drawing.value = { target, points: [] };
      notice.value = '';
    },

    /** Adds a point to the ring being drawn (starting one for a new object when none is); false when refused. */
    addPoint(x: number, y: number): boolean {
      const d = drawing.value ?? { target: null, points: [] };
      const [px, py] = clampPoint(x, y, width, height);
      const n = pointCount(d.points);
      if (n > 0 && d.points[2 * n - 2] === px && d.points[2 * n - 1] === py) return false;
      const points = [...d.points, px, py];
      if (lastEdgeIntersects(points)) return refuse(NOTICES.crossing);
      drawing.value = { ...d, points };
      notice.value = '';
      return true;
    },

    popPoint,
    cancelDrawing,

    /** Closes the ring being drawn: a new object of the category for new objects, or a new ring of its object. */
    closeRing(): boolean {
      const d0 = drawing.value;
      if (!d0) return false;
      // A last point on the first one is the first one: the ring closes there.
      const n = pointCount(d0.points);
      const last = n > 1 && d0.points[0] === d0.points[2 * n - 2] && d0.points[1] === d0.points[2 * n - 1];
      const d = last ? { ...d0, points: d0.points.slice(0, -2) } : d0;
      const why = ringProblem(d.points, find(d.target)?.polygons ?? []);
      if (why) return refuse(why);
      if (d.target === null) {
        const cat = newCategory.value;
        if (cat === null) return refuse(NOTICES.noCategory);
        const id = makeId();
        drawing.value = null;
        commit([...objects.value, { id, category_id: cat, polygons: [d.points] }]);
        select(id);
        return true;
      }
      const o = find(d.target);
      drawing.value = null;
      if (!o) return false;
      setRings(o.id, [...o.polygons, d.points]);
      select(o.id);
      return true;
    },

    /** Replaces ring `ring` of object `id` (a vertex dragged, inserted); false when the ring would be refused. */
    setRing(id: string, ring: number, points: readonly number[]): boolean {
      const o = find(id);
      if (!o || !o.polygons[ring]) return false;
      const r = points.map((v, i) => round(Math.max(0, Math.min(i % 2 ? height : width, v))));
      if (r.length === o.polygons[ring]?.length && r.every((v, i) => v === o.polygons[ring]?.[i])) return false;
      const why = ringProblem(r, othersThan(o.polygons, ring));
      if (why) return refuse(why);
      return setRings(id, o.polygons.map((p, k) => (k === ring ? r : p)));
    },

    /** Inserts a point after point `after` of a ring of the selected object, and selects it. */
    insertPoint(id: string, ring: number, after: number, x: number, y: number): boolean {
      const o = find(id);
      const r = o?.polygons[ring];
      if (!o || !r) return false;
      const [px, py] = clampPoint(x, y, width, height);
      const next = [...r.slice(0, 2 * after + 2), px, py, ...r.slice(2 * after + 2)];
      const why = ringProblem(next, othersThan(o.polygons, ring));
      if (why) return refuse(why);
      setRings(id, o.polygons.map((p, k) => (k === ring ? next : p)));
      selected.value = id;
      vertex.value = { ring, index: after + 1 };
      return true;
    },

    /** Moves a whole object by (dx, dy), kept inside the image. */
    moveObject(id: string, dx: number, dy: number): boolean {
      const o = find(id);
      if (!o || (dx === 0 && dy === 0)) return false;
      const moved = translateRings(o.polygons, dx, dy, width, height);
      if (moved.every((r, k) => r.every((v, i) => v === o.polygons[k]?.[i]))) return false;
      return setRings(id, moved);
    },

    /**
     * Delete: the selected vertex (a ring left with fewer than 3 points goes,
     * and an object with no ring left), or else the selected object.
     */
    deleteSelected(): boolean {
      const o = find(selected.value);
      if (!o) return false;
      const v = vertex.value;
      if (!v) {
        commit(objects.value.filter((x) => x.id !== o.id));
        return true;
      }
      const r = o.polygons[v.ring];
      if (!r) return false;
      const next = [...r.slice(0, 2 * v.index), ...r.slice(2 * v.index + 2)];
      if (distinctPoints(next) >= 3) {
        const why = ringProblem(next, othersThan(o.polygons, v.ring));
        if (why) return refuse(why);
        vertex.value = null;
        return setRings(o.id, o.polygons.map((p, k) => (k === v.ring ? next : p)));
      }
      vertex.value = null;
      return setRings(o.id, o.polygons.filter((_, k) => k !== v.ring));
    },

    /** The number key: the selected object's category, and the category for new objects. */
    pickCategory(categoryId: number): void {
      const o = find(selected.value);
      if (o && o.category_id !== categoryId) commit(objects.value.map((x) => (x.id === o.id ? { ...x, category_id: categoryId } : x)));
      newCategory.value = categoryId;
    },

    select,

    selectVertex(id: string, ref: VertexRef | null): void {
      selected.value = id;
      vertex.value = ref;
    },

    /** Tab: the next object (Shift+Tab: the previous one), in drawing order. */
    selectNext(dir: 1 | -1): void {
      const list = objects.value;
      if (list.length === 0) return;
      const i = list.findIndex((o) => o.id === selected.value);
      const n = i < 0 ? (dir > 0 ? 0 : list.length - 1) : (i + dir + list.length) % list.length;
      select(list[n]?.id ?? null);
    },

    toggleHidden(): void {
      hidden.value = !hidden.value;
    },

    toggleFill(): void {
      filled.value = !filled.value;
    },

    /** Undo: while drawing, the last point; else the last edit. */
    undo(): boolean {
      if (drawing.value && drawing.value.points.length > 0) return popPoint();
      const prev = history.undo(objects.value);
      if (!prev) return false;
      notice.value = '';
      show(prev);
      return true;
    },

    redo(): boolean {
      const next = history.redo(objects.value);
      if (!next) return false;
      notice.value = '';
      show(next);
      return true;
    },
  };
}

export type PolygonEditor = ReturnType<typeof createPolygonEditor>;

/** The same objects, in the same order (compared by value). */
export function samePolygons(a: readonly PolygonObject[], b: readonly PolygonObject[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  return a.every((x, i) => {
    const y = b[i];
    return (
      !!y &&
      x.id === y.id &&
      x.category_id === y.category_id &&
      x.polygons.length === y.polygons.length &&
      x.polygons.every((r, k) => r.length === y.polygons[k]?.length && r.every((v, j) => v === y.polygons[k]?.[j]))
    );
  });
}
