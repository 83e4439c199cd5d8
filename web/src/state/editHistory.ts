// The undo/redo history of an editor of one image (boxes, polygons): the
// states before each edit, bounded, and the canUndo/canRedo flags the
// panels show. The editor owns the current state; this keeps the others.
import { signal } from '@preact/signals';

/** Undo steps kept per image. */
export const UNDO_LIMIT = 200;

export function createEditHistory<T>(limit = UNDO_LIMIT) {
  let past: T[] = [];
  let future: T[] = [];
  const canUndo = signal(false);
  const canRedo = signal(false);
  const flags = () => {
    canUndo.value = past.length > 0;
    canRedo.value = future.length > 0;
  };
  return {
    canUndo,
    canRedo,
    /** Before an edit: `current` is the state it replaces. The redo steps end. */
    push(current: T): void {
      past.push(current);
      if (past.length > limit) past = past.slice(-limit);
      future = [];
      flags();
    },
    /** The state to go back to from `current`, or undefined when there is none. */
    undo(current: T): T | undefined {
      const prev = past.pop();
      if (prev === undefined) return undefined;
      future.push(current);
      flags();
      return prev;
    },
    redo(current: T): T | undefined {
      const next = future.pop();
      if (next === undefined) return undefined;
      past.push(current);
      flags();
      return next;
    },
    /** Forgets every step (another image, or its state as saved). */
    clear(): void {
      past = [];
      future = [];
      flags();
    },
  };
}

export type EditHistory<T> = ReturnType<typeof createEditHistory<T>>;
