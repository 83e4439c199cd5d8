// The commands of the labeling screen that depend on the project's task
// type: multi-label (toggle, "none of these", save) and boxes (category,
// select, move, delete, hide, undo). They replace the single-label assign
// commands of labelCommands() and keep the rest (skip, zoom, help), so the
// keyboard, the panels and the `?` help still read one list. DOM-free.
import type { Asset } from '../api/assets';
import type { Category, TaskType } from '../api/types';
import { assignable, type LabelCommand } from './labelActions';

export type TaskCommandId =
  | `toggle:${number}`
  | `boxcat:${number}`
  | 'none'
  | 'save'
  | 'noObjects'
  | 'selectNext'
  | 'selectPrev'
  | 'nudgeLeft'
  | 'nudgeRight'
  | 'nudgeUp'
  | 'nudgeDown'
  | 'nudgeLeft10'
  | 'nudgeRight10'
  | 'nudgeUp10'
  | 'nudgeDown10'
  | 'deleteBox'
  | 'hideBoxes'
  | 'undo'
  | 'redo'
  | 'copyPrevFrame'
  | 'closeRing'
  | 'popPoint'
  | 'cancelDraw'
  | 'drawNew'
  | 'addRing'
  | 'deletePolygon'
  | 'toggleFill';

export interface MultiHandlers {
  toggle: (categoryId: number) => void;
  /** "None of these": the explicit empty answer. */
  none: () => void;
  /** Saves the checked categories and goes to the next image. */
  save: () => void;
}

export interface BoxHandlers {
  pickCategory: (categoryId: number) => void;
  selectNext: (dir: 1 | -1) => void;
  /** Moves the selected box; false when none is selected. */
  nudge: (dx: number, dy: number) => boolean;
  deleteBox: () => void;
  toggleHidden: () => void;
  undo: () => void;
  redo: () => void;
  /** "No objects": the explicit empty answer. */
  noObjects: () => void;
  /** For a video frame: the boxes of the previous frame of the same video, added. */
  copyPrevFrame: () => void;
}

export interface PolygonHandlers {
  pickCategory: (categoryId: number) => void;
  selectNext: (dir: 1 | -1) => void;
  /** Enter: closes the ring being drawn. */
  closeRing: () => void;
  /** Backspace while drawing: the last point; false when not drawing. */
  popPoint: () => boolean;
  /** Escape: the ring being drawn goes (else the selection ends). */
  cancel: () => void;
  /** The next clicks draw a new object, even over others. */
  drawNew: () => void;
  /** The next clicks draw a further ring of the selected object. */
  addRing: () => void;
  /** The selected vertex, or else the selected object. */
  deleteSelected: () => void;
  toggleHidden: () => void;
  toggleFill: () => void;
  undo: () => void;
  redo: () => void;
  noObjects: () => void;
  copyPrevFrame: () => void;
}

/** A mouse gesture of an image tool, listed by the help beside the keys. */
export interface Gesture {
  /** How, e.g. "Shift+drag". */
  how: string;
  label: string;
}

export const BOX_GESTURES: readonly Gesture[] = [
  { how: 'Drag', label: 'Draw a box (on empty space), move a box (inside it)' },
  { how: 'Drag a handle', label: 'Resize the selected box' },
  { how: 'Wheel, middle drag', label: 'Zoom, pan (also while drawing)' },
];

export const POLYGON_GESTURES: readonly Gesture[] = [
  { how: 'Click', label: 'Add a point (on empty space: start a new polygon); on a polygon: select it' },
  { how: 'Click the first point', label: 'Close the ring' },
  { how: 'Drag a point', label: 'Move a point of the selected polygon (a click selects it)' },
  { how: 'Click an edge, Alt+click', label: 'Insert a point on the selected polygon' },
  { how: 'Shift+drag', label: 'Move a whole polygon' },
  { how: 'Wheel, middle drag', label: 'Zoom, pan (also while drawing)' },
];

/** The frame of the same video just before `a` among `items` (by frame index), if any. */
export function previousFrame(items: readonly Asset[], a: Asset): Asset | undefined {
  const src = a.source;
  if (src.type !== 'video_frame') return undefined;
  let best: Asset | undefined;
  for (const x of items) {
    const s = x.source;
    if (s.type !== 'video_frame' || s.video_id !== src.video_id || s.frame_index >= src.frame_index) continue;
    if (!best || (best.source.type === 'video_frame' && s.frame_index > best.source.frame_index)) best = x;
  }
  return best;
}

