import { describe, expect, it } from 'vitest';
import type { Category } from '../api/types';
import { findCommand, keyCombo } from './keys';
import { labelCommands, type LabelHandlers } from './labelActions';
import { predict } from './labelLocal';
import { boxCommands, labelMode, multiCommands, polygonCommands, previousFrame, toggled } from './taskActions';
import type { Asset } from '../api/assets';

const key = (k: string, mods: Partial<{ shiftKey: boolean; ctrlKey: boolean; metaKey: boolean }> = {}) => ({
  key: k,
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  ...mods,
});

const cats: Category[] = [
  { id: 7, name: 'car', display_order: 1, state: 'active' },
  { id: 4, name: 'bus', display_order: 2, state: 'active' },
];

function base(calls: string[]) {
  const h: LabelHandlers = {
    assign: (id) => calls.push(`assign ${id}`),
    prev: () => calls.push('prev'),
    next: () => calls.push('next'),
    skip: () => calls.push('skip'),
    zoom: (f) => calls.push(`zoom ${f}`),
    toggleHelp: () => calls.push('help'),
    closeHelp: () => calls.push('close'),
    flag: () => calls.push('flag'),
    undo: () => calls.push('undo'),
    redo: () => calls.push('redo'),
    toggleFocus: () => calls.push('focus'),
  };
  return labelCommands(cats, h);
}

describe('multiCommands', () => {
  it('toggles with 1..9, answers "none" with N, saves with Enter or →, and lists every key once', () => {
    const calls: string[] = [];
    const cmds = multiCommands(cats, base(calls), {
      toggle: (id) => calls.push(`toggle ${id}`),
      none: () => calls.push('none'),
      save: () => calls.push('save'),
    });
    for (const k of ['1', '2', 'n', 'Enter', 'ArrowRight', 'ArrowLeft', 's', '?']) findCommand(cmds, key(k))?.run();
    expect(calls).toEqual(['toggle 7', 'toggle 4', 'none', 'save', 'save', 'prev', 'skip', 'help']);
    const all = cmds.flatMap((c) => c.keys);
    expect(new Set(all).size).toBe(all.length);
    expect(cmds.some((c) => c.id.startsWith('assign:'))).toBe(false);
  });

  it('toggles a set', () => {
    expect(toggled([4], 7)).toEqual([4, 7]);
    expect(toggled([4, 7], 4)).toEqual([7]);
  });
});

describe('boxCommands', () => {
  it('maps the box keys, with ← and → going to the images when no box is selected', () => {
    const calls: string[] = [];
    let selected = true;
    const cmds = boxCommands(cats, base(calls), {
      pickCategory: (id) => calls.push(`cat ${id}`),
      selectNext: (d) => calls.push(`tab ${d}`),
      nudge: (dx, dy) => {
        if (selected) calls.push(`nudge ${dx},${dy}`);
        return selected;
      },
      deleteBox: () => calls.push('delete'),
      toggleHidden: () => calls.push('hide'),
      undo: () => calls.push('undo'),
      redo: () => calls.push('redo'),
      noObjects: () => calls.push('none'),
      copyPrevFrame: () => calls.push('copy'),
    });
    const press = (k: string, m = {}) => findCommand(cmds, key(k, m))?.run();
    press('2');
    press('Tab');
    press('Tab', { shiftKey: true });
    press('ArrowLeft');
    press('ArrowDown', { shiftKey: true });
    press('Delete');
    press('h');
    press('z', { ctrlKey: true });
    press('Z', { ctrlKey: true, shiftKey: true });
    press('n');
    press('c');
    selected = false;
    press('ArrowRight');
    press('PageUp');
    expect(calls).toEqual(['cat 4', 'tab 1', 'tab -1', 'nudge -1,0', 'nudge 0,10', 'delete', 'hide', 'undo', 'redo', 'none', 'copy', 'next', 'prev']);
    const all = cmds.flatMap((c) => c.keys);
    expect(new Set(all).size).toBe(all.length);
  });

  it('tells Ctrl+Shift+Z from Ctrl+Z', () => {
    expect(keyCombo(key('Z', { ctrlKey: true, shiftKey: true }))).toBe('Ctrl+Shift+Z');
    expect(keyCombo(key('z', { ctrlKey: true }))).toBe('Ctrl+Z');
    expect(keyCombo(key('A', { shiftKey: true }))).toBe('A');
  });

  it('knows each task type', () => {
    expect(labelMode('detection')).toBe('boxes');
    expect(labelMode('classification_multi')).toBe('multi');
    expect(labelMode('classification_single')).toBe('single');
    expect(labelMode('segmentation')).toBe('polygons');
  });
});

