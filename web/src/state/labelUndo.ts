// Undo and redo of the label changes of this page, across images, and the
// list of the images labeled last (kept in Web Storage, so a reload keeps
// it). An undo is a new write like any other: it carries the revision it is
// built on, so it cannot overwrite someone else's later change. DOM-free
// apart from the storage passed in.
import { signal } from '@preact/signals';
import type { AnnotationChange } from '../api/labeling';
import type { LocalAnnotation } from './labelLocal';

export interface LabelStep {
  projectId: number;
  assetId: number;
  before: LocalAnnotation;
  after: LocalAnnotation;
}

const MAX_STEPS = 200;
export const undoStack = signal<readonly LabelStep[]>([]);
export const redoStack = signal<readonly LabelStep[]>([]);

/** A new change was made: it can be undone, and what was undone before cannot be redone any more. */
export function recordStep(step: LabelStep): void {
  undoStack.value = [...undoStack.value, step].slice(-MAX_STEPS);
  redoStack.value = [];
}

/** Takes the last step to undo (it moves to the redo stack). */
export function takeUndo(): LabelStep | null {
  const s = undoStack.value[undoStack.value.length - 1];
  if (!s) return null;
  undoStack.value = undoStack.value.slice(0, -1);
  redoStack.value = [...redoStack.value, s];
  return s;
}

/** Takes the last undone step to do again (it moves back to the undo stack). */
export function takeRedo(): LabelStep | null {
  const s = redoStack.value[redoStack.value.length - 1];
  if (!s) return null;
  redoStack.value = redoStack.value.slice(0, -1);
  undoStack.value = [...undoStack.value, s];
  return s;
}

export function clearUndo(): void {
  undoStack.value = [];
  redoStack.value = [];
}

const sameSet = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x) => b.includes(x));

/**
 * The one write that brings an annotation from `cur` to `target`: a status
 * for unlabeled and skipped, the categories when they differ (which makes
 * it labeled), else the status.
 */
export function changeTo(cur: LocalAnnotation, target: LocalAnnotation): AnnotationChange | null {
  if (target.status === 'unlabeled' || target.status === 'skipped') return cur.status === target.status ? null : { status: target.status };
  if (!sameSet(cur.category_ids, target.category_ids)) return { category_ids: [...target.category_ids] };
  return cur.status === target.status ? null : { status: target.status };
}

// ---- recent work ----------------------------------------------------------

export interface RecentItem {
  id: number;
  file_name: string;
}

export const RECENT_MAX = 50;

/** The images labeled last in a project, newest first, at most RECENT_MAX, kept in `store`. */
export function createRecent(projectId: number, store: Storage | undefined = typeof localStorage !== 'undefined' ? localStorage : undefined) {
  const key = `tessera-recent:${projectId}`;
  let initial: RecentItem[] = [];
  try {
    const v = JSON.parse(store?.getItem(key) ?? '[]') as unknown;
    if (Array.isArray(v)) initial = v.filter((x: RecentItem) => typeof x?.id === 'number' && typeof x.file_name === 'string');
  } catch {
    initial = [];
  }
  const items = signal<readonly RecentItem[]>(initial.slice(0, RECENT_MAX));
  return {
    items,
    add(item: RecentItem): void {
      items.value = [item, ...items.value.filter((x) => x.id !== item.id)].slice(0, RECENT_MAX);
      try {
        store?.setItem(key, JSON.stringify(items.value));
      } catch {
        // Full or disabled: the list lives on in this page.
      }
    },
  };
}