/** The checked set after key `id` was pressed. */
export function toggled(ids: readonly number[], id: number): number[] {
  return ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id].sort((a, b) => a - b);
}

const withoutAssign = (base: readonly LabelCommand[]) => base.filter((c) => !c.id.startsWith('assign:'));
const cmd = (c: LabelCommand) => c;

/** Multi-label: 1..9 toggle, N is "none of these", Enter or → saves and moves on. */
export function multiCommands(categories: readonly Category[], base: readonly LabelCommand[], h: MultiHandlers): LabelCommand[] {
  const toggles = assignable(categories).map(
    (c, i): LabelCommand => ({
      id: `toggle:${c.id}`,
      label: `Check or uncheck “${c.name}”`,
      keys: i < 9 ? [String(i + 1)] : [],
      run: () => h.toggle(c.id),
      categoryId: c.id,
    }),
  );
  const rest = withoutAssign(base).filter((c) => c.id !== 'next');
  return [
    ...toggles,
    cmd({ id: 'none', label: 'None of these (an answer of its own), then the next image', keys: ['N'], run: h.none }),
    cmd({ id: 'save', label: 'Save the checked categories and go to the next image', keys: ['Enter', 'ArrowRight'], run: h.save }),
    ...rest,
  ];
}

/**
 * Boxes: 1..9 pick the category for new boxes (or change the selected box's),
 * Tab selects, arrows move (Shift: 10 px), Delete deletes, H hides, Ctrl+Z
 * undoes. Without a selected box, ← and → still go to the previous and next
 * image; PageUp and PageDown always do.
 */
export function boxCommands(categories: readonly Category[], base: readonly LabelCommand[], h: BoxHandlers): LabelCommand[] {
  const cats = objectCategories(categories, 'box', h.pickCategory);
  const rest = withoutAssign(base);
  const prev = rest.find((c) => c.id === 'prev');
  const next = rest.find((c) => c.id === 'next');
  const nav = (c: LabelCommand | undefined, key: string): LabelCommand[] =>
    c ? [{ ...c, keys: [key], label: `${c.label} (also ${key === 'PageUp' ? '←' : '→'} when no box is selected)` }] : [];
  const nudge = (id: TaskCommandId, label: string, key: string, dx: number, dy: number, fallback?: LabelCommand) =>
    cmd({
      id,
      label,
      keys: [key],
      run: () => {
        if (!h.nudge(dx, dy)) fallback?.run();
      },
    });
  return [
    ...cats,
    cmd({ id: 'selectNext', label: 'Select the next box', keys: ['Tab'], run: () => h.selectNext(1) }),
    cmd({ id: 'selectPrev', label: 'Select the previous box', keys: ['Shift+Tab'], run: () => h.selectNext(-1) }),
    nudge('nudgeLeft', 'Move the selected box 1 px left', 'ArrowLeft', -1, 0, prev),
    nudge('nudgeRight', 'Move the selected box 1 px right', 'ArrowRight', 1, 0, next),
    nudge('nudgeUp', 'Move the selected box 1 px up', 'ArrowUp', 0, -1),
    nudge('nudgeDown', 'Move the selected box 1 px down', 'ArrowDown', 0, 1),
    nudge('nudgeLeft10', 'Move the selected box 10 px left', 'Shift+ArrowLeft', -10, 0),
    nudge('nudgeRight10', 'Move the selected box 10 px right', 'Shift+ArrowRight', 10, 0),
    nudge('nudgeUp10', 'Move the selected box 10 px up', 'Shift+ArrowUp', 0, -10),
    nudge('nudgeDown10', 'Move the selected box 10 px down', 'Shift+ArrowDown', 0, 10),
    cmd({ id: 'deleteBox', label: 'Delete the selected box', keys: ['Delete', 'Backspace'], run: h.deleteBox }),
    cmd({ id: 'hideBoxes', label: 'Hide or show every box', keys: ['H'], run: h.toggleHidden }),
    ...imageCommands(h, 'boxes'),
    ...nav(prev, 'PageUp'),
    ...nav(next, 'PageDown'),
    // Undo and redo work within the image here (the box editor's own history).
    ...rest.filter((c) => c.id !== 'prev' && c.id !== 'next' && c.id !== 'undo' && c.id !== 'redo'),
  ];
}

