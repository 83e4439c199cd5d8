import { beforeEach, describe, expect, it } from 'vitest';
import { changeTo, clearUndo, createRecent, recordStep, redoStack, takeRedo, takeUndo, undoStack, RECENT_MAX } from './labelUndo';

function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k: string) => m.get(k) ?? null,
    key: (i: number) => [...m.keys()][i] ?? null,
    removeItem: (k: string) => void m.delete(k),
    setItem: (k: string, v: string) => void m.set(k, String(v)),
  };
}

const un = { status: 'unlabeled', category_ids: [] } as const;
const cat = (id: number) => ({ status: 'labeled' as const, category_ids: [id] });

describe('undo and redo', () => {
  beforeEach(clearUndo);
  it('undoes across images in reverse order, redoes in order, and a new change clears the redo stack', () => {
    recordStep({ projectId: 1, assetId: 10, before: { ...un, category_ids: [] }, after: cat(1) });
    recordStep({ projectId: 1, assetId: 11, before: { ...un, category_ids: [] }, after: cat(2) });
    expect(takeUndo()?.assetId).toBe(11);
    expect(takeUndo()?.assetId).toBe(10);
    expect(takeUndo()).toBeNull();
    expect(takeRedo()?.assetId).toBe(10);
    expect(undoStack.value.map((s) => s.assetId)).toEqual([10]);
    recordStep({ projectId: 1, assetId: 12, before: { ...un, category_ids: [] }, after: cat(1) });
    expect(redoStack.value).toEqual([]);
  });
  it('picks the one write that restores an annotation', () => {
    expect(changeTo(cat(1), { ...un, category_ids: [] })).toEqual({ status: 'unlabeled' });
    expect(changeTo(cat(1), cat(2))).toEqual({ category_ids: [2] });
    expect(changeTo({ status: 'needs_review', category_ids: [1] }, cat(1))).toEqual({ status: 'labeled' });
    expect(changeTo(cat(1), cat(1))).toBeNull();
  });
});

describe('recent list', () => {
  it('keeps the last 50 images, newest first, without repeats, across a reload', () => {
    const store = memoryStorage();
    const r = createRecent(3, store);
    for (let i = 1; i <= 60; i++) r.add({ id: i, file_name: `f${i}.png` });
    r.add({ id: 55, file_name: 'f55.png' });
    const again = createRecent(3, store).items.value;
    expect(again).toHaveLength(RECENT_MAX);
    expect(again.slice(0, 3).map((x) => x.id)).toEqual([55, 60, 59]);
    expect(createRecent(4, store).items.value).toEqual([]);
  });
});
