// Pure helpers for the category editor: hotkeys and reordering. DOM-free.
import type { Category } from '../api/types';

/** Labelers press 1..9; this is how many categories get a hotkey. */
export const HOTKEY_COUNT = 9;

/** Sorts by display_order, then id (the server's display order). */
export function byDisplayOrder(list: readonly Category[]): Category[] {
  return [...list].sort((a, b) => a.display_order - b.display_order || a.id - b.id);
}

/**
 * Maps category id -> hotkey ("1".."9") for the first nine ACTIVE categories
 * in the order given (display order). Disabled and deleted categories get no
 * hotkey and do not use up a number.
 */
export function hotkeyMap(ordered: readonly Category[]): Map<number, string> {
  const keys = new Map<number, string>();
  for (const c of ordered) {
    if (keys.size >= HOTKEY_COUNT) break;
    if (c.state === 'active') keys.set(c.id, String(keys.size + 1));
  }
  return keys;
}

/** Returns a copy of `list` with the item at `from` moved to index `to`. */
export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  const out = [...list];
  if (from < 0 || from >= out.length || to < 0 || to >= out.length || from === to) return out;
  const [item] = out.splice(from, 1) as [T];
  out.splice(to, 0, item);
  return out;
}

/**
 * The body of `PUT .../categories/order`: every non-deleted id, in the order
 * shown. Deleted rows (visible with "show deleted") are left out.
 */
export function orderPayload(ordered: readonly Category[]): number[] {
  return ordered.filter((c) => c.state !== 'deleted').map((c) => c.id);
}

/**
 * Moves category `id` one step up (-1) or down (+1) among the non-deleted
 * rows, skipping over deleted rows that may be shown between them. Returns
 * null when the move is not possible (first/last, unknown or deleted id).
 */
export function moveByStep(ordered: readonly Category[], id: number, step: -1 | 1): Category[] | null {
  const from = ordered.findIndex((c) => c.id === id);
  if (from < 0 || ordered[from]?.state === 'deleted') return null;
  let to = from + step;
  while (to >= 0 && to < ordered.length && ordered[to]?.state === 'deleted') to += step;
  if (to < 0 || to >= ordered.length) return null;
  return moveItem(ordered, from, to);
}

/**
 * Moves category `id` to the position of `targetId` (drag and drop: dropping
 * on a row puts the dragged row where that row was). Null if nothing changes.
 */
export function moveOnto(ordered: readonly Category[], id: number, targetId: number): Category[] | null {
  const from = ordered.findIndex((c) => c.id === id);
  const to = ordered.findIndex((c) => c.id === targetId);
  if (from < 0 || to < 0 || from === to) return null;
  if (ordered[from]?.state === 'deleted') return null;
  return moveItem(ordered, from, to);
}

/** Gives each category its new display_order (1-based) after a local reorder. */
export function renumber(ordered: readonly Category[]): Category[] {
  return ordered.map((c, i) => (c.display_order === i + 1 ? c : { ...c, display_order: i + 1 }));
}

/** Same ids in the same order? */
export function sameOrder(a: readonly Category[], b: readonly Category[]): boolean {
  return a.length === b.length && a.every((c, i) => c.id === b[i]?.id);
}