/** 1..9: the category for new objects, or for the selected one. */
function objectCategories(categories: readonly Category[], noun: string, pick: (id: number) => void): LabelCommand[] {
  return assignable(categories).map(
    (c, i): LabelCommand => ({
      id: `boxcat:${c.id}`,
      label: `Category “${c.name}” for new ${noun === 'box' ? 'boxes' : `${noun}s`}, or for the selected ${noun}`,
      keys: i < 9 ? [String(i + 1)] : [],
      run: () => pick(c.id),
      categoryId: c.id,
    }),
  );
}

/** Undo and redo within the image, copying the previous frame's objects, and "no objects". */
function imageCommands(h: { undo: () => void; redo: () => void; copyPrevFrame: () => void; noObjects: () => void }, what: string): LabelCommand[] {
  return [
    cmd({ id: 'undo', label: 'Undo (within this image)', keys: ['Ctrl+Z', 'Meta+Z'], run: h.undo }),
    cmd({ id: 'redo', label: 'Redo', keys: ['Ctrl+Shift+Z', 'Ctrl+Y', 'Shift+Meta+Z'], run: h.redo }),
    cmd({ id: 'copyPrevFrame', label: `Copy the ${what} of the previous frame (video frames)`, keys: ['C'], run: h.copyPrevFrame }),
    cmd({ id: 'noObjects', label: 'No objects in this image (an answer of its own), then the next image', keys: ['N'], run: h.noObjects }),
  ];
}

/**
 * Polygons: clicks draw (Enter closes, Backspace takes the last point back,
 * Escape cancels), 1..9 pick the category, Tab selects, Delete deletes the
 * selected vertex or object, R adds a ring to the selected object, D starts
 * a new object over others, H hides, O turns the fill on or off, Ctrl+Z
 * undoes within the image. ← and → go to the previous and next image.
 */
export function polygonCommands(categories: readonly Category[], base: readonly LabelCommand[], h: PolygonHandlers): LabelCommand[] {
  const rest = withoutAssign(base).filter((c) => c.id !== 'undo' && c.id !== 'redo');
  return [
    ...objectCategories(categories, 'polygon', h.pickCategory),
    cmd({ id: 'closeRing', label: 'Close the ring being drawn (or click its first point)', keys: ['Enter'], run: h.closeRing }),
    cmd({
      id: 'popPoint',
      label: 'Remove the last point of the ring being drawn (otherwise as Delete)',
      keys: ['Backspace'],
      run: () => {
        if (!h.popPoint()) h.deleteSelected();
      },
    }),
    cmd({ id: 'cancelDraw', label: 'Cancel the ring being drawn, or unselect', keys: ['Escape'], run: h.cancel }),
    cmd({ id: 'deletePolygon', label: 'Delete the selected vertex, or the selected polygon when no vertex is selected', keys: ['Delete'], run: h.deleteSelected }),
    cmd({ id: 'addRing', label: 'Add a ring to the selected polygon: a further part, or a hole when drawn inside it', keys: ['R'], run: h.addRing }),
    cmd({ id: 'drawNew', label: 'Draw a new polygon, even starting over another one', keys: ['D'], run: h.drawNew }),
    cmd({ id: 'selectNext', label: 'Select the next polygon', keys: ['Tab'], run: () => h.selectNext(1) }),
    cmd({ id: 'selectPrev', label: 'Select the previous polygon', keys: ['Shift+Tab'], run: () => h.selectNext(-1) }),
    cmd({ id: 'hideBoxes', label: 'Hide or show every polygon', keys: ['H'], run: h.toggleHidden }),
    cmd({ id: 'toggleFill', label: 'Fill the polygons, or outline them only', keys: ['O'], run: h.toggleFill }),
    ...imageCommands(h, 'polygons'),
    ...rest,
  ];
}

/** What a task type's labeling screen shows: the single-label list, the multi-label checklist, the box or the polygon editor. */
export function labelMode(t: TaskType | undefined): 'single' | 'multi' | 'boxes' | 'polygons' {
  if (t === 'detection') return 'boxes';
  if (t === 'segmentation') return 'polygons';
  return t === 'classification_multi' ? 'multi' : 'single';
}
