import { describe, expect, it } from 'vitest';
import { moveCategories, moveCount, predict } from './labelLocal';
import { labelCommands, assignable, type LabelHandlers } from './labelActions';
import { findCommand } from './keys';
import type { Category } from '../api/types';

const key = (k: string, shift = false) => ({ key: k, altKey: false, ctrlKey: false, metaKey: false, shiftKey: shift });

describe('predict', () => {
  it('mirrors the server: labeling, relabeling, repeats, skip and refusals', () => {
    const un = { status: 'unlabeled' as const, category_ids: [] };
    expect(predict(un, { category_ids: [2] })).toEqual({ status: 'labeled', category_ids: [2] });
    expect(predict(un, { status: 'approved' })).toBeNull();
    expect(predict(un, { status: 'needs_review' })).toBeNull();
    expect(predict(un, { category_ids: [] })).toBeNull();
    const ap = { status: 'approved' as const, category_ids: [2] };
    expect(predict(ap, { category_ids: [2] })).toEqual(ap);
    expect(predict(ap, { category_ids: [3] })).toEqual({ status: 'labeled', category_ids: [3] });
    expect(predict(ap, { status: 'skipped' })).toEqual({ status: 'skipped', category_ids: [] });
    expect(predict(ap, { status: 'needs_review' })).toEqual({ status: 'needs_review', category_ids: [2] });
    expect(predict({ status: 'skipped', category_ids: [] }, { category_ids: [1] })).toEqual({ status: 'labeled', category_ids: [1] });
  });

  it('moves counts between statuses and categories', () => {
    const c = { total: 3, unlabeled: 2, labeled: 1, skipped: 0, needs_review: 0, approved: 0 };
    expect(moveCount(c, 'unlabeled', 'labeled')).toEqual({ ...c, unlabeled: 1, labeled: 2 });
    expect(moveCount(c, 'labeled', 'labeled')).toBe(c);
    expect(moveCategories({ 1: 1 }, [1], [2])).toEqual({ 1: 0, 2: 1 });
  });
});

describe('labelCommands', () => {
  const cats: Category[] = [
    { id: 5, name: 'dog', display_order: 2, state: 'active' },
    { id: 3, name: 'cat', display_order: 1, state: 'active' },
    { id: 9, name: 'old', display_order: 3, state: 'disabled' },
    ...Array.from({ length: 10 }, (_, i): Category => ({ id: 20 + i, name: `c${i}`, display_order: 10 + i, state: 'active' })),
  ];

  const calls: string[] = [];
  const handlers: LabelHandlers = {
    assign: (id) => calls.push(`assign ${id}`),
    prev: () => calls.push('prev'),
    next: () => calls.push('next'),
    skip: () => calls.push('skip'),
    flag: () => calls.push('flag'),
    undo: () => calls.push('undo'),
    redo: () => calls.push('redo'),
    toggleFocus: () => calls.push('focus'),
    zoom: (f) => calls.push(`zoom ${f === 'fit' ? 'fit' : f > 1 ? 'in' : 'out'}`),
    toggleHelp: () => calls.push('help'),
    closeHelp: () => calls.push('close'),
  };

  it('numbers active categories by display order, at most 9', () => {
    const cmds = labelCommands(cats, handlers);
    const assigns = cmds.filter((c) => c.categoryId !== undefined && c.keys.length > 0);
    expect(assigns.map((c) => c.categoryId)).toEqual([3, 5, 20, 21, 22, 23, 24, 25, 26]);
    expect(assigns.map((c) => c.keys[0])).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(assignable(cats).map((c) => c.id)).not.toContain(9);
  });

  it('gives every active category a command, past the ninth without a key', () => {
    const cmds = labelCommands(cats, handlers);
    const tenth = cmds.find((c) => c.categoryId === 27);
    expect(tenth?.keys).toEqual([]);
    expect(tenth?.position).toBeUndefined();
    calls.length = 0;
    tenth?.run();
    expect(calls).toEqual(['assign 27']);
  });

  it('maps keys to commands', () => {
    const cmds = labelCommands(cats, handlers);
    expect(findCommand(cmds, key('1'))?.id).toBe('assign:3');
    expect(findCommand(cmds, key('ArrowRight'))?.id).toBe('next');
    expect(findCommand(cmds, key('ArrowLeft'))?.id).toBe('prev');
    expect(findCommand(cmds, key('s'))?.id).toBe('skip');
    expect(findCommand(cmds, key('S', true))?.id).toBe('skip');
    expect(findCommand(cmds, key('?', true))?.id).toBe('help');
    expect(findCommand(cmds, { ...key('1'), ctrlKey: true })).toBeUndefined();
    expect(findCommand(cmds, key('f'))?.id).toBe('flag');
    expect(findCommand(cmds, key('z'))?.id).toBe('focus');
    expect(findCommand(cmds, { ...key('z'), ctrlKey: true })?.id).toBe('undo');
    expect(findCommand(cmds, { ...key('Z', true), ctrlKey: true })?.id).toBe('redo');
  });

  it('carries the zoom keys in the same list, each running its handler', () => {
    const cmds = labelCommands(cats, handlers);
    calls.length = 0;
    for (const k of [key('+', true), key('='), key('-'), key('0'), key('1'), key('s'), key('?', true), key('Escape')]) {
      findCommand(cmds, k)?.run();
    }
    expect(calls).toEqual(['zoom in', 'zoom in', 'zoom out', 'zoom fit', 'assign 3', 'skip', 'help', 'close']);
    expect(cmds.filter((c) => c.inHelp).map((c) => c.id)).toEqual(['help', 'close']);
  });
});
