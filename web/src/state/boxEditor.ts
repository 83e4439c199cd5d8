// The box editor of one image: its boxes, the selected one, the category for
// new boxes, hiding, and undo/redo within the image. Geometry is in image
// pixels of the displayed (EXIF-oriented) frame, clamped to the image.
// DOM-free: the canvas component turns pointer events into these actions,
// and every finished edit goes to onCommit (which queues the write).
import { signal } from '@preact/signals';
import type { BoxObject } from '../api/assets';
import { createEditHistory } from './editHistory';

export type Bbox = [number, number, number, number];

/** A resize handle: the corner or edge dragged (n, s, e, w and their corners). */
export type Handle = 'nw' | 'n' | 'ne' | 'e' | 'se' | 's' | 'sw' | 'w';
export const HANDLES: readonly Handle[] = ['nw', 'n', 'ne', 'e', 'se', 's', 'sw', 'w'];

/** Smallest box side, in image pixels: a click is not a box. */
export const MIN_SIDE = 2;

let idCounter = 0;
/** A new object id, unique enough within an image and stable across edits. */
export function newObjectId(): string {
  idCounter = (idCounter + 1) % 1679616;
  return `b${Date.now().toString(36)}${idCounter.toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}

const round = (v: number) => Math.round(v * 100) / 100;

/**
 * A span [start, start + len] on [0, max], rounded to 0.01 px, with
 * start + len <= max exactly as the server checks it (in doubles).
 */
function fitSpan(start: number, len: number, max: number): [number, number] {
  let a = round(Math.max(0, Math.min(start, max)));
  let l = round(Math.min(len, max - a));
  while (a + l > max && l > 0) {
    if (a > 0) a = Math.max(0, round(a - 0.01));
    else l = round(l - 0.01);
  }
  return [a, l];
}

/** bbox clamped to a w x h image, or null when nothing of it is left. */
export function clampBbox(b: Bbox, w: number, h: number): Bbox | null {
  const x0 = Math.max(0, Math.min(w, b[0]));
  const y0 = Math.max(0, Math.min(h, b[1]));
  const x1 = Math.max(0, Math.min(w, b[0] + b[2]));
  const y1 = Math.max(0, Math.min(h, b[1] + b[3]));
  if (x1 - x0 <= 0 || y1 - y0 <= 0) return null;
  const [x, bw] = fitSpan(x0, x1 - x0, w);
  const [y, bh] = fitSpan(y0, y1 - y0, h);
  return bw > 0 && bh > 0 ? [x, y, bw, bh] : null;
}

/** The box spanned by two corners, in any order. */
export function spanBbox(ax: number, ay: number, bx: number, by: number): Bbox {
  return [Math.min(ax, bx), Math.min(ay, by), Math.abs(bx - ax), Math.abs(by - ay)];
}

/** b moved by (dx, dy), kept whole inside the image. */
export function moveBbox(b: Bbox, dx: number, dy: number, w: number, h: number): Bbox {
  const [x, bw] = fitSpan(Math.min(w - b[2], b[0] + dx), b[2], w);
  const [y, bh] = fitSpan(Math.min(h - b[3], b[1] + dy), b[3], h);
  return [x, y, bw, bh];
}

/** b with the handle dragged to (px, py); flips over when dragged past the opposite side. */
export function resizeBbox(b: Bbox, handle: Handle, px: number, py: number, w: number, h: number): Bbox | null {
  let x0 = b[0];
  let y0 = b[1];
  let x1 = b[0] + b[2];
  let y1 = b[1] + b[3];
  if (handle.includes('w')) x0 = px;
  if (handle.includes('e')) x1 = px;
  if (handle.includes('n')) y0 = py;
  if (handle.includes('s')) y1 = py;
  return clampBbox(spanBbox(x0, y0, x1, y1), w, h);
}

/** Where a handle sits on a box. */
export function handlePoint(b: Bbox, handle: Handle): [number, number] {
  const xs = { w: b[0], c: b[0] + b[2] / 2, e: b[0] + b[2] };
  const ys = { n: b[1], c: b[1] + b[3] / 2, s: b[1] + b[3] };
  const x = handle.includes('w') ? xs.w : handle.includes('e') ? xs.e : xs.c;
  const y = handle.includes('n') ? ys.n : handle.includes('s') ? ys.s : ys.c;
  return [x, y];
}

export interface Hit {
  id: string;
  /** A handle of the selected box, or null for its inside. */
  handle: Handle | null;
}

/**
 * What is under (x, y): a handle of the selected box first (within tol
 * image pixels), then the smallest box containing the point (so a small box
 * inside a large one can be picked).
 */
export function hitTest(boxes: readonly BoxObject[], selected: string | null, x: number, y: number, tol: number): Hit | null {
  const sel = selected ? boxes.find((b) => b.id === selected) : undefined;
  if (sel) {
    for (const hd of HANDLES) {
      const [hx, hy] = handlePoint(sel.bbox, hd);
      if (Math.abs(hx - x) <= tol && Math.abs(hy - y) <= tol) return { id: sel.id, handle: hd };
    }
  }
  let best: BoxObject | null = null;
  for (const b of boxes) {
    const [bx, by, bw, bh] = b.bbox;
    if (x >= bx - tol && x <= bx + bw + tol && y >= by - tol && y <= by + bh + tol) {
      if (!best || bw * bh < best.bbox[2] * best.bbox[3]) best = b;
    }
  }
  return best ? { id: best.id, handle: null } : null;
}

export interface BoxEditorOptions {
  width: number;
  height: number;
  /** Called with the boxes after every finished edit (and after undo/redo). */
  onCommit?: (boxes: BoxObject[]) => void;
  newId?: () => string;
}

/** The editor of one image's boxes, in the stores' idiom: signals and actions. */
export function createBoxEditor(opts: BoxEditorOptions) {
  const { width, height } = opts;
  const boxes = signal<BoxObject[]>([]);
  const selected = signal<string | null>(null);
  const hidden = signal(false);
  const newCategory = signal<number | null>(null);
  const history = createEditHistory<BoxObject[]>();
  const { canUndo, canRedo } = history;
  const makeId = opts.newId ?? newObjectId;

  /** Shows a state reached by an edit, undo or redo, and reports it. */
  function show(next: BoxObject[]): void {
    boxes.value = next;
    if (selected.value && !next.some((b) => b.id === selected.value)) selected.value = null;
    opts.onCommit?.(next);
  }

  /** Replaces the boxes as one undoable edit, and reports it. */
  function commit(next: BoxObject[]): void {
    history.push(boxes.value);
    show(next);
  }

  function update(id: string, f: (b: BoxObject) => BoxObject | null): boolean {
    const cur = boxes.value.find((b) => b.id === id);
    if (!cur) return false;
    const nb = f(cur);
    if (!nb || (nb.category_id === cur.category_id && nb.bbox.every((v, i) => v === cur.bbox[i]))) return false;
    commit(boxes.value.map((b) => (b.id === id ? nb : b)));
    return true;
  }

  const sel = () => (selected.value ? boxes.value.find((b) => b.id === selected.value) : undefined);

  return {
    width,
    height,
    boxes,
    selected,
    hidden,
    newCategory,
    canUndo,
    canRedo,

    /** Shows the boxes of the image as saved (or as queued): not an edit, and the undo history starts over. */
    load(list: readonly BoxObject[]): void {
      boxes.value = list.map((b) => ({ ...b, bbox: [...b.bbox] as Bbox }));
      history.clear();
      if (selected.value && !list.some((b) => b.id === selected.value)) selected.value = null;
    },

    /** Adds a box of the category for new boxes (or the given one); returns its id, or null when too small. */
    add(bbox: Bbox, categoryId: number | null = newCategory.value): string | null {
      if (categoryId === null) return null;
      const b = clampBbox(bbox, width, height);
      if (!b || b[2] < MIN_SIDE || b[3] < MIN_SIDE) return null;
      const id = makeId();
      commit([...boxes.value, { id, category_id: categoryId, bbox: b }]);
      selected.value = id;
      return id;
    },

    /** Replaces every box as one undoable edit (boxes copied from another frame), each clamped to this image. */
    replaceAll(list: readonly BoxObject[]): void {
      const next: BoxObject[] = [];
      for (const o of list) {
        const b = clampBbox(o.bbox, width, height);
        if (b) next.push({ ...o, bbox: b });
      }
      commit(next);
    },

    setBbox(id: string, bbox: Bbox): boolean {
      const b = clampBbox(bbox, width, height);
      if (!b || b[2] < MIN_SIDE / 2 || b[3] < MIN_SIDE / 2) return false;
      return update(id, (o) => ({ ...o, bbox: b }));
    },

    /** Moves the selected box by (dx, dy) pixels. */
    nudge(dx: number, dy: number): boolean {
      const s = sel();
      if (!s) return false;
      return update(s.id, (o) => ({ ...o, bbox: moveBbox(o.bbox, dx, dy, width, height) }));
    },

    /** The number key: the selected box's category, or else the category for new boxes. */
    pickCategory(categoryId: number): void {
      const s = sel();
      if (s) update(s.id, (o) => ({ ...o, category_id: categoryId }));
      newCategory.value = categoryId;
    },

    removeSelected(): boolean {
      const s = sel();
      if (!s) return false;
      commit(boxes.value.filter((b) => b.id !== s.id));
      return true;
    },

    select(id: string | null): void {
      selected.value = id;
    },

    /** Tab: the next box (Shift+Tab: the previous one), in drawing order. */
    selectNext(dir: 1 | -1): void {
      const list = boxes.value;
      if (list.length === 0) return;
      const i = list.findIndex((b) => b.id === selected.value);
      const n = i < 0 ? (dir > 0 ? 0 : list.length - 1) : (i + dir + list.length) % list.length;
      selected.value = list[n]?.id ?? null;
    },

    toggleHidden(): void {
      hidden.value = !hidden.value;
    },

    undo(): boolean {
      const prev = history.undo(boxes.value);
      if (!prev) return false;
      show(prev);
      return true;
    },

    redo(): boolean {
      const next = history.redo(boxes.value);
      if (!next) return false;
      show(next);
      return true;
    },
  };
}

export type BoxEditor = ReturnType<typeof createBoxEditor>;

/** The same boxes, in the same order (compared by value). */
export function sameBoxes(a: readonly BoxObject[], b: readonly BoxObject[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (!x || !y || x.id !== y.id || x.category_id !== y.category_id || x.bbox.some((v, k) => v !== y.bbox[k])) return false;
  }
  return true;
}
