import { describe, expect, it } from 'vitest';
import { createEditHistory } from './editHistory';

describe('edit history', () => {
  it('undoes and redoes in order, and a new edit ends the redo steps', () => {
    const h = createEditHistory<number>();
    let cur = 0;
    const edit = (v: number) => {
      h.push(cur);
      cur = v;
    };
    edit(1);
    edit(2);
    expect(h.canUndo.value).toBe(true);
    cur = h.undo(cur) ?? cur;
    expect(cur).toBe(1);
    expect(h.canRedo.value).toBe(true);
    cur = h.redo(cur) ?? cur;
    expect(cur).toBe(2);
    cur = h.undo(cur) ?? cur;
    edit(5);
    expect(h.canRedo.value).toBe(false);
    expect(h.redo(cur)).toBeUndefined();
    cur = h.undo(cur) ?? cur;
    cur = h.undo(cur) ?? cur;
    expect(cur).toBe(0);
    expect(h.undo(cur)).toBeUndefined();
  });

  it('keeps at most its limit of steps, and clear forgets them', () => {
    const h = createEditHistory<number>(3);
    for (let i = 0; i < 10; i++) h.push(i);
    let cur = 10;
    const seen: number[] = [];
    for (let v = h.undo(cur); v !== undefined; v = h.undo(cur)) seen.push((cur = v));
    expect(seen).toEqual([9, 8, 7]);
    h.clear();
    expect(h.canRedo.value).toBe(false);
  });
});
