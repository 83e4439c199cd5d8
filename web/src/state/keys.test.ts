import { describe, expect, it } from 'vitest';
import { CATEGORY_ROW_COMMANDS, findCommand, keyCaps, keyCombo, type KeyLike } from './keys';

const ev = (key: string, mods: Partial<KeyLike> = {}): KeyLike => ({
  key,
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  ...mods,
});

describe('keyCombo', () => {
  it('names modifiers in a fixed order', () => {
    expect(keyCombo(ev('ArrowUp', { altKey: true }))).toBe('Alt+ArrowUp');
    expect(keyCombo(ev('ArrowUp', { altKey: true, ctrlKey: true, shiftKey: true }))).toBe('Ctrl+Alt+Shift+ArrowUp');
    expect(keyCombo(ev('F2'))).toBe('F2');
  });

  it('upper-cases letters and folds Shift into them', () => {
    expect(keyCombo(ev('s'))).toBe('S');
    expect(keyCombo(ev('S', { shiftKey: true }))).toBe('S');
  });

  it('keeps Shift beside Ctrl, so that Ctrl+Shift+Z (redo) is not Ctrl+Z (undo)', () => {
    expect(keyCombo(ev('z', { ctrlKey: true }))).toBe('Ctrl+Z');
    expect(keyCombo(ev('Z', { ctrlKey: true, shiftKey: true }))).toBe('Ctrl+Shift+Z');
  });
});

describe('category row commands', () => {
  it('finds the command for a key press, and none for other modifiers', () => {
    expect(findCommand(CATEGORY_ROW_COMMANDS, ev('ArrowUp', { altKey: true }))?.id).toBe('moveUp');
    expect(findCommand(CATEGORY_ROW_COMMANDS, ev('ArrowDown'))?.id).toBe('focusNext');
    expect(findCommand(CATEGORY_ROW_COMMANDS, ev('F2'))?.id).toBe('rename');
    expect(findCommand(CATEGORY_ROW_COMMANDS, ev('Enter'))?.id).toBe('rename');
    expect(findCommand(CATEGORY_ROW_COMMANDS, ev('ArrowUp', { ctrlKey: true }))).toBeUndefined();
  });

  it('has no key bound twice', () => {
    const all = CATEGORY_ROW_COMMANDS.flatMap((c) => c.keys);
    expect(new Set(all).size).toBe(all.length);
  });

  it('prints keys as caps', () => {
    expect(keyCaps('Alt+ArrowUp')).toEqual(['Alt', '↑']);
    expect(keyCaps('Delete')).toEqual(['Del']);
    expect(keyCaps('+')).toEqual(['+']);
    expect(keyCaps('Ctrl++')).toEqual(['Ctrl', '+']);
  });
});