describe('polygonCommands', () => {
  it('maps the polygon keys: drawing, selection, deletion, rings, hide, fill, undo; arrows go to the images', () => {
    const calls: string[] = [];
    let drawingPoints = 1;
    const cmds = polygonCommands(cats, base(calls), {
      pickCategory: (id) => calls.push(`cat ${id}`),
      selectNext: (d) => calls.push(`tab ${d}`),
      closeRing: () => calls.push('close'),
      popPoint: () => {
        if (drawingPoints === 0) return false;
        calls.push('pop');
        drawingPoints--;
        return true;
      },
      cancel: () => calls.push('cancel'),
      drawNew: () => calls.push('new'),
      addRing: () => calls.push('ring'),
      deleteSelected: () => calls.push('delete'),
      toggleHidden: () => calls.push('hide'),
      toggleFill: () => calls.push('fill'),
      undo: () => calls.push('undo'),
      redo: () => calls.push('redo'),
      noObjects: () => calls.push('none'),
      copyPrevFrame: () => calls.push('copy'),
    });
    const press = (k: string, m = {}) => findCommand(cmds, key(k, m))?.run();
    for (const k of ['1', 'Enter', 'Backspace', 'Backspace', 'Escape', 'Delete', 'r', 'd', 'Tab', 'h', 'o', 'n', 'c', 'ArrowLeft', 'ArrowRight']) press(k);
    press('Tab', { shiftKey: true });
    press('z', { ctrlKey: true });
    press('Z', { ctrlKey: true, shiftKey: true });
    expect(calls).toEqual([
      'cat 7', 'close', 'pop', 'delete', 'cancel', 'delete', 'ring', 'new', 'tab 1', 'hide', 'fill', 'none', 'copy', 'prev', 'next', 'tab -1', 'undo', 'redo',
    ]);
    // Escape is also the help's close key: the screen looks only at the help's commands while it is open
    const all = cmds.filter((c) => c.id !== 'close').flatMap((c) => c.keys);
    expect(new Set(all).size).toBe(all.length);
    expect(findCommand(cmds.filter((c) => c.inHelp), key('Escape'))?.id).toBe('close');
  });
});

describe('predict with payloads', () => {
  it('labels with boxes or a multi-label set, "none" included, and keeps them through review', () => {
    const un = { status: 'unlabeled' as const, category_ids: [] };
    const boxes = { type: 'boxes' as const, objects: [{ id: 'a', category_id: 4, bbox: [1, 1, 5, 5] as [number, number, number, number] }, { id: 'b', category_id: 4, bbox: [9, 9, 5, 5] as [number, number, number, number] }] };
    const l = predict(un, { payload: boxes });
    expect(l).toEqual({ status: 'labeled', category_ids: [4], payload: boxes });
    const none = predict(un, { payload: { type: 'classification', category_ids: [] } });
    expect(none?.status).toBe('labeled');
    expect(none && predict(none, { status: 'approved' })?.status).toBe('approved');
    expect(predict(un, { payload: { type: 'boxes', objects: [] } })?.category_ids).toEqual([]);
    const ap = { ...(l ?? un), status: 'approved' as const };
    expect(predict(ap, { payload: boxes })?.status).toBe('approved');
  });
});

describe('previousFrame', () => {
  const frame = (id: number, video: number, idx: number) =>
    ({ id, source: { type: 'video_frame', video_id: video, video_file_name: 'v.mp4', frame_index: idx, timestamp_ms: idx * 40 } }) as unknown as Asset;
  it('finds the nearest earlier frame of the same video, wherever it is in the queue', () => {
    const items = [frame(1, 7, 10), frame(2, 7, 30), frame(3, 8, 19), frame(4, 7, 20)];
    expect(previousFrame(items, frame(5, 7, 25))?.id).toBe(4);
    expect(previousFrame(items, frame(6, 7, 10))).toBeUndefined();
    expect(previousFrame(items, { id: 9, source: { type: 'image' } } as unknown as Asset)).toBeUndefined();
  });
});

describe('the accept command', () => {
  const handlers = (calls: string[], accept?: () => void): LabelHandlers => ({
    assign: (id) => calls.push(`assign ${id}`),
    prev: () => calls.push('prev'),
    next: () => calls.push('next'),
    skip: () => calls.push('skip'),
    zoom: (f) => calls.push(`zoom ${f}`),
    toggleHelp: () => calls.push('help'),
    closeHelp: () => calls.push('close'),
    flag: () => calls.push('flag'),
    undo: () => calls.push('undo'),
    redo: () => calls.push('redo'),
    toggleFocus: () => calls.push('focus'),
    accept,
  });

  it('is listed (key A) only with a handler, and every task type keeps it without a clash', () => {
    const calls: string[] = [];
    expect(labelCommands(cats, handlers(calls)).some((c) => c.id === 'accept')).toBe(false);
    expect(findCommand(labelCommands(cats, handlers(calls)), key('a'))).toBeUndefined();
    const single = labelCommands(cats, handlers(calls, () => calls.push('accept')));
    const multi = multiCommands(cats, single, { toggle: () => undefined, none: () => undefined, save: () => undefined });
    const boxes = boxCommands(cats, single, {
      pickCategory: () => undefined,
      selectNext: () => undefined,
      nudge: () => false,
      deleteBox: () => undefined,
      toggleHidden: () => undefined,
      undo: () => undefined,
      redo: () => undefined,
      noObjects: () => undefined,
      copyPrevFrame: () => undefined,
    });
    for (const cmds of [single, multi, boxes]) {
      findCommand(cmds, key('a'))?.run();
      findCommand(cmds, key('A', { shiftKey: true }))?.run();
      const all = cmds.flatMap((c) => c.keys);
      expect(all.filter((k) => k === 'A')).toHaveLength(1);
    }
    expect(calls).toEqual(['accept', 'accept', 'accept', 'accept', 'accept', 'accept']);
  });
});
