import { describe, expect, it } from 'vitest';
import { clampBbox, createBoxEditor, hitTest, moveBbox, resizeBbox, sameBoxes } from './boxEditor';
import type { BoxObject } from '../api/assets';

function editor() {
  const commits: BoxObject[][] = [];
  let n = 0;
  const e = createBoxEditor({ width: 400, height: 300, onCommit: (b) => commits.push(b), newId: () => `o${++n}` });
  e.newCategory.value = 3;
  return { e, commits };
}

describe('box geometry', () => {
  it('clamps to the image and refuses empty boxes', () => {
    expect(clampBbox([-10, -10, 50, 40], 400, 300)).toEqual([0, 0, 40, 30]);
    expect(clampBbox([390, 290, 50, 50], 400, 300)).toEqual([390, 290, 10, 10]);
    expect(clampBbox([500, 10, 10, 10], 400, 300)).toBeNull();
    expect(clampBbox([10, 10, 0, 10], 400, 300)).toBeNull();
  });

  it('moves a box whole inside the image and resizes by any handle, flipping past the other side', () => {
    expect(moveBbox([10, 10, 50, 50], -100, 500, 400, 300)).toEqual([0, 250, 50, 50]);
    expect(resizeBbox([10, 10, 50, 50], 'se', 100, 80, 400, 300)).toEqual([10, 10, 90, 70]);
    expect(resizeBbox([10, 10, 50, 50], 'w', 0, 999, 400, 300)).toEqual([0, 10, 60, 50]);
    expect(resizeBbox([10, 10, 50, 50], 'e', 0, 0, 400, 300)).toEqual([0, 10, 10, 50]);
  });

  it('hits the handles of the selected box first, then the smallest box under the point', () => {
    const boxes: BoxObject[] = [
      { id: 'big', category_id: 1, bbox: [0, 0, 200, 200] },
      { id: 'small', category_id: 1, bbox: [50, 50, 20, 20] },
    ];
    expect(hitTest(boxes, null, 60, 60, 2)).toEqual({ id: 'small', handle: null });
    expect(hitTest(boxes, null, 150, 150, 2)).toEqual({ id: 'big', handle: null });
    expect(hitTest(boxes, 'big', 199, 201, 3)).toEqual({ id: 'big', handle: 'se' });
    expect(hitTest(boxes, null, 300, 250, 2)).toBeNull();
  });
});

describe('createBoxEditor', () => {
  it('draws, moves, recategorizes, deletes, and reports every edit', () => {
    const { e, commits } = editor();
    expect(e.add([10, 10, 1, 1])).toBeNull(); // a click is not a box
    const id = e.add([10, 20, 100, 50]);
    expect(id).toBe('o1');
    expect(e.selected.value).toBe('o1');
    expect(e.boxes.value).toEqual([{ id: 'o1', category_id: 3, bbox: [10, 20, 100, 50] }]);
    expect(e.nudge(10, -1)).toBe(true);
    expect(e.boxes.value[0]?.bbox).toEqual([20, 19, 100, 50]);
    e.pickCategory(5);
    expect(e.boxes.value[0]?.category_id).toBe(5);
    expect(e.newCategory.value).toBe(5);
    expect(e.setBbox('o1', [0, 0, 30, 30])).toBe(true);
    expect(e.removeSelected()).toBe(true);
    expect(e.boxes.value).toEqual([]);
    expect(e.selected.value).toBeNull();
    expect(commits.length).toBe(5);
    expect(e.nudge(1, 0)).toBe(false); // nothing selected: the arrow goes to the next image
  });

  it('undoes and redoes within the image, and a load starts the history over', () => {
    const { e, commits } = editor();
    e.add([0, 0, 10, 10]);
    e.add([20, 20, 10, 10]);
    e.nudge(5, 0);
    expect(e.undo()).toBe(true);
    expect(e.boxes.value.map((b) => b.bbox)).toEqual([
      [0, 0, 10, 10],
      [20, 20, 10, 10],
    ]);
    expect(e.undo()).toBe(true);
    expect(e.boxes.value.length).toBe(1);
    expect(e.redo()).toBe(true);
    expect(e.boxes.value.length).toBe(2);
    expect(commits.at(-1)?.length).toBe(2); // undo and redo are saved too
    e.add([50, 50, 10, 10]);
    expect(e.redo()).toBe(false); // a new edit drops the redo steps
    e.load([{ id: 'x', category_id: 1, bbox: [1, 1, 5, 5] }]);
    expect(e.canUndo.value).toBe(false);
    expect(e.undo()).toBe(false);
  });

  it('selects with Tab in drawing order, both ways, and hides', () => {
    const { e } = editor();
    e.add([0, 0, 10, 10]);
    e.add([20, 20, 10, 10]);
    e.select(null);
    e.selectNext(1);
    expect(e.selected.value).toBe('o1');
    e.selectNext(1);
    expect(e.selected.value).toBe('o2');
    e.selectNext(1);
    expect(e.selected.value).toBe('o1');
    e.selectNext(-1);
    expect(e.selected.value).toBe('o2');
    e.toggleHidden();
    expect(e.hidden.value).toBe(true);
  });

  it('compares boxes by value', () => {
    const a: BoxObject[] = [{ id: 'a', category_id: 1, bbox: [1, 2, 3, 4] }];
    expect(sameBoxes(a, [{ id: 'a', category_id: 1, bbox: [1, 2, 3, 4] }])).toBe(true);
    expect(sameBoxes(a, [{ id: 'a', category_id: 1, bbox: [1, 2, 3, 5] }])).toBe(false);
    expect(sameBoxes(a, [])).toBe(false);
  });
});

describe('clamping as the server checks it', () => {
  it('never ends past the image edge, even after rounding', () => {
    for (let i = 0; i < 2000; i++) {
      const w = 97 + (i % 13) * 0.37;
      const x = (i * 7.123) % w;
      const b = clampBbox([x, x / 2, w, w], w, w);
      if (b) expect(b[0] + b[2] <= w && b[1] + b[3] <= w).toBe(true);
      const m = moveBbox([1, 1, 10.005, 10.005], 1e6, 1e6, w, w);
      expect(m[0] + m[2] <= w && m[1] + m[3] <= w).toBe(true);
    }
  });
});

describe('replaceAll', () => {
  it('adds copied boxes as one undoable edit, clamped to this image', () => {
    const { e, commits } = editor();
    e.add([0, 0, 10, 10]);
    e.replaceAll([...e.boxes.value, { id: 'c1', category_id: 2, bbox: [390, 290, 50, 50] }, { id: 'c2', category_id: 2, bbox: [500, 500, 5, 5] }]);
    expect(e.boxes.value.map((b) => b.bbox)).toEqual([
      [0, 0, 10, 10],
      [390, 290, 10, 10],
    ]);
    expect(commits.length).toBe(2);
    e.undo();
    expect(e.boxes.value.length).toBe(1);
  });
});
